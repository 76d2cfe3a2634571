#include "server/http/byte_range.h"

#include <charconv>

namespace dcc::server {
namespace {

bool ParseU64(const std::string& s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Result<std::optional<ByteRange>> ParseByteRange(const std::string& header, uint64_t size) {
  if (header.empty()) return std::optional<ByteRange>();
  const Status bad = Status::InvalidArgument("unsatisfiable or unsupported Range '" + header +
                                                 "' for an object of " + std::to_string(size) + " bytes",
                                             "s3:InvalidRange");
  if (header.rfind("bytes=", 0) != 0) return bad;
  // Several ranges would need a multipart/byteranges body; RFC 9110 lets a server ignore
  // Range instead, so the whole object is the answer (200), never a wrong body.
  if (header.find(',') != std::string::npos) return std::optional<ByteRange>();
  std::string spec = header.substr(6);
  auto dash = spec.find('-');
  if (dash == std::string::npos) return bad;
  std::string a = spec.substr(0, dash), b = spec.substr(dash + 1);
  uint64_t first = 0, last = 0;
  if (a.empty()) {  // the last n bytes
    if (!ParseU64(b, &last) || last == 0 || size == 0) return bad;
    uint64_t n = std::min(last, size);
    return std::optional<ByteRange>(ByteRange{size - n, n});
  }
  if (!ParseU64(a, &first) || first >= size) return bad;
  if (b.empty()) return std::optional<ByteRange>(ByteRange{first, size - first});
  if (!ParseU64(b, &last) || last < first) return bad;
  last = std::min(last, size - 1);
  return std::optional<ByteRange>(ByteRange{first, last - first + 1});
}

}  // namespace dcc::server
