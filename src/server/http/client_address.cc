#include "server/http/client_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace dcc::server {
namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// The address as 16 bytes (v4 in the first 4), or false when it is not an address.
bool ParseAddress(const std::string& text, bool* v6, std::array<uint8_t, 16>* out) {
  out->fill(0);
  in_addr a4;
  if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
    *v6 = false;
    std::memcpy(out->data(), &a4, 4);
    return true;
  }
  in6_addr a6;
  if (inet_pton(AF_INET6, text.c_str(), &a6) != 1) return false;
  static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a6.s6_addr, kMapped, 12) == 0) {
    *v6 = false;
    std::memcpy(out->data(), a6.s6_addr + 12, 4);
    return true;
  }
  *v6 = true;
  std::memcpy(out->data(), a6.s6_addr, 16);
  return true;
}

}  // namespace

Result<Cidr> ParseCidr(const std::string& text, const char* flag) {
  Cidr c;
  std::string addr = text;
  auto slash = text.find('/');
  if (slash != std::string::npos) addr = text.substr(0, slash);
  if (!ParseAddress(addr, &c.v6, &c.bytes))
    return Status::InvalidArgument(
        "'" + text + "' is not an address or CIDR block, e.g. 10.0.0.0/8", flag);
  const int max = c.v6 ? 128 : 32;
  c.prefix = max;
  if (slash != std::string::npos) {
    std::string p = text.substr(slash + 1);
    if (p.empty() || p.size() > 3 || p.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(p) > max)
      return Status::InvalidArgument(
          "'" + text + "': the prefix length must be 0.." + std::to_string(max), flag);
    c.prefix = std::stoi(p);
  }
  return c;
}

bool CidrContains(const Cidr& block, const std::string& address) {
  bool v6 = false;
  std::array<uint8_t, 16> bytes;
  if (!ParseAddress(Trim(address), &v6, &bytes) || v6 != block.v6) return false;
  int bits = block.prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((bytes[i] & mask) != (block.bytes[i] & mask)) return false;
  }
  return true;
}

bool InAny(const std::vector<Cidr>& blocks, const std::string& address) {
  for (const Cidr& b : blocks)
    if (CidrContains(b, address)) return true;
  return false;
}

std::string ClientOf(const std::string& peer, const std::string& forwarded_for,
                     const std::vector<Cidr>& trusted) {
  if (trusted.empty() || !InAny(trusted, peer)) return peer;
  std::string client = peer;
  size_t end = forwarded_for.size();
  while (end > 0) {
    size_t comma = forwarded_for.rfind(',', end - 1);
    size_t start = comma == std::string::npos ? 0 : comma + 1;
    std::string hop = Trim(forwarded_for.substr(start, end - start));
    bool v6 = false;
    std::array<uint8_t, 16> bytes;
    if (!ParseAddress(hop, &v6, &bytes)) break;
    client = hop;
    if (!InAny(trusted, hop)) break;
    if (comma == std::string::npos) break;
    end = comma;
  }
  return client;
}

}  // namespace dcc::server
