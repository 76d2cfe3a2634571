#include "server/auth/authorizer.h"

#include <gtest/gtest.h>

namespace dcc::server {
namespace {

TEST(PathCovers, SamePathAndBelow) {
  EXPECT_TRUE(PathCovers("/programs/p", "/programs/p"));
  EXPECT_TRUE(PathCovers("/programs/p", "/programs/p/projects/q"));
  EXPECT_TRUE(PathCovers("/programs/p/", "/programs/p/projects/q/"));
  EXPECT_TRUE(PathCovers("/", "/open"));
}

TEST(PathCovers, NotSiblingsPrefixesOrAbove) {
  EXPECT_FALSE(PathCovers("/programs/p", "/programs/p2"));
  EXPECT_FALSE(PathCovers("/programs/p", "/programs"));
  EXPECT_FALSE(PathCovers("/programs/p/projects/q", "/programs/p"));
  EXPECT_FALSE(PathCovers("", "/programs"));
  EXPECT_FALSE(PathCovers("/programs", ""));
}

TEST(PoliciesAllow, MethodsAndWildcard) {
  std::vector<Policy> ps = {{"a@x", "/programs/p", {"read", "create"}}, {"a@x", "/mds_gateway", {"*"}}};
  EXPECT_TRUE(PoliciesAllow(ps, "read", "/programs/p/projects/q"));
  EXPECT_TRUE(PoliciesAllow(ps, "create", "/programs/p"));
  EXPECT_FALSE(PoliciesAllow(ps, "delete", "/programs/p"));
  EXPECT_FALSE(PoliciesAllow(ps, "read", "/programs/other"));
  EXPECT_TRUE(PoliciesAllow(ps, "delete", "/mds_gateway"));
  EXPECT_FALSE(PoliciesAllow({}, "read", "/programs/p"));
}

}  // namespace
}  // namespace dcc::server
