// tests/fuzz/fuzz_target.h: one fuzz target per parser of outside bytes. A target file
// says DCC_FUZZ_TARGET(name) { ... } once. Built with DCC_FUZZ_LIBFUZZER (the libFuzzer
// build, -DDCC_FUZZ=ON) that body is LLVMFuzzerTestOneInput; in the normal build it
// registers with dcc_fuzz_replay, which runs the same body over saved inputs (ctest fuzz/*).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace dcc::fuzz {

using Entry = int (*)(const uint8_t* data, size_t size);
struct Registration {
  Registration(const char* name, Entry entry);
};

// The directory that holds profiles/ (the source tree).
std::string SourceDir();
// A directory for this process's scratch files, removed at exit.
const std::string& ScratchDir();
// Writes `data` to ScratchDir()/name and returns the path.
std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size);
// "a=b&c&d=e" as received: split on '&' and the first '=', not decoded (the fuzzer
// reaches any byte anyway).
std::vector<std::pair<std::string, std::string>> SplitQuery(const std::string& text);

}  // namespace dcc::fuzz

#define DCC_FUZZ_CAT2(a, b) a##b
#define DCC_FUZZ_CAT(a, b) DCC_FUZZ_CAT2(a, b)
#ifdef DCC_FUZZ_LIBFUZZER
#define DCC_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#else
#define DCC_FUZZ_TARGET(name)                                                \
  static int DCC_FUZZ_CAT(FuzzOne_, name)(const uint8_t* data, size_t size); \
  static ::dcc::fuzz::Registration DCC_FUZZ_CAT(fuzz_registration_, name)(   \
      #name, DCC_FUZZ_CAT(FuzzOne_, name));                                  \
  static int DCC_FUZZ_CAT(FuzzOne_, name)(const uint8_t* data, size_t size)
#endif
