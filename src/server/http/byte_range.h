// src/server/http/byte_range.h: the one Range header form clients send for downloads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "dcc/status.h"

namespace dcc::server {

struct ByteRange {
  uint64_t offset = 0;
  uint64_t length = 0;
};

// Parses "bytes=a-b", "bytes=a-" or "bytes=-n" against an object of `size` bytes.
// nullopt for an empty header or several ranges (the whole object, 200). InvalidArgument for anything else,
// or for a range that starts past the end (HTTP 416).
Result<std::optional<ByteRange>> ParseByteRange(const std::string& header, uint64_t size);

}  // namespace dcc::server
