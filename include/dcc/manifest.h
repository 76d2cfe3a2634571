// include/dcc/manifest.h: Gen3 file manifests (gen3.md §5.6): a streaming CSV/TSV reader
// with the reference's column aliases and list-cell rules, a writer, and the file row that
// `dcc manifest index` and `verify` work on.
//
// Compatible with gen3sdk's reader, minus its bugs: multi-item authz/acl lists keep no
// trailing commas, and a plain comma-separated list ("a,b") is a list of two.
// Thread-safety: a ManifestReader/ManifestWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/status.h"

namespace dcc {

// The standard name of a manifest header, case-insensitively: "filename" -> "file_name",
// "md5sum" -> "md5", "s3_path" -> "urls", "acls" -> "acl", "GUID" -> "guid",
// "prev_id" -> "prev_guid", "filesize" -> "size", ... Any other header is returned
// unchanged (a metadata column).
std::string StandardManifestColumn(std::string_view header);

// '\t' for a path ending in ".tsv" (any case), ',' otherwise: the reference's rule.
char ManifestDelimiterFor(const std::string& path);

// Streams a manifest: a header line, then one row per record. RFC 4180 quoting as
// Python's csv module reads it (quoted cells may hold the delimiter, "" and newlines), a
// UTF-8 BOM is dropped, cells are trimmed, blank lines are skipped.
class ManifestReader {
 public:
  // delimiter 0: by extension. The path may be a named pipe (rows are handed out as they
  // arrive) or "-" for standard input (then comma-separated unless `delimiter` says).
  // NotFound/IOError with the path; InvalidArgument if the file has no header line.
  static Result<std::unique_ptr<ManifestReader>> Open(const std::string& path, char delimiter = 0);

  // The header cells as written (trimmed).
  const std::vector<std::string>& header() const { return header_; }
  // The index of the first column whose header's standard name is `standard`, or -1.
  int Find(std::string_view standard) const;
  char delimiter() const { return delimiter_; }
  const std::string& path() const { return path_; }

  // The next row into `cells` (resized to the header's width: missing cells are empty)
  // and its first line number (1-based, the header being line 1). Returns false at the
  // end. InvalidArgument "path:line: ..." for an unterminated quote or a row with more
  // cells than the header.
  Result<bool> Next(std::vector<std::string>& cells, int64_t& line);

  // Bytes read so far (for progress).
  int64_t bytes_read() const { return bytes_; }

 private:
  ManifestReader() = default;
 public:
  ~ManifestReader();
  ManifestReader(const ManifestReader&) = delete;
  ManifestReader& operator=(const ManifestReader&) = delete;

 private:
  // One raw record; false at EOF.
  Result<bool> ReadRecord(std::vector<std::string>& cells);
  int Get();

  int fd_ = -1;  // read(2), not an ifstream: a pipe's rows are seen as they arrive
  std::string path_;
  char delimiter_ = ',';
  std::vector<std::string> header_;
  std::vector<std::string> standard_;
  int64_t line_ = 0;  // lines consumed so far
  int64_t bytes_ = 0;
  std::vector<char> buf_;
  size_t pos_ = 0, end_ = 0;
};

// Writes CSV/TSV rows, quoting a cell only when it holds the delimiter, a quote or a
// newline (as Python's csv.writer with QUOTE_MINIMAL).
void AppendManifestRow(std::string& out, const std::vector<std::string>& cells, char delimiter);

// Which rule a list cell follows.
enum class ManifestList { kUrls, kAcl, kAuthz };

// A list cell: "a b", "['a', 'b']", "[a,b]", "a,b" and "a, b" all give {a, b}; quotes and
// Python's u'' prefix are dropped, %20 becomes a space, empty items vanish. For kAcl,
// "['open']" / "[u'open']" (any case) gives {"*"} as the reference does.
std::vector<std::string> ParseManifestList(std::string_view cell, ManifestList kind);

// The download format's list cell: sorted, space-joined, spaces inside items as %20.
std::string FormatManifestList(std::vector<std::string> items);

// The column positions of the standard fields in one reader's header (-1: absent).
struct ManifestColumns {
  int guid = -1, file_name = -1, size = -1, md5 = -1, acl = -1, urls = -1, authz = -1, prev_guid = -1;
  static ManifestColumns Of(const ManifestReader& reader);
};

// One file of an indexing or verification manifest.
struct ManifestFile {
  std::string guid;       // may be empty (the server mints one)
  std::string file_name;
  std::optional<int64_t> size;
  std::string md5;        // lowercase hex
  std::vector<std::string> urls, acl, authz;
  std::string prev_guid;  // a new version of this record
};

// Reads and checks one row: md5 must be 32 hex digits (uppercase is lowercased: indexd
// accepts lowercase only), size a non-negative integer, both present when `require_content`;
// a guid or prev_guid must end in a UUID (indexd's did pattern). InvalidArgument with
// `where` ("file:line") and every problem of the row in the message.
Result<ManifestFile> ReadManifestFile(const std::vector<std::string>& cells, const ManifestColumns& columns,
                                      const std::string& where, bool require_content = true);

// The POST /index/ (and /bulk/index) body for a file: size, hashes.md5, urls, acl, authz,
// file_name, form "object", and did when the row has a guid.
nlohmann::json IndexRecordOf(const ManifestFile& file);

// The download manifest's columns (gen3.md §5.8) and one record's row in them: lists
// formatted by FormatManifestList, size and file_name empty when null.
inline const std::vector<std::string>& DownloadManifestHeader() {
  static const std::vector<std::string> header = {"guid", "urls", "authz", "acl", "md5", "file_size", "file_name"};
  return header;
}
std::vector<std::string> DownloadRowOf(const nlohmann::json& record);

}  // namespace dcc
