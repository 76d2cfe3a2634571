// Fuzz target: Gen3 manifests (client/manifest): the CSV/TSV reader (quotes, BOM, ragged
// rows), the column names, each row read as a file and its list cells. The first byte
// picks the delimiter.
#include "dcc/manifest.h"

#include "fuzz/fuzz_target.h"

DCC_FUZZ_TARGET(manifest) {
  char delimiter = size && data[0] % 2 ? '\t' : ',';
  if (size) ++data, --size;
  std::string path = dcc::fuzz::WriteScratch("manifest.txt", data, size);
  auto reader = dcc::ManifestReader::Open(path, delimiter);
  if (!reader.ok()) return 0;
  auto columns = dcc::ManifestColumns::Of(**reader);
  std::vector<std::string> cells;
  int64_t line = 0;
  for (int rows = 0; rows < 10000; ++rows) {
    auto more = (*reader)->Next(cells, line);
    if (!more.ok() || !*more) break;
    (void)dcc::ReadManifestFile(cells, columns, path + ":" + std::to_string(line));
    for (const auto& cell : cells) {
      (void)dcc::ParseManifestList(cell, dcc::ManifestList::kUrls);
      (void)dcc::ParseManifestList(cell, dcc::ManifestList::kAuthz);
    }
  }
  return 0;
}
