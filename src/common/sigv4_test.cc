// SigV4 against the worked examples of the Amazon S3 API Reference ("Signature
// Calculations for the Authorization Header", "Chunked Upload", "Using Query
// Parameters"). Every expected value below is AWS's published value.
#include "common/sigv4.h"

#include <gtest/gtest.h>

#include "common/hashing.h"

namespace dcc::sigv4 {
namespace {

const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
const char* kDate = "20130524T000000Z";
const char* kScope = "20130524/us-east-1/s3/aws4_request";

std::string Key() { return SigningKey(kSecret, "20130524", "us-east-1", "s3"); }

std::vector<std::string> HeaderNames(const Request& r) {
  std::vector<std::string> out;
  for (const auto& [k, v] : r.headers) out.push_back(k);
  return out;
}

TEST(SigV4, SigningKey) {
  std::string k = Key();
  EXPECT_EQ(ToHex(reinterpret_cast<const unsigned char*>(k.data()), k.size()),
            "dbb893acc010964918f1fd433add87c70e8b0db6be30c1fbeafefa5ec6ba8378");
}

TEST(SigV4, GetObjectWithRange) {
  Request r{"GET", "/test.txt", {},
            {{"host", "examplebucket.s3.amazonaws.com"},
             {"range", "bytes=0-9"},
             {"x-amz-content-sha256", kEmptySha256},
             {"x-amz-date", kDate}}};
  std::string canonical = CanonicalRequest(r, HeaderNames(r), kEmptySha256);
  EXPECT_EQ(Sha256Hex(canonical), "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Signature(Key(), StringToSign(kDate, kScope, canonical)),
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectEncodesTheKey) {
  std::string body = "Welcome to Amazon S3.";
  std::string hash = Sha256Hex(body);
  EXPECT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  Request r{"PUT", "/test$file.text", {},
            {{"date", "Fri, 24 May 2013 00:00:00 GMT"},
             {"host", "examplebucket.s3.amazonaws.com"},
             {"x-amz-content-sha256", hash},
             {"x-amz-date", kDate},
             {"x-amz-storage-class", "REDUCED_REDUNDANCY"}}};
  std::string canonical = CanonicalRequest(r, HeaderNames(r), hash);
  EXPECT_NE(canonical.find("\n/test%24file.text\n"), std::string::npos);
  EXPECT_EQ(Signature(Key(), StringToSign(kDate, kScope, canonical)),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, SubresourceWithoutValueAndEmptyPath) {
  Request r{"GET", "", {{"lifecycle", ""}},
            {{"host", "examplebucket.s3.amazonaws.com"},
             {"x-amz-content-sha256", kEmptySha256},
             {"x-amz-date", kDate}}};
  std::string canonical = CanonicalRequest(r, HeaderNames(r), kEmptySha256);
  EXPECT_EQ(canonical.substr(0, 16), "GET\n/\nlifecycle=");
  EXPECT_EQ(Signature(Key(), StringToSign(kDate, kScope, canonical)),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, QueryParametersAreSorted) {
  Request r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}},
            {{"host", "examplebucket.s3.amazonaws.com"},
             {"x-amz-content-sha256", kEmptySha256},
             {"x-amz-date", kDate}}};
  std::string canonical = CanonicalRequest(r, HeaderNames(r), kEmptySha256);
  EXPECT_EQ(Signature(Key(), StringToSign(kDate, kScope, canonical)),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, ChunkedUploadSeedAndChunkSignatures) {
  Request r{"PUT", "/examplebucket/chunkObject.txt", {},
            {{"content-encoding", "aws-chunked"},
             {"content-length", "66824"},
             {"host", "s3.amazonaws.com"},
             {"x-amz-content-sha256", kStreamingPayload},
             {"x-amz-date", kDate},
             {"x-amz-decoded-content-length", "66560"},
             {"x-amz-storage-class", "REDUCED_REDUNDANCY"}}};
  std::string seed = Signature(Key(), StringToSign(kDate, kScope,
                                                   CanonicalRequest(r, HeaderNames(r), kStreamingPayload)));
  EXPECT_EQ(seed, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  std::string c1 = Signature(Key(), ChunkStringToSign(kDate, kScope, seed, Sha256Hex(std::string(65536, 'a'))));
  EXPECT_EQ(c1, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
  std::string c2 = Signature(Key(), ChunkStringToSign(kDate, kScope, c1, Sha256Hex(std::string(1024, 'a'))));
  EXPECT_EQ(c2, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
  std::string c3 = Signature(Key(), ChunkStringToSign(kDate, kScope, c2, kEmptySha256));
  EXPECT_EQ(c3, "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
}

TEST(SigV4, PresignedUrl) {
  Request r{"GET", "/test.txt",
            {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
             {"X-Amz-Credential", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"},
             {"X-Amz-Date", kDate},
             {"X-Amz-Expires", "86400"},
             {"X-Amz-SignedHeaders", "host"},
             {"X-Amz-Signature", "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"}},
            {{"host", "examplebucket.s3.amazonaws.com"}}};
  auto cred = ParsePresigned(r);
  ASSERT_TRUE(cred.ok()) << cred.status().ToString();
  EXPECT_EQ(cred->access_key, "AKIAIOSFODNN7EXAMPLE");
  EXPECT_EQ(cred->expires, 86400);
  std::string canonical = CanonicalRequest(r, cred->signed_headers, kUnsignedPayload);
  EXPECT_EQ(Sha256Hex(canonical), "3bfa292879f6447bbcda7001decf97f4a54dc650c8942174ae0a9121cf58ad04");
  EXPECT_TRUE(SignaturesEqual(Signature(Key(), StringToSign(cred->amz_date, cred->Scope(), canonical)),
                              cred->signature));
}

TEST(SigV4, ParsesAuthorizationWithOrWithoutSpaces) {
  for (const char* sep : {",", ", "}) {
    Request r{"GET", "/", {},
              {{"authorization", std::string("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request") +
                                     sep + "SignedHeaders=host;x-amz-date" + sep + "Signature=abc"},
               {"x-amz-date", kDate}}};
    auto c = ParseAuthorization(r);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->access_key, "AKIAIOSFODNN7EXAMPLE");
    EXPECT_EQ(c->region, "us-east-1");
    EXPECT_EQ(c->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
    EXPECT_EQ(c->signature, "abc");
  }
}

TEST(SigV4, RejectsMalformedAuthorization) {
  Request wrong_alg{"GET", "/", {}, {{"authorization", "AWS AKIA:sig"}, {"x-amz-date", kDate}}};
  EXPECT_EQ(ParseAuthorization(wrong_alg).status().code(), Status::Code::kUnauthenticated);
  Request no_sig{"GET", "/", {},
                 {{"authorization", "AWS4-HMAC-SHA256 Credential=A/20130524/us-east-1/s3/aws4_request"},
                  {"x-amz-date", kDate}}};
  EXPECT_EQ(ParseAuthorization(no_sig).status().code(), Status::Code::kInvalidArgument);
  Request bad_scope{"GET", "/", {},
                    {{"authorization", "AWS4-HMAC-SHA256 Credential=A/2013/us-east-1, SignedHeaders=host, Signature=x"},
                     {"x-amz-date", kDate}}};
  EXPECT_EQ(ParseAuthorization(bad_scope).status().code(), Status::Code::kInvalidArgument);
  Request no_date{"GET", "/", {},
                  {{"authorization", "AWS4-HMAC-SHA256 Credential=A/20130524/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=x"}}};
  EXPECT_EQ(ParseAuthorization(no_date).status().code(), Status::Code::kInvalidArgument);
}

TEST(SigV4, UriEncoding) {
  EXPECT_EQ(UriEncode("a b/c~d", true), "a%20b/c~d");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
}

}  // namespace
}  // namespace dcc::sigv4
