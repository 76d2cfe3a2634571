// Fuzz target: the records a user hands `dcc register` (client/records_input): TSV with
// typed cells, or JSON, cast by the biosample profile's properties.
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "dcc/records_input.h"
#include "fuzz/fuzz_target.h"

DCC_FUZZ_TARGET(records_tsv) {
  static const nlohmann::json schema = [] {
    std::ifstream in(dcc::fuzz::SourceDir() + "/profiles/biosample.json");
    return nlohmann::json::parse(in);
  }();
  std::string path = dcc::fuzz::WriteScratch("records.tsv", data, size);
  auto r = dcc::ReadRecords(path, schema);
  if (r.ok())
    for (const auto& rec : r->records)
      (void)rec.record.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
