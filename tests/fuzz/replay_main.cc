// tests/fuzz/replay_main.cc: dcc_fuzz_replay TARGET PATH...: runs every file under the
// PATHs (files or directories) through TARGET's fuzz body, as libFuzzer would, without
// libFuzzer: the ctest that keeps every saved crash input (tests/fuzz/regressions/) and
// the seed corpus passing in the normal build. A crash fails the test; so does a target
// name that does not exist or no input at all.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "fuzz/fuzz_target.h"

namespace dcc::fuzz {
std::map<std::string, Entry>& Registry();
}

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  auto& targets = dcc::fuzz::Registry();
  if (argc < 3 || !targets.count(argv[1])) {
    std::fprintf(stderr, "usage: dcc_fuzz_replay TARGET PATH...\ntargets:");
    for (const auto& [name, entry] : targets) std::fprintf(stderr, " %s", name.c_str());
    std::fprintf(stderr, "\n");
    return 2;
  }
  dcc::fuzz::Entry entry = targets[argv[1]];
  std::vector<fs::path> inputs;
  for (int i = 2; i < argc; ++i) {
    std::error_code ec;
    if (fs::is_directory(argv[i], ec)) {
      for (const auto& e : fs::recursive_directory_iterator(argv[i]))
        if (e.is_regular_file()) inputs.push_back(e.path());
    } else if (fs::is_regular_file(argv[i], ec)) {
      inputs.push_back(argv[i]);
    }
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "dcc_fuzz_replay: no input files under the given paths\n");
    return 2;
  }
  for (const auto& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::printf("%s: %s (%zu bytes)\n", argv[1], p.c_str(), bytes.size());
    std::fflush(stdout);
    entry(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("%s: %zu inputs replayed\n", argv[1], inputs.size());
  return 0;
}
