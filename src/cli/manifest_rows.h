// src/cli/manifest_rows.h: the row loop the manifest commands share: every row after a
// resume point, malformed or refused rows reported as "file:line: why" and counted,
// the others handed on, until the end or until a commit asks to stop.
#pragma once

#include <atomic>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "dcc/manifest.h"

namespace dcc::cli {

// on_row(cells, line) takes a row; a failing Status makes it a bad row (its message,
// with its `where`, goes to `err`). on_bad(line), if given, hears of every bad row.
// Rows at or before `skip_through` are read and ignored. Returns the count of bad rows.
inline int64_t ForEachManifestRow(ManifestReader& reader, int64_t skip_through, const std::atomic<bool>& stop,
                                  std::ostream& err,
                                  const std::function<Status(std::vector<std::string>&, int64_t)>& on_row,
                                  const std::function<void(int64_t)>& on_bad = nullptr) {
  int64_t bad = 0;
  std::vector<std::string> cells;
  int64_t line = 0;
  for (;;) {
    auto more = reader.Next(cells, line);
    Status s;
    if (more.ok()) {
      if (!*more || stop) break;
      if (line <= skip_through) continue;  // done by an earlier run
      s = on_row(cells, line);
    } else {  // a malformed row: the reader goes on after it
      if (line <= skip_through) continue;
      s = more.status();
    }
    if (s.ok()) continue;
    err << (s.ToString() + "\n");
    ++bad;
    if (on_bad) on_bad(line);
  }
  return bad;
}

}  // namespace dcc::cli
