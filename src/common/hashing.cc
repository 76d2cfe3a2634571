#include "common/hashing.h"

#include <isa-l/crc.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace dcc {
namespace {

struct EvpFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using EvpCtx = std::unique_ptr<EVP_MD_CTX, EvpFree>;

EvpCtx NewCtx(const EVP_MD* md) {
  EvpCtx c(EVP_MD_CTX_new());
  if (!c || EVP_DigestInit_ex(c.get(), md, nullptr) != 1) throw std::runtime_error("EVP init failed");
  return c;
}

std::string FinalRaw(EVP_MD_CTX* c) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(c, out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string RawToHex(const std::string& raw) {
  return ToHex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

}  // namespace

struct MultiHasher::State {
  uint64_t part_size;  // 0: no multipart ETag
  bool md5_only = false;
  uint64_t size = 0;
  uint64_t in_part = 0;  // bytes of the current part hashed so far
  uint64_t parts = 0;    // completed parts
  EvpCtx md5 = NewCtx(EVP_md5());
  EvpCtx sha1 = NewCtx(EVP_sha1());
  EvpCtx sha256 = NewCtx(EVP_sha256());
  EvpCtx part_md5 = NewCtx(EVP_md5());
  EvpCtx md5_of_parts = NewCtx(EVP_md5());
  uint32_t crc = 0xffffffffu;  // ISA-L convention: seed all ones, invert at the end

  // The helper lane: sha1, sha256 and the part md5s of one buffer at a time.
  std::thread helper;
  std::mutex mu;
  std::condition_variable cv;
  const unsigned char* job = nullptr;
  size_t job_len = 0;
  bool job_done = true;
  bool stop = false;

  // The lanes carry about equal work: md5 + crc32c | sha1 + sha256 without the multipart
  // ETag, md5 + sha1 + crc32c | part md5s + sha256 with it (md5 costs as much as sha1 and
  // sha256 together where the CPU has SHA-NI).
  void HashSecondLane(const unsigned char* p, size_t len) {
    if (md5_only) return;
    if (part_size == 0) EVP_DigestUpdate(sha1.get(), p, len);
    EVP_DigestUpdate(sha256.get(), p, len);
    if (part_size == 0) return;
    // Multipart ETag: split the stream at part boundaries.
    while (len > 0) {
      if (in_part == part_size) ClosePart();
      size_t n = static_cast<size_t>(std::min<uint64_t>(len, part_size - in_part));
      EVP_DigestUpdate(part_md5.get(), p, n);
      in_part += n;
      p += n;
      len -= n;
    }
  }

  void HashFirstLane(const unsigned char* p, size_t len) {
    EVP_DigestUpdate(md5.get(), p, len);
    if (md5_only) return;
    if (part_size > 0) EVP_DigestUpdate(sha1.get(), p, len);
    // crc32_iscsi takes an int length; feed large buffers in slices.
    for (size_t off = 0; off < len;) {
      size_t n = std::min<size_t>(len - off, 1u << 30);
      crc = crc32_iscsi(const_cast<unsigned char*>(p + off), static_cast<int>(n), crc);
      off += n;
    }
  }

  void HelperLoop() {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [&] { return stop || !job_done; });
      if (stop) return;
      const unsigned char* p = job;
      size_t len = job_len;
      lock.unlock();
      HashSecondLane(p, len);
      lock.lock();
      job_done = true;
      cv.notify_all();
    }
  }

  void ClosePart() {
    std::string raw = FinalRaw(part_md5.get());
    EVP_DigestUpdate(md5_of_parts.get(), raw.data(), raw.size());
    EVP_DigestInit_ex(part_md5.get(), EVP_md5(), nullptr);
    ++parts;
    in_part = 0;
  }
};

MultiHasher::MultiHasher(Options options) : s_(std::make_unique<State>()) {
  s_->part_size = options.part_size;
  s_->md5_only = options.md5_only;
  if (options.lanes > 1 && !options.md5_only) s_->helper = std::thread([state = s_.get()] { state->HelperLoop(); });
}

MultiHasher::~MultiHasher() {
  if (s_->helper.joinable()) {
    {
      std::lock_guard lock(s_->mu);
      s_->stop = true;
    }
    s_->cv.notify_all();
    s_->helper.join();
  }
}

void MultiHasher::Update(const void* data, size_t len) {
  auto p = static_cast<const unsigned char*>(data);
  s_->size += len;
  constexpr size_t kWorthAHandoff = 256u << 10;
  if (!s_->helper.joinable() || len < kWorthAHandoff) {
    s_->HashFirstLane(p, len);
    s_->HashSecondLane(p, len);
    return;
  }
  {
    std::lock_guard lock(s_->mu);
    s_->job = p;
    s_->job_len = len;
    s_->job_done = false;
  }
  s_->cv.notify_all();
  s_->HashFirstLane(p, len);
  // The buffer belongs to the caller: wait until the helper is done with it.
  std::unique_lock lock(s_->mu);
  s_->cv.wait(lock, [&] { return s_->job_done; });
}

Digests MultiHasher::Finish() {
  Digests d;
  d.size = s_->size;
  d.md5 = RawToHex(FinalRaw(s_->md5.get()));
  if (!s_->md5_only) {
    d.sha1 = RawToHex(FinalRaw(s_->sha1.get()));
    d.sha256 = RawToHex(FinalRaw(s_->sha256.get()));
    d.crc32c = ~s_->crc;
  }
  if (s_->size > 0 && s_->part_size > 0) {
    if (s_->in_part > 0) s_->ClosePart();
    d.s3_multipart_etag =
        RawToHex(FinalRaw(s_->md5_of_parts.get())) + "-" + std::to_string(s_->parts);
  }
  return d;
}

std::string ToHex(const unsigned char* data, size_t len) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (size_t i = 0; i < len; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

std::string ToBase64(const unsigned char* data, size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

std::string HexToBase64(const std::string& hex) {
  std::string raw(hex.size() / 2, '\0');
  size_t len = 0;
  if (hex.size() % 2 != 0 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), hex.data(), hex.size(),
                     nullptr, &len, nullptr) != 0 ||
      len != raw.size()) {
    return {};
  }
  return ToBase64(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string Crc32cBase64(uint32_t crc) {
  unsigned char b[4] = {static_cast<unsigned char>(crc >> 24), static_cast<unsigned char>(crc >> 16),
                        static_cast<unsigned char>(crc >> 8), static_cast<unsigned char>(crc)};
  return ToBase64(b, 4);
}

std::string Md5Raw(const void* data, size_t len) {
  EvpCtx c = NewCtx(EVP_md5());
  EVP_DigestUpdate(c.get(), data, len);
  return FinalRaw(c.get());
}

}  // namespace dcc
