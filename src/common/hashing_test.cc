#include "common/hashing.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace dcc {
namespace {

Digests HashAll(const std::string& s, uint64_t part_size = 8u << 20) {
  MultiHasher h(part_size);
  h.Update(s.data(), s.size());
  return h.Finish();
}

TEST(MultiHasher, KnownVectors) {
  Digests d = HashAll("123456789");
  EXPECT_EQ(d.size, 9u);
  EXPECT_EQ(d.md5, "25f9e794323b453885f5181f1b624d0b");
  EXPECT_EQ(d.sha1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441");
  EXPECT_EQ(d.sha256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
  EXPECT_EQ(d.crc32c, 0xe3069283u);  // the CRC-32C check value
  EXPECT_EQ(Crc32cBase64(d.crc32c), "4waSgw==");
}

TEST(MultiHasher, EmptyInput) {
  Digests d = HashAll("");
  EXPECT_EQ(d.md5, "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(d.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(d.crc32c, 0u);
  EXPECT_EQ(d.s3_multipart_etag, "");
}

TEST(MultiHasher, SplitUpdatesEqualOneUpdate) {
  std::mt19937 rng(42);
  std::string data(3 * 1000 * 1000 + 17, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  Digests whole = HashAll(data, 1000 * 1000);
  MultiHasher h(1000 * 1000);
  for (size_t off = 0; off < data.size(); off += 4099)
    h.Update(data.data() + off, std::min<size_t>(4099, data.size() - off));
  Digests split = h.Finish();
  EXPECT_EQ(whole.md5, split.md5);
  EXPECT_EQ(whole.sha1, split.sha1);
  EXPECT_EQ(whole.sha256, split.sha256);
  EXPECT_EQ(whole.crc32c, split.crc32c);
  EXPECT_EQ(whole.s3_multipart_etag, split.s3_multipart_etag);
}

TEST(MultiHasher, MultipartEtagIsMd5OfPartMd5s) {
  std::string data(2500, 'x');
  Digests d = HashAll(data, 1000);  // parts of 1000, 1000, 500
  std::string parts = Md5Raw(data.data(), 1000) + Md5Raw(data.data() + 1000, 1000) +
                      Md5Raw(data.data() + 2000, 500);
  std::string md5_of_parts = Md5Raw(parts.data(), parts.size());
  EXPECT_EQ(d.s3_multipart_etag,
            ToHex(reinterpret_cast<const unsigned char*>(md5_of_parts.data()), 16) + "-3");
  // Exactly one part's worth still counts as one part.
  EXPECT_EQ(HashAll(std::string(1000, 'x'), 1000).s3_multipart_etag.substr(33), "1");
}

TEST(MultiHasher, TwoLanesGiveTheSameDigests) {
  std::mt19937 rng(7);
  std::string data(5 * 1000 * 1000 + 3, '\0');
  for (auto& c : data) c = static_cast<char>(rng());
  MultiHasher one(MultiHasher::Options{1000 * 1000, 1});
  MultiHasher two(MultiHasher::Options{1000 * 1000, 2});
  for (size_t off = 0; off < data.size(); off += 300000) {
    size_t n = std::min<size_t>(300000, data.size() - off);
    one.Update(data.data() + off, n);
    two.Update(data.data() + off, n);
  }
  Digests a = one.Finish(), b = two.Finish();
  EXPECT_EQ(a.md5, b.md5);
  EXPECT_EQ(a.sha1, b.sha1);
  EXPECT_EQ(a.sha256, b.sha256);
  EXPECT_EQ(a.crc32c, b.crc32c);
  EXPECT_EQ(a.s3_multipart_etag, b.s3_multipart_etag);
  EXPECT_FALSE(a.s3_multipart_etag.empty());
}

TEST(MultiHasher, NoPartSizeMeansNoMultipartEtag) {
  MultiHasher h;
  h.Update("abc", 3);
  EXPECT_EQ(h.Finish().s3_multipart_etag, "");
}

TEST(Encoding, HexAndBase64) {
  EXPECT_EQ(HexToBase64("25f9e794323b453885f5181f1b624d0b"), "JfnnlDI7RTiF9RgfG2JNCw==");
  EXPECT_EQ(HexToBase64("not hex"), "");
  EXPECT_EQ(HexToBase64("abc"), "");
}

}  // namespace
}  // namespace dcc
