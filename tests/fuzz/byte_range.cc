// Fuzz target: the Range header of downloads (server/http/byte_range). The first 8
// bytes are the object's size, the rest the header.
#include "server/http/byte_range.h"

#include <cstring>

#include "fuzz/fuzz_target.h"

DCC_FUZZ_TARGET(byte_range) {
  uint64_t size_value = 0;
  if (size >= sizeof size_value) {
    std::memcpy(&size_value, data, sizeof size_value);
    data += sizeof size_value;
    size -= sizeof size_value;
    size_value %= uint64_t{1} << 50;
  }
  auto r = dcc::server::ParseByteRange(std::string(reinterpret_cast<const char*>(data), size),
                                       size_value);
  if (r.ok() && r->has_value() && ((*r)->length == 0 || (*r)->offset + (*r)->length > size_value))
    __builtin_trap();
  return 0;
}
