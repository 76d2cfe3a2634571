#include "dcc/records_input.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/utf8.h"

namespace dcc {
using nlohmann::json;

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.push_back("");
  return out;
}

// Casts one cell by a property's subschema; the message says why not.
Result<json> Cast(const std::string& cell, const json& sub) {
  std::string type = sub.value("type", "string");
  if (type == "integer") {
    try {
      size_t used = 0;
      long long v = std::stoll(cell, &used);
      if (used == cell.size()) return json(v);
    } catch (...) {
    }
    return Status::InvalidArgument("'" + cell + "' is not an integer");
  }
  if (type == "number") {
    try {
      size_t used = 0;
      double v = std::stod(cell, &used);
      if (used == cell.size()) return json(v);
    } catch (...) {
    }
    return Status::InvalidArgument("'" + cell + "' is not a number");
  }
  if (type == "boolean") {
    std::string l = cell;
    std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (l == "true") return json(true);
    if (l == "false") return json(false);
    return Status::InvalidArgument("'" + cell + "' is not true or false");
  }
  if (type == "object" || (type == "array" && sub.contains("items") && sub["items"].value("type", "") == "object")) {
    json v = json::parse(cell, nullptr, false);
    if (v.is_discarded() || (type == "object" && !v.is_object()) || (type == "array" && !v.is_array()))
      return Status::InvalidArgument("'" + cell.substr(0, 60) + "' is not a JSON " + type);
    return v;
  }
  if (type == "array") {
    std::string inner = Trim(cell);
    if (inner.size() >= 2 && inner.front() == '[' && inner.back() == ']') inner = inner.substr(1, inner.size() - 2);
    json out = json::array();
    const json items = sub.value("items", json::object());
    for (const auto& part : Split(inner, ',')) {
      std::string item = Trim(part);
      if (item.size() >= 2 && (item.front() == '"' || item.front() == '\'') && item.back() == item.front())
        item = item.substr(1, item.size() - 2);
      if (item.empty()) continue;
      DCC_ASSIGN_OR_RETURN(json v, Cast(item, items));
      out.push_back(std::move(v));
    }
    return out;
  }
  return json(cell);
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("cannot read the input file", path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "file:line:col" (TSV line and column) for a cell or column name that is not UTF-8.
Status::Detail Utf8Detail(const std::string& path, int line, size_t col, const Utf8Error& bad,
                          const char* within) {
  return {path + ":" + std::to_string(line) + ":" + std::to_string(col),
          "invalid UTF-8 at byte " + std::to_string(bad.offset + 1) + " of " + within + " (" + bad.reason + ")"};
}

// Every invalid sequence of a JSON file, located by line and byte column. JSON input is
// refused whole when it has any: the parser cannot say where it is.
std::vector<Status::Detail> JsonUtf8Errors(const std::string& path, const std::string& text) {
  std::vector<Status::Detail> out;
  int line = 1;
  size_t line_start = 0, scanned = 0;
  for (size_t at = 0; at < text.size() && out.size() < 100;) {
    auto bad = FindInvalidUtf8(std::string_view(text).substr(at));
    if (!bad) break;
    const size_t pos = at + bad->offset;
    for (; scanned < pos; ++scanned)
      if (text[scanned] == '\n') ++line, line_start = scanned + 1;
    out.push_back({path + ":" + std::to_string(line) + ":" + std::to_string(pos - line_start + 1),
                   "invalid UTF-8 (" + bad->reason + ")"});
    at = pos + 1;
  }
  return out;
}

}  // namespace

Result<RecordsInput> ReadRecords(const std::string& path, const json& schema) {
  DCC_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  RecordsInput out;
  const json props = schema.value("properties", json::object());
  size_t start = text.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && (text[start] == '{' || text[start] == '[')) {
    out.errors = JsonUtf8Errors(path, text);
    if (!out.errors.empty()) return out;
    json doc = json::parse(text, nullptr, false);
    if (doc.is_discarded()) return Status::InvalidArgument("the input looks like JSON but does not parse", path);
    if (doc.is_object()) doc = json::array({doc});
    int i = 0;
    for (const auto& r : doc) {
      ++i;
      if (!r.is_object()) {
        out.errors.push_back({path + ":" + std::to_string(i), "record " + std::to_string(i) + " is not a JSON object"});
        out.bad_lines.push_back(i);
        continue;
      }
      out.records.push_back({i, r});
    }
    return out;
  }
  // TSV.
  std::istringstream in(text);
  std::string line;
  std::vector<std::string> header;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (Trim(line).empty() || line[0] == '#') continue;
    std::vector<std::string> cells = Split(line, '\t');
    // Every cell, sent or not, must be UTF-8: a cell becomes a JSON string, whose dump
    // threw (and aborted dcc) on anything else.
    bool bad_text = false;
    for (size_t c = 0; c < cells.size(); ++c) {
      if (auto bad = FindInvalidUtf8(cells[c])) {
        out.errors.push_back(Utf8Detail(path, line_no, c + 1, *bad, header.empty() ? "the column name" : "the cell"));
        bad_text = true;
      }
    }
    if (bad_text) {
      if (header.empty()) return out;  // no row can be read without the header
      out.bad_lines.push_back(line_no);
      continue;
    }
    if (header.empty()) {
      header = cells;
      for (size_t c = 0; c < header.size(); ++c) {
        std::string name = Trim(header[c]);
        header[c] = name;
        if (name.empty() || name[0] == '#' || name == "record_id") continue;
        if (!props.contains(name)) {
          out.errors.push_back({path + ":" + std::to_string(line_no) + ":" + std::to_string(c + 1),
                                "'" + name + "' is not a property of " + schema.value("title", "this profile")});
        }
      }
      if (!out.errors.empty()) return out;  // every row would fail the same way
      continue;
    }
    json record = json::object();
    bool bad = false;
    for (size_t c = 0; c < cells.size() && c < header.size(); ++c) {
      const std::string& name = header[c];
      std::string cell = Trim(cells[c]);
      if (name.empty() || name[0] == '#' || cell.empty()) continue;
      if (name == "record_id") {
        record["record_id"] = cell;
        continue;
      }
      auto v = Cast(cell, props[name]);
      if (!v.ok()) {
        out.errors.push_back({path + ":" + std::to_string(line_no) + ":" + std::to_string(c + 1),
                              name + ": " + v.status().message()});
        bad = true;
        continue;
      }
      record[name] = std::move(*v);
    }
    if (cells.size() > header.size()) {
      out.errors.push_back({path + ":" + std::to_string(line_no) + ":" + std::to_string(header.size() + 1),
                            "more cells than header columns"});
      bad = true;
    }
    if (bad) {
      out.bad_lines.push_back(line_no);
    } else {
      out.records.push_back({line_no, std::move(record)});
    }
  }
  return out;
}

}  // namespace dcc
