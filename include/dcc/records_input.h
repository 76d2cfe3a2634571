// include/dcc/records_input.h: reading records to submit from a file, as eu_register
// reads them (encode.md §1.13), checked against the profile's schema before anything is
// sent.
//
// JSON: an object or an array of objects. TSV: a header line of property names, then one
// record per line. In TSV, lines and columns starting with '#' are skipped, empty cells
// are left out, and cells are cast by the schema: integer, number, boolean (true/false),
// arrays (comma-separated, with or without [ ]), and JSON for objects and arrays of
// objects. `record_id` names the record a row patches.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/status.h"

namespace dcc {

struct InputRecord {
  int line = 0;  // 1-based line (TSV) or array index + 1 (JSON)
  nlohmann::json record;
};

struct RecordsInput {
  std::vector<InputRecord> records;   // the rows that read cleanly
  std::vector<Status::Detail> errors; // every bad cell, where = "file:line:col"
  std::vector<int> bad_lines;         // lines with at least one error
};

// `schema` is the profile's schema (Client::Schema). Fails only when the file cannot be
// read or is not JSON/TSV at all; problems with cells are listed in `errors`.
Result<RecordsInput> ReadRecords(const std::string& path, const nlohmann::json& schema);

}  // namespace dcc
