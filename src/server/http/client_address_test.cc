#include "server/http/client_address.h"

#include <gtest/gtest.h>

namespace dcc::server {

TEST(Cidr, ParsesAndMatches) {
  auto ten = ParseCidr("10.0.0.0/8");
  ASSERT_TRUE(ten.ok());
  EXPECT_TRUE(CidrContains(*ten, "10.1.2.3"));
  EXPECT_TRUE(CidrContains(*ten, "::ffff:10.1.2.3"));
  EXPECT_FALSE(CidrContains(*ten, "11.0.0.1"));
  EXPECT_FALSE(CidrContains(*ten, "not an address"));
  auto one = ParseCidr("127.0.0.1");
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(CidrContains(*one, "127.0.0.1"));
  EXPECT_FALSE(CidrContains(*one, "127.0.0.2"));
  auto v6 = ParseCidr("fd00::/8");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(CidrContains(*v6, "fd12::1"));
  EXPECT_FALSE(CidrContains(*v6, "10.0.0.1"));
  for (const char* bad : {"", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8", "x/8", "::/129"})
    EXPECT_FALSE(ParseCidr(bad).ok()) << bad;
}

// A spoofed X-Forwarded-For must not move a request to another client's caps.
TEST(ClientOf, TrustsForwardedForOnlyFromTrustedProxies) {
  std::vector<Cidr> trusted = {*ParseCidr("10.0.0.0/8")};
  EXPECT_EQ(ClientOf("192.0.2.7", "198.51.100.1", trusted), "192.0.2.7");
  EXPECT_EQ(ClientOf("10.0.0.5", "198.51.100.1", trusted), "198.51.100.1");
  EXPECT_EQ(ClientOf("10.0.0.5", "6.6.6.6, 198.51.100.1, 10.0.0.9", trusted), "198.51.100.1");
  EXPECT_EQ(ClientOf("10.0.0.5", "", trusted), "10.0.0.5");
  EXPECT_EQ(ClientOf("10.0.0.5", "garbage, 10.0.0.9", trusted), "10.0.0.9");
  EXPECT_EQ(ClientOf("10.0.0.5", "198.51.100.1", {}), "10.0.0.5");
}

}  // namespace dcc::server
