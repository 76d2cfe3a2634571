// src/common/md5_lanes.h: the md5 of many equal-length buffers at once, one per SIMD
// lane (16 with AVX-512). A single md5 is a chain of dependent steps that one core runs
// at ~780 MB/s; the parts of an S3 multipart ETag are independent, so sixteen of them
// hashed side by side cost a fraction of sixteen sequential md5s.
//
// Written by hand: OpenSSL exposes no multi-buffer md5, and ISA-L's crypto library (which
// has one) is not packaged by Debian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dcc {

// Up to this many buffers are hashed in one call.
constexpr size_t kMd5MaxLanes = 16;

// The raw (16-byte) md5 of each of `lanes` buffers of `len` bytes each, into out[i].
// Uses AVX-512 when the CPU has it, else one OpenSSL md5 per buffer. REQUIRES: lanes <=
// kMd5MaxLanes. Thread-safe.
void Md5Lanes(const unsigned char* const* data, size_t lanes, size_t len, unsigned char (*out)[16]);

// True if Md5Lanes runs on SIMD lanes on this CPU.
bool Md5LanesAccelerated();

// S3's multipart ETag ("<hex md5 of part md5s>-<parts>") of `size` bytes in memory (e.g. a
// mapped file) for `part_size` parts, with the parts hashed sixteen at a time.
// REQUIRES: part_size > 0 and size >= part_size.
std::string S3MultipartEtagOf(const unsigned char* data, uint64_t size, uint64_t part_size);

}  // namespace dcc
