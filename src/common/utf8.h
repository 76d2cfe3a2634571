// src/common/utf8.h: where a byte string stops being UTF-8. Text from outside (query
// strings, TSV cells, manifest cells) is checked with it before it reaches a JSON value,
// whose dump would throw on invalid UTF-8 (issue 9, items 5 and 16).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dcc {

struct Utf8Error {
  size_t offset = 0;   // byte offset of the first byte of the bad sequence
  std::string reason;  // e.g. "isolated byte with 0x80 bit set"
};

// The first invalid sequence in `s` (checked by PCRE2's UTF-8 validator), or nullopt.
std::optional<Utf8Error> FindInvalidUtf8(std::string_view s);

}  // namespace dcc
