#include "server/http/request_target.h"

#include <gtest/gtest.h>

namespace dcc::server {

TEST(RequestTarget, DecodesPathAndQuery) {
  EXPECT_EQ(PercentDecode("/a%20b+c", false), "/a b+c");
  EXPECT_EQ(PercentDecode("a+b%2Bc", true), "a b+c");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz%4", false), "%zz%4");
  EXPECT_EQ(PercentDecode("%FF", false), "\xff");
  auto q = ParseQuery("uploads&partNumber=2&x=a%3Db=c&&=v&type=File&type=Lab");
  ASSERT_EQ(q.size(), 5u);
  EXPECT_EQ(q[0], (std::pair<std::string, std::string>{"uploads", ""}));
  EXPECT_EQ(q[1], (std::pair<std::string, std::string>{"partNumber", "2"}));
  EXPECT_EQ(q[2], (std::pair<std::string, std::string>{"x", "a=b=c"}));
  EXPECT_EQ(q[3].second, "File");
  EXPECT_EQ(q[4].second, "Lab");
  EXPECT_TRUE(ParseQuery("").empty());
}

}  // namespace dcc::server
