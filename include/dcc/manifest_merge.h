// include/dcc/manifest_merge.h: putting GUIDs from an indexing manifest into a metadata
// manifest (gen3sdk merge_guids_into_metadata, gen3.md §5.11), in linear time.
//
// Exact: a metadata row's key equals an indexing row's key (hash map).
// Partial: a metadata row's key occurs inside an indexing row's key (say a sample id inside
// a URL). An Aho–Corasick automaton over all metadata keys is run once across every
// indexing key, so the work is O(total key length + matches) instead of the reference's
// O(n·m) substring tests; and, unlike the reference, one metadata row may match many GUIDs
// and one indexing row many metadata rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dcc/status.h"

namespace dcc {

// A set of patterns, then every (pattern, end position) found in a text. Thread-safe for
// concurrent Scan calls once built.
class AhoCorasick {
 public:
  // Adds a pattern and returns its id (0, 1, 2, ... for distinct patterns; a pattern added
  // again gets its first id). Empty patterns never match. REQUIRES: Build() not yet called.
  int Add(std::string_view pattern);
  // Computes failure and output links. Call once, after the last Add.
  void Build();
  // Calls on_match(pattern_id) once for every occurrence of every pattern in `text`.
  template <typename F>
  void Scan(std::string_view text, F&& on_match) const {
    int s = 0;
    for (unsigned char c : text) {
      s = Step(s, c);
      for (int o = nodes_[s].out >= 0 ? s : nodes_[s].dict; o > 0; o = nodes_[o].dict)
        on_match(nodes_[o].out);
    }
  }
  size_t patterns() const { return patterns_; }

 private:
  struct Node {
    std::vector<std::pair<unsigned char, int>> next;  // sorted edges (small alphabets per node)
    int fail = 0;
    int out = -1;   // the pattern ending here, or -1
    int dict = 0;   // nearest node on the failure chain with out >= 0 (0: none)
  };
  int Child(int s, unsigned char c) const;
  int Step(int s, unsigned char c) const;

  std::vector<Node> nodes_ = std::vector<Node>(1);
  size_t patterns_ = 0;
};

struct MergeOptions {
  std::string metadata_key_column = "submitted_sample_id";  // the reference's row_column_name
  std::string indexing_key_column = "sample_id";            // indexing_manifest_column_name
  std::string guid_column = "guid";                         // in the indexing manifest
  bool partial = false;                                     // substring match (Aho–Corasick)
  bool include_indexing_columns = true;  // append the indexing row's other columns
  char output_delimiter = '\t';          // the reference writes TSV
};

struct MergeStats {
  int64_t metadata_rows = 0;
  int64_t indexing_rows = 0;
  int64_t output_rows = 0;     // one per (metadata row, GUID) pair
  int64_t unmatched_rows = 0;  // metadata rows without a GUID (listed in `unmatched`)
  std::vector<Status::Detail> unmatched;  // "file:line", "no GUID for key 'x'" (first 100)
};

// Reads both manifests (CSV or TSV by extension) and writes `output`: header `guid`, the
// metadata columns, then (include_indexing_columns) the indexing columns other than guid,
// one row per match, in metadata-row order. InvalidArgument (with the file) if a key
// column is missing; IOError if a file cannot be read or written. Holds the indexing
// manifest's keys and rows in memory (and, for partial matching, the metadata keys).
Result<MergeStats> MergeGuidsIntoMetadata(const std::string& indexing_manifest, const std::string& metadata_manifest,
                                          const std::string& output, const MergeOptions& options);

}  // namespace dcc
