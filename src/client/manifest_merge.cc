// Merging GUIDs into a metadata manifest: exact (hash map) and partial (Aho–Corasick).
#include "dcc/manifest_merge.h"

#include <algorithm>
#include <deque>
#include <fstream>
#include <unordered_map>

#include "dcc/manifest.h"

namespace dcc {

int AhoCorasick::Child(int s, unsigned char c) const {
  const auto& next = nodes_[s].next;
  auto it = std::lower_bound(next.begin(), next.end(), std::make_pair(c, 0));
  return it != next.end() && it->first == c ? it->second : -1;
}

int AhoCorasick::Step(int s, unsigned char c) const {
  for (;;) {
    int n = Child(s, c);
    if (n >= 0) return n;
    if (s == 0) return 0;
    s = nodes_[s].fail;
  }
}

int AhoCorasick::Add(std::string_view pattern) {
  if (pattern.empty()) return -1;
  int s = 0;
  for (unsigned char c : pattern) {
    int n = Child(s, c);
    if (n < 0) {
      n = static_cast<int>(nodes_.size());
      auto& next = nodes_[s].next;
      next.insert(std::lower_bound(next.begin(), next.end(), std::make_pair(c, 0)), {c, n});
      nodes_.emplace_back();
    }
    s = n;
  }
  if (nodes_[s].out < 0) nodes_[s].out = static_cast<int>(patterns_++);
  return nodes_[s].out;
}

void AhoCorasick::Build() {
  // Breadth first, so a node's failure target is finished before the node.
  std::deque<int> queue;
  for (const auto& [c, n] : nodes_[0].next) {
    nodes_[n].fail = 0;
    nodes_[n].dict = 0;
    queue.push_back(n);
  }
  while (!queue.empty()) {
    int s = queue.front();
    queue.pop_front();
    for (const auto& [c, n] : nodes_[s].next) {
      int f = Step(nodes_[s].fail, c);
      nodes_[n].fail = f;
      nodes_[n].dict = nodes_[f].out >= 0 ? f : nodes_[f].dict;
      queue.push_back(n);
    }
  }
}

namespace {

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int64_t> lines;
};

Result<Table> ReadAll(const std::string& path) {
  DCC_ASSIGN_OR_RETURN(auto reader, ManifestReader::Open(path));
  Table t;
  t.header = reader->header();
  std::vector<std::string> cells;
  int64_t line = 0;
  for (;;) {
    DCC_ASSIGN_OR_RETURN(bool more, reader->Next(cells, line));
    if (!more) break;
    t.rows.push_back(cells);
    t.lines.push_back(line);
  }
  return t;
}

int ColumnOf(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  for (size_t i = 0; i < header.size(); ++i)  // then by standard name (GUID, filename, ...)
    if (StandardManifestColumn(header[i]) == StandardManifestColumn(name)) return static_cast<int>(i);
  return -1;
}

}  // namespace

Result<MergeStats> MergeGuidsIntoMetadata(const std::string& indexing_path, const std::string& metadata_path,
                                          const std::string& output_path, const MergeOptions& o) {
  DCC_ASSIGN_OR_RETURN(Table indexing, ReadAll(indexing_path));
  DCC_ASSIGN_OR_RETURN(Table metadata, ReadAll(metadata_path));
  const int ikey = ColumnOf(indexing.header, o.indexing_key_column);
  const int iguid = ColumnOf(indexing.header, o.guid_column);
  const int mkey = ColumnOf(metadata.header, o.metadata_key_column);
  if (ikey < 0)
    return Status::InvalidArgument("the indexing manifest has no column '" + o.indexing_key_column +
                                       "' (set it with --indexing-key)", indexing_path);
  if (iguid < 0)
    return Status::InvalidArgument("the indexing manifest has no column '" + o.guid_column + "'", indexing_path);
  if (mkey < 0)
    return Status::InvalidArgument("the metadata manifest has no column '" + o.metadata_key_column +
                                       "' (set it with --metadata-key)", metadata_path);

  // matches[m] = the indexing rows of metadata row m.
  std::vector<std::vector<int>> matches(metadata.rows.size());
  if (!o.partial) {
    std::unordered_map<std::string, std::vector<int>> by_key;
    by_key.reserve(indexing.rows.size());
    for (size_t i = 0; i < indexing.rows.size(); ++i) by_key[indexing.rows[i][ikey]].push_back(static_cast<int>(i));
    for (size_t m = 0; m < metadata.rows.size(); ++m) {
      auto it = by_key.find(metadata.rows[m][mkey]);
      if (it != by_key.end()) matches[m] = it->second;
    }
  } else {
    AhoCorasick automaton;
    std::vector<std::vector<int>> rows_of_pattern;  // several metadata rows may share a key
    for (size_t m = 0; m < metadata.rows.size(); ++m) {
      int id = automaton.Add(metadata.rows[m][mkey]);
      if (id < 0) continue;
      if (static_cast<size_t>(id) >= rows_of_pattern.size()) rows_of_pattern.resize(id + 1);
      rows_of_pattern[id].push_back(static_cast<int>(m));
    }
    automaton.Build();
    for (size_t i = 0; i < indexing.rows.size(); ++i) {
      automaton.Scan(indexing.rows[i][ikey], [&](int id) {
        for (int m : rows_of_pattern[id]) {
          auto& list = matches[m];
          if (list.empty() || list.back() != static_cast<int>(i)) list.push_back(static_cast<int>(i));
        }
      });
    }
  }

  std::ofstream out(output_path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::IOError("cannot write the merged manifest", output_path);
  std::vector<std::string> header = {"guid"};
  header.insert(header.end(), metadata.header.begin(), metadata.header.end());
  std::vector<int> extra;
  if (o.include_indexing_columns) {
    for (size_t c = 0; c < indexing.header.size(); ++c) {
      if (static_cast<int>(c) == iguid) continue;
      extra.push_back(static_cast<int>(c));
      header.push_back(indexing.header[c]);
    }
  }
  std::string buffer;
  AppendManifestRow(buffer, header, o.output_delimiter);
  MergeStats stats;
  stats.metadata_rows = static_cast<int64_t>(metadata.rows.size());
  stats.indexing_rows = static_cast<int64_t>(indexing.rows.size());
  std::vector<std::string> row;
  for (size_t m = 0; m < metadata.rows.size(); ++m) {
    if (matches[m].empty()) {
      ++stats.unmatched_rows;
      if (stats.unmatched.size() < 100)
        stats.unmatched.push_back({metadata_path + ":" + std::to_string(metadata.lines[m]),
                                   "no GUID for key '" + metadata.rows[m][mkey] + "'"});
      continue;
    }
    for (int i : matches[m]) {
      row.clear();
      row.push_back(indexing.rows[i][iguid]);
      row.insert(row.end(), metadata.rows[m].begin(), metadata.rows[m].end());
      for (int c : extra) row.push_back(indexing.rows[i][c]);
      AppendManifestRow(buffer, row, o.output_delimiter);
      ++stats.output_rows;
    }
    if (buffer.size() > (1 << 20)) {
      out << buffer;
      buffer.clear();
    }
  }
  out << buffer;
  out.close();
  if (!out) return Status::IOError("cannot write the merged manifest", output_path);
  return stats;
}

}  // namespace dcc
