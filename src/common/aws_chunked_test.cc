// The chunked upload example of the Amazon S3 API Reference ("Transferring Payload in
// Multiple Chunks"): 66560 bytes of 'a' in chunks of 65536, 1024 and 0, 66824 encoded.
#include "common/aws_chunked.h"

#include <gtest/gtest.h>

#include "common/sigv4.h"

namespace dcc::sigv4 {
namespace {

const char* kSeed = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";

std::string Key() {
  return SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
}

std::string ExampleBody() {
  return "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
         std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

std::string Decode(const std::string& body, size_t piece, Status* status) {
  std::string out;
  AwsChunkedDecoder d(Key(), kSeed, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                      [&](const char* p, size_t n) { out.append(p, n); return true; });
  for (size_t off = 0; off < body.size(); off += piece) {
    *status = d.Feed(body.data() + off, std::min(piece, body.size() - off));
    if (!status->ok()) return out;
  }
  *status = d.Finish();
  return out;
}

TEST(AwsChunked, DecodesTheAwsExampleInAnyPieces) {
  std::string body = ExampleBody();
  ASSERT_EQ(body.size(), 66824u);
  for (size_t piece : {body.size(), size_t{1}, size_t{7}, size_t{4096}}) {
    Status s;
    std::string out = Decode(body, piece, &s);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, std::string(66560, 'a'));
  }
}

TEST(AwsChunked, RejectsATamperedChunk) {
  std::string body = ExampleBody();
  body[200] = 'b';  // inside the first chunk's data
  Status s;
  Decode(body, body.size(), &s);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(s.where(), "s3:SignatureDoesNotMatch");
}

TEST(AwsChunked, RejectsTruncationAndGarbage) {
  std::string body = ExampleBody();
  Status s;
  Decode(body.substr(0, body.size() - 10), 1000, &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  Decode(body + "extra", 1000, &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  Decode("zz;chunk-signature=00\r\n", 1000, &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace dcc::sigv4
