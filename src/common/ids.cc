#include "common/ids.h"

#include <sodium.h>

#include <cctype>
#include <cstdio>

namespace dcc {
namespace {

bool IsHex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

}  // namespace

std::string NewUuid4() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0],
                b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                b[14], b[15]);
  return out;
}

bool LooksLikeUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

std::string NewAccession(std::string_view prefix, std::string_view type_code) {
  std::string out;
  out.reserve(prefix.size() + type_code.size() + 6);
  out.append(prefix).append(type_code);
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>('0' + randombytes_uniform(10)));
  for (int i = 0; i < 3; ++i) out.push_back(static_cast<char>('A' + randombytes_uniform(26)));
  return out;
}

bool LooksLikeAccession(std::string_view s) {
  // prefix (2-5 upper) + code (2 upper) + 3 digits + 3 [A-Z0-9]
  if (s.size() < 10 || s.size() > 13) return false;
  size_t letters = s.size() - 6;
  for (size_t i = 0; i < letters; ++i)
    if (!std::isupper(static_cast<unsigned char>(s[i]))) return false;
  for (size_t i = letters; i < letters + 3; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  for (size_t i = letters + 3; i < s.size(); ++i)
    if (!std::isupper(static_cast<unsigned char>(s[i])) &&
        !std::isdigit(static_cast<unsigned char>(s[i])))
      return false;
  return true;
}

std::string Base32Encode(const unsigned char* data, size_t len, bool upper) {
  const char* alphabet = upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" : "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  unsigned buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < len; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(alphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(alphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::string NewAccessKeyId() {
  unsigned char b[5];
  randombytes_buf(b, sizeof b);
  return Base32Encode(b, sizeof b, /*upper=*/true);
}

std::string NewSecretAccessKey() {
  unsigned char b[10];
  randombytes_buf(b, sizeof b);
  return Base32Encode(b, sizeof b, /*upper=*/false);
}

std::string NewRequestId() {
  unsigned char b[12];
  randombytes_buf(b, sizeof b);
  return Base32Encode(b, sizeof b, /*upper=*/false);
}

}  // namespace dcc
