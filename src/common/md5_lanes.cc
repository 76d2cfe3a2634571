#include "common/md5_lanes.h"

// GCC 12's AVX-512 headers build vectors from _mm512_undefined_*, which trips its own
// -Wmaybe-uninitialized inside the intrinsics (a known false positive).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "common/hashing.h"

namespace dcc {
namespace {

constexpr uint32_t kK[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};
constexpr int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                            5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
constexpr uint32_t kInit[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};

void Md5OneByOne(const unsigned char* const* data, size_t lanes, size_t len, unsigned char (*out)[16]) {
  for (size_t i = 0; i < lanes; ++i) {
    std::string raw = Md5Raw(data[i], len);
    std::memcpy(out[i], raw.data(), 16);
  }
}

// The 16-lane kernel. Lane i reads block `b` of its buffer at ptr[i] + 64*b. The round
// functions are single vpternlogd instructions (F = b?c:d is 0xca, G = d?b:c is 0xe4,
// H = b^c^d is 0x96, I = c^(b|~d) is 0x39) and rotations are vprold.
__attribute__((target("avx512f"))) void Md5Blocks16(const unsigned char* const* ptr, size_t blocks,
                                                    __m512i state[4]) {
  // Gather indices: the lanes' base addresses, as 64-bit offsets from address 0, in two
  // halves of eight (a 32-bit index could not reach buffers more than 2 GiB apart).
  __m512i lo = _mm512_set_epi64(
      (long long)ptr[7], (long long)ptr[6], (long long)ptr[5], (long long)ptr[4], (long long)ptr[3],
      (long long)ptr[2], (long long)ptr[1], (long long)ptr[0]);
  __m512i hi = _mm512_set_epi64(
      (long long)ptr[15], (long long)ptr[14], (long long)ptr[13], (long long)ptr[12],
      (long long)ptr[11], (long long)ptr[10], (long long)ptr[9], (long long)ptr[8]);
  __m512i a = state[0], b = state[1], c = state[2], d = state[3];
  for (size_t blk = 0; blk < blocks; ++blk) {
    __m512i m[16];
    for (int w = 0; w < 16; ++w) {
      __m256i l = _mm512_i64gather_epi32(lo, nullptr, 1);
      __m256i h = _mm512_i64gather_epi32(hi, nullptr, 1);
      m[w] = _mm512_inserti64x4(_mm512_castsi256_si512(l), h, 1);
      __m512i four = _mm512_set1_epi64(4);
      lo = _mm512_add_epi64(lo, four);
      hi = _mm512_add_epi64(hi, four);
    }
    __m512i aa = a, bb = b, cc = c, dd = d;
#define DCC_MD5_STEP(IMM, G, I)                                                              \
  {                                                                                          \
    __m512i f = _mm512_ternarylogic_epi32(b, c, d, IMM);                                     \
    __m512i t = _mm512_add_epi32(_mm512_add_epi32(a, f),                                     \
                                 _mm512_add_epi32(m[G], _mm512_set1_epi32((int)kK[I])));     \
    t = _mm512_add_epi32(b, _mm512_rolv_epi32(t, _mm512_set1_epi32(kShift[I])));             \
    a = d;                                                                                   \
    d = c;                                                                                   \
    c = b;                                                                                   \
    b = t;                                                                                   \
  }
    for (int i = 0; i < 16; ++i) DCC_MD5_STEP(0xca, i, i)
    for (int i = 16; i < 32; ++i) DCC_MD5_STEP(0xe4, (5 * i + 1) & 15, i)
    for (int i = 32; i < 48; ++i) DCC_MD5_STEP(0x96, (3 * i + 5) & 15, i)
    for (int i = 48; i < 64; ++i) DCC_MD5_STEP(0x39, (7 * i) & 15, i)
#undef DCC_MD5_STEP
    a = _mm512_add_epi32(a, aa);
    b = _mm512_add_epi32(b, bb);
    c = _mm512_add_epi32(c, cc);
    d = _mm512_add_epi32(d, dd);
  }
  state[0] = a;
  state[1] = b;
  state[2] = c;
  state[3] = d;
}

__attribute__((target("avx512f"))) void Md5Lanes16(const unsigned char* const* data, size_t lanes,
                                                   size_t len, unsigned char (*out)[16]) {
  // Unused lanes hash a copy of lane 0 and are dropped.
  const unsigned char* ptr[kMd5MaxLanes];
  for (size_t i = 0; i < kMd5MaxLanes; ++i) ptr[i] = data[i < lanes ? i : 0];
  __m512i state[4];
  for (int k = 0; k < 4; ++k) state[k] = _mm512_set1_epi32((int)kInit[k]);
  const size_t full = len / 64;
  Md5Blocks16(ptr, full, state);
  // The padding: the tail, 0x80, zeros, and the bit length; one or two blocks, the same
  // shape in every lane because the lengths are equal.
  const size_t rest = len % 64;
  const size_t tail_blocks = rest < 56 ? 1 : 2;
  std::vector<unsigned char> tails(kMd5MaxLanes * 128, 0);
  const uint64_t bits = static_cast<uint64_t>(len) * 8;
  for (size_t i = 0; i < kMd5MaxLanes; ++i) {
    unsigned char* t = &tails[i * 128];
    if (rest) std::memcpy(t, ptr[i] + full * 64, rest);  // ptr[i] may be null when len is 0
    t[rest] = 0x80;
    for (int k = 0; k < 8; ++k) t[tail_blocks * 64 - 8 + k] = static_cast<unsigned char>(bits >> (8 * k));
    ptr[i] = t;
  }
  Md5Blocks16(ptr, tail_blocks, state);
  alignas(64) uint32_t words[4][16];
  for (int k = 0; k < 4; ++k) _mm512_store_si512(words[k], state[k]);
  for (size_t i = 0; i < lanes; ++i) {
    for (int k = 0; k < 4; ++k) {
      for (int byte = 0; byte < 4; ++byte) out[i][k * 4 + byte] = static_cast<unsigned char>(words[k][i] >> (8 * byte));
    }
  }
}

}  // namespace

bool Md5LanesAccelerated() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

void Md5Lanes(const unsigned char* const* data, size_t lanes, size_t len, unsigned char (*out)[16]) {
  if (lanes == 0) return;
  if (Md5LanesAccelerated() && lanes > 1) {
    Md5Lanes16(data, lanes, len, out);
  } else {
    Md5OneByOne(data, lanes, len, out);
  }
}

std::string S3MultipartEtagOf(const unsigned char* data, uint64_t size, uint64_t part_size) {
  const uint64_t parts = (size + part_size - 1) / part_size;
  const uint64_t whole = size / part_size;  // parts of exactly part_size bytes
  std::string part_md5s;
  part_md5s.reserve(parts * 16);
  unsigned char out[kMd5MaxLanes][16];
  for (uint64_t first = 0; first < whole; first += kMd5MaxLanes) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kMd5MaxLanes, whole - first));
    const unsigned char* ptr[kMd5MaxLanes];
    for (size_t i = 0; i < n; ++i) ptr[i] = data + (first + i) * part_size;
    Md5Lanes(ptr, n, static_cast<size_t>(part_size), out);
    for (size_t i = 0; i < n; ++i) part_md5s.append(reinterpret_cast<char*>(out[i]), 16);
  }
  if (parts > whole) part_md5s += Md5Raw(data + whole * part_size, static_cast<size_t>(size - whole * part_size));
  std::string top = Md5Raw(part_md5s.data(), part_md5s.size());
  return ToHex(reinterpret_cast<const unsigned char*>(top.data()), 16) + "-" + std::to_string(parts);
}

}  // namespace dcc
