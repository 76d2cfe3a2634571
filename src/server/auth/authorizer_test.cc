#include "server/auth/authorizer.h"

#include <gtest/gtest.h>

#include <filesystem>

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

namespace dcc::server {
namespace {

// Allowed() over a real SQLite store: built-in rules, then granted policies.
TEST(Authorizer, BuiltInRulesAndStoredPolicies) {
  char tmpl[] = "/tmp/dcc-authz-test-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  auto store = OpenSqliteRecordStore(dir + "/dcc.sqlite").value();
  {
    auto w = store->Write().value();
    ASSERT_TRUE(w->PutPolicy({"alice@x.org", "/programs/p", {"read", "create"}}).ok());
    ASSERT_TRUE(w->Commit().ok());
  }
  Authorizer authz(*store);
  Caller anonymous;
  Caller alice{Principal{"alice@x.org", "u1", false, {}}};
  Caller bob{Principal{"bob@x.org", "u2", false, {}}};
  Caller admin{Principal{"root@x.org", "u3", true, {}}};
  EXPECT_TRUE(authz.Allowed(anonymous, "read", {"/open"}));
  EXPECT_TRUE(authz.Allowed(anonymous, "read", {"/open/sub"}));
  EXPECT_FALSE(authz.Allowed(anonymous, "create", {"/open"}));
  EXPECT_FALSE(authz.Allowed(anonymous, "read", {"/programs/p"}));
  EXPECT_TRUE(authz.Allowed(anonymous, "read", {}));
  EXPECT_FALSE(authz.Allowed(alice, "create", {}));
  EXPECT_TRUE(authz.Allowed(alice, "create", {"/programs/p/projects/q"}));
  EXPECT_FALSE(authz.Allowed(alice, "create", {"/programs/p/projects/q", "/programs/other"}));
  EXPECT_FALSE(authz.Allowed(alice, "delete", {"/programs/p"}));
  EXPECT_FALSE(authz.Allowed(bob, "read", {"/programs/p"}));
  EXPECT_TRUE(authz.Allowed(admin, "delete", {"/anything"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace dcc::server
