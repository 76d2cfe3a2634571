#include "server/auth/upload_credentials.h"

#include <gtest/gtest.h>

namespace dcc::server {
namespace {

const std::string kKey(32, 'k');

TEST(UploadCredentials, IssuedCredentialsVerify) {
  UploadCredentialIssuer issuer(kKey);
  auto c = issuer.Issue({"dcc-files", "2026/11/21/u/DCCFF123ABC.bam", "u", 2000});
  EXPECT_EQ(c.access_key.substr(0, 4), "ASIA");
  EXPECT_EQ(c.access_key.size(), 20u);
  EXPECT_EQ(c.secret_key.size(), 40u);
  EXPECT_EQ(c.upload_url, "s3://dcc-files/2026/11/21/u/DCCFF123ABC.bam");
  EXPECT_EQ(c.expiration, "1970-01-01T00:33:20Z");
  auto v = issuer.Verify(c.access_key, c.session_token, 1000);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->secret_key, c.secret_key);
  EXPECT_EQ(v->grant.key, "2026/11/21/u/DCCFF123ABC.bam");
  EXPECT_EQ(v->grant.file_uuid, "u");
}

TEST(UploadCredentials, RejectsExpiredForgedAndSwappedTokens) {
  UploadCredentialIssuer issuer(kKey);
  auto c = issuer.Issue({"b", "k", "u", 2000});
  auto expired = issuer.Verify(c.access_key, c.session_token, 2000);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.status().message().find("expired"), std::string::npos);
  auto other = issuer.Issue({"b", "other-key", "u", 2000});
  EXPECT_FALSE(issuer.Verify(c.access_key, other.session_token, 1000).ok());  // swapped
  std::string forged = c.session_token;
  forged[2] = forged[2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(issuer.Verify(c.access_key, forged, 1000).ok());
  EXPECT_FALSE(issuer.Verify(c.access_key, "", 1000).ok());
  UploadCredentialIssuer stranger(std::string(32, 'x'));
  EXPECT_FALSE(stranger.Verify(c.access_key, c.session_token, 1000).ok());
}

}  // namespace
}  // namespace dcc::server
