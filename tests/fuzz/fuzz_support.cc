// tests/fuzz/fuzz_support.cc: what the fuzz targets share (see fuzz_target.h).
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "fuzz/fuzz_target.h"

namespace dcc::fuzz {

std::map<std::string, Entry>& Registry() {
  static std::map<std::string, Entry> targets;
  return targets;
}

Registration::Registration(const char* name, Entry entry) { Registry()[name] = entry; }

std::string SourceDir() {
  const char* env = std::getenv("DCC_SOURCE_DIR");
  return env && *env ? env : DCC_SOURCE_DIR;
}

const std::string& ScratchDir() {
  // Never destroyed: the atexit hook runs after the static destructors, which would have
  // freed a plain static string (ASan: heap-use-after-free at exit).
  static const std::string* dir = [] {
    auto d = new std::string(
        (std::filesystem::temp_directory_path() / ("dcc-fuzz-" + std::to_string(::getpid())))
            .string());
    std::filesystem::create_directories(*d);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(ScratchDir(), ec);
    });
    return d;
  }();
  return *dir;
}

std::string WriteScratch(const std::string& name, const uint8_t* data, size_t size) {
  std::string path = ScratchDir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

std::vector<std::pair<std::string, std::string>> SplitQuery(const std::string& text) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t amp = text.find('&', start);
    std::string pair =
        text.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty()) {
      size_t eq = pair.find('=');
      out.emplace_back(pair.substr(0, eq),
                       eq == std::string::npos ? std::string() : pair.substr(eq + 1));
    }
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

}  // namespace dcc::fuzz
