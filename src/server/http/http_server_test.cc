#include "server/http/http_server.h"

#include <gtest/gtest.h>

namespace dcc::server {

TEST(RedactTarget, HidesCredentialParameters) {
  EXPECT_EQ(RedactTarget("/search/?type=File"), "/search/?type=File");
  EXPECT_EQ(RedactTarget("/b/k?X-Amz-Credential=AKIA/x&X-Amz-Signature=abc&part=1"),
            "/b/k?X-Amz-Credential=REDACTED&X-Amz-Signature=REDACTED&part=1");
  EXPECT_EQ(RedactTarget("/x?token=secret"), "/x?token=REDACTED");
  EXPECT_EQ(RedactTarget("/plain"), "/plain");
}

}  // namespace dcc::server
