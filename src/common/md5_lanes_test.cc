#include "common/md5_lanes.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "common/hashing.h"

namespace dcc {
namespace {

std::vector<unsigned char> RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<unsigned char> v(n);
  for (auto& b : v) b = static_cast<unsigned char>(rng());
  return v;
}

// Every lane count and the lengths around the padding boundaries (55/56 bytes left in the
// last block decide between one and two padding blocks) must equal OpenSSL's md5.
TEST(Md5Lanes, EqualsOpenSslForEveryLaneCountAndPaddingCase) {
  const size_t lengths[] = {0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 65536 + 7};
  for (size_t len : lengths) {
    std::vector<std::vector<unsigned char>> bufs;
    for (size_t i = 0; i < kMd5MaxLanes; ++i) bufs.push_back(RandomBytes(len, static_cast<unsigned>(len * 31 + i)));
    for (size_t lanes = 1; lanes <= kMd5MaxLanes; ++lanes) {
      const unsigned char* ptr[kMd5MaxLanes];
      for (size_t i = 0; i < lanes; ++i) ptr[i] = bufs[i].data();
      unsigned char out[kMd5MaxLanes][16];
      Md5Lanes(ptr, lanes, len, out);
      for (size_t i = 0; i < lanes; ++i) {
        std::string want = Md5Raw(bufs[i].data(), len);
        ASSERT_EQ(ToHex(out[i], 16), ToHex(reinterpret_cast<const unsigned char*>(want.data()), 16))
            << "len " << len << " lanes " << lanes << " lane " << i;
      }
    }
  }
}

// The mapped-file ETag equals the streaming hasher's, with a short last part and without.
TEST(Md5Lanes, MultipartEtagEqualsStreamingHasher) {
  const uint64_t part = 4096;
  for (uint64_t size : {part, part * 17, part * 17 + 5, part * 40 - 1}) {
    auto data = RandomBytes(size, static_cast<unsigned>(size));
    MultiHasher h(part);
    h.Update(data.data(), data.size());
    EXPECT_EQ(S3MultipartEtagOf(data.data(), size, part), h.Finish().s3_multipart_etag) << size;
  }
}

}  // namespace
}  // namespace dcc
