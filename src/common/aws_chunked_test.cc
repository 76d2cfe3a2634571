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
  return "10000;chunk-signature="
         "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
         std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature="
         "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature="
         "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

std::string Decode(const std::string& body, size_t piece, Status* status) {
  std::string out;
  AwsChunkedDecoder d(Key(), kSeed, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                      [&](const char* p, size_t n) {
                        out.append(p, n);
                        return true;
                      });
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

// Newer AWS CLIs (>= 2.23) and SDKs send STREAMING-UNSIGNED-PAYLOAD-TRAILER or
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER bodies ending in a checksum trailer; dccd
// answered 400 NotImplemented to all of them. The signed shape is the Amazon S3 API
// Reference's example ("Signature calculations for trailing headers"): the same 66560
// bytes of 'a', a CRC-32C trailer, 66946 bytes on the wire.
namespace dcc::sigv4 {
namespace {

const char* kTrailerSeed = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e";
const char* kTrailerSignature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

std::string SignedTrailerBody(const std::string& crc32c = "sOO8/Q==",
                              const std::string& signature = kTrailerSignature) {
  return "10000;chunk-signature="
         "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
         std::string(65536, 'a') + "\r\n" +
         "400;chunk-signature="
         "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
         std::string(1024, 'a') + "\r\n" +
         "0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n" +
         "x-amz-checksum-crc32c:" + crc32c + "\r\n" + "x-amz-trailer-signature:" + signature +
         "\r\n\r\n";
}

// botocore's AwsChunkedWrapper shape: `<hex>\r\n<data>\r\n` ... `0\r\n<name>:<b64>\r\n\r\n`.
std::string UnsignedTrailerBody(const std::string& name, const std::string& value) {
  return "10000\r\n" + std::string(65536, 'a') + "\r\n400\r\n" + std::string(1024, 'a') +
         "\r\n0\r\n" + name + ":" + value + "\r\n\r\n";
}

Status DecodeWith(const std::string& body, AwsChunkedOptions options, size_t piece,
                  std::string* out, const char* seed = kTrailerSeed) {
  out->clear();
  AwsChunkedDecoder d(
      Key(), seed, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
      [&](const char* p, size_t n) {
        out->append(p, n);
        return true;
      },
      options);
  for (size_t off = 0; off < body.size(); off += piece) {
    Status s = d.Feed(body.data() + off, std::min(piece, body.size() - off));
    if (!s.ok()) return s;
  }
  return d.Finish();
}

AwsChunkedOptions Signed(const char* trailer) { return {true, trailer}; }
AwsChunkedOptions Unsigned(const char* trailer) { return {false, trailer}; }

TEST(AwsChunkedTrailer, DecodesTheAwsSignedTrailerExampleInAnyPieces) {
  std::string body = SignedTrailerBody();
  ASSERT_EQ(body.size(), 66946u);
  for (size_t piece : {body.size(), size_t{1}, size_t{13}, size_t{65536}}) {
    std::string out;
    Status s = DecodeWith(body, Signed("x-amz-checksum-crc32c"), piece, &out);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(out, std::string(66560, 'a'));
  }
}

TEST(AwsChunkedTrailer, SignedTrailerWithoutTheFinalEmptyLine) {
  std::string body = SignedTrailerBody();
  std::string out;
  Status s =
      DecodeWith(body.substr(0, body.size() - 2), Signed("x-amz-checksum-crc32c"), 4096, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST(AwsChunkedTrailer, TamperedTrailerFailsItsSignature) {
  std::string out;
  // The checksum changed and the signature kept: the signature, chained from the final
  // chunk's, catches it before the checksum is compared.
  Status s = DecodeWith(SignedTrailerBody("AAAAAA=="), Signed("x-amz-checksum-crc32c"), 4096, &out);
  EXPECT_EQ(s.code(), Status::Code::kPermissionDenied) << s.ToString();
  EXPECT_EQ(s.where(), "s3:SignatureDoesNotMatch");
  s = DecodeWith(SignedTrailerBody("sOO8/Q==", std::string(64, '0')),
                 Signed("x-amz-checksum-crc32c"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:SignatureDoesNotMatch");
}

TEST(AwsChunkedTrailer, SignedTrailerNeedsItsSignature) {
  std::string body = SignedTrailerBody();
  body.erase(body.find("x-amz-trailer-signature:"), 24 + 64 + 2);
  std::string out;
  Status s = DecodeWith(body, Signed("x-amz-checksum-crc32c"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:MalformedTrailerError") << s.ToString();
}

TEST(AwsChunkedTrailer, UnsignedTrailersOfEveryComputedAlgorithm) {
  const std::pair<const char*, const char*> cases[] = {
      {"x-amz-checksum-crc32", "sK4Y7A=="},
      {"x-amz-checksum-crc32c", "sOO8/Q=="},
      {"x-amz-checksum-sha1", "qOlv5ixdz2jRNhlSLmgH6iaTKRI="},
      {"x-amz-checksum-sha256", "zWnTiHxq+SZLEA17dgIzEzXZqn4718MM3G1vS/uzyIg="},
  };
  for (const auto& [name, value] : cases) {
    for (size_t piece : {size_t{1}, size_t{4096}, size_t{1} << 20}) {
      std::string out;
      Status s = DecodeWith(UnsignedTrailerBody(name, value), Unsigned(name), piece, &out);
      EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
      EXPECT_EQ(out, std::string(66560, 'a'));
    }
  }
}

TEST(AwsChunkedTrailer, WrongChecksumIsBadDigest) {
  std::string out;
  Status s = DecodeWith(UnsignedTrailerBody("x-amz-checksum-crc32", "AAAAAA=="),
                        Unsigned("x-amz-checksum-crc32"), 4096, &out);
  EXPECT_EQ(s.code(), Status::Code::kChecksumMismatch) << s.ToString();
  EXPECT_EQ(s.where(), "s3:BadDigest");
  std::string body = UnsignedTrailerBody("x-amz-checksum-crc32", "sK4Y7A==");
  body[100] = 'b';  // unsigned chunks: only the checksum can tell
  s = DecodeWith(body, Unsigned("x-amz-checksum-crc32"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:BadDigest") << s.ToString();
}

TEST(AwsChunkedTrailer, Crc64NvmeIsRefusedAsNotImplemented) {
  std::string out;
  Status s = DecodeWith(UnsignedTrailerBody("x-amz-checksum-crc64nvme", "AAAAAAAAAAA="),
                        Unsigned("x-amz-checksum-crc64nvme"), 4096, &out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.where(), "s3:NotImplemented") << s.ToString();
  EXPECT_TRUE(out.empty());
}

TEST(AwsChunkedTrailer, MissingUndeclaredOrTruncatedTrailers) {
  std::string out;
  // Declared but absent.
  Status s = DecodeWith("5\r\nhello\r\n0\r\n\r\n", Unsigned("x-amz-checksum-crc32"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:MalformedTrailerError") << s.ToString();
  // Present but another one was declared, or none.
  s = DecodeWith("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
                 Unsigned("x-amz-checksum-sha1"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:MalformedTrailerError") << s.ToString();
  s = DecodeWith("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n", Unsigned(""), 4096,
                 &out);
  EXPECT_EQ(s.where(), "s3:MalformedTrailerError") << s.ToString();
  // A signature on an unsigned payload.
  s = DecodeWith(
      "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:00\r\n\r\n",
      Unsigned("x-amz-checksum-crc32"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:MalformedTrailerError") << s.ToString();
  // Cut inside the trailer, and data after its end.
  s = DecodeWith("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUo", Unsigned("x-amz-checksum-crc32"),
                 4096, &out);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << s.ToString();
  s = DecodeWith("5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\nmore",
                 Unsigned("x-amz-checksum-crc32"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:IncompleteBody") << s.ToString();
  // The good one, for contrast.
  s = DecodeWith("5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
                 Unsigned("X-Amz-Checksum-CRC32"), 4096, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, "hello world");
}

TEST(AwsChunkedTrailer, SignedDecoderRefusesChunksWithoutSignatures) {
  std::string out;
  // A signed decoder never takes chunks without signatures.
  Status s = DecodeWith(UnsignedTrailerBody("x-amz-checksum-crc32", "sK4Y7A=="),
                        Signed("x-amz-checksum-crc32"), 4096, &out);
  EXPECT_EQ(s.where(), "s3:IncompleteBody") << s.ToString();
}

}  // namespace
}  // namespace dcc::sigv4
