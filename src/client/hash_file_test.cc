#include "dcc/hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "common/hashing.h"

namespace dcc {
namespace {

TEST(HashFile, MatchesKnownDigestsAndReportsProgress) {
  std::string path = "/tmp/dcc-hash-test-" + std::to_string(getpid());
  std::ofstream(path) << "123456789";
  HashOptions o;
  o.part_size = 4;
  uint64_t last = 0;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_EQ(total, 9u);
    last = done;
  };
  auto d = HashFile(path, o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size, 9u);
  EXPECT_EQ(d->md5, "25f9e794323b453885f5181f1b624d0b");
  EXPECT_EQ(d->sha256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
  EXPECT_EQ(d->crc32c, "4waSgw==");
  EXPECT_EQ(d->s3_etag.substr(33), "3");  // 4 + 4 + 1 bytes
  EXPECT_EQ(last, 9u);
  o.part_size = 0;
  EXPECT_EQ(HashFile(path, o)->s3_etag, "25f9e794323b453885f5181f1b624d0b");
  unlink(path.c_str());
}

// A regular file's ETag comes from the mapped, sixteen-lane path; it must equal the
// streaming hasher's over the same bytes.
TEST(HashFile, MappedMultipartEtagEqualsStreaming) {
  std::string path = "/tmp/dcc-hash-etag-test-" + std::to_string(getpid());
  std::string bytes;
  for (int i = 0; i < 40 * 4096 + 123; ++i) bytes.push_back(static_cast<char>((i * 2654435761u) >> 13));
  std::ofstream(path) << bytes;
  HashOptions o;
  o.part_size = 4096;
  auto d = HashFile(path, o);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  MultiHasher h(4096);
  h.Update(bytes.data(), bytes.size());
  EXPECT_EQ(d->s3_etag, h.Finish().s3_multipart_etag);
  EXPECT_EQ(d->s3_etag.substr(33), "41");
  unlink(path.c_str());
}

TEST(HashFile, ErrorsNameThePath) {
  auto missing = HashFile("/nonexistent/file.bam");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.status().where(), "/nonexistent/file.bam");
  auto dir = HashFile("/tmp");
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace dcc
