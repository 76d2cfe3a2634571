// Gen3 manifest reading and writing (gen3.md §5.6).
#include "dcc/manifest.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/utf8.h"

namespace dcc {
using nlohmann::json;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view TrimView(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// gen3/tools/utils.py's accepted headers, per standard key.
struct Alias {
  const char* standard;
  std::array<const char*, 6> names;
};
constexpr Alias kAliases[] = {
    {"guid", {"guid", nullptr}},
    {"file_name", {"filename", "file_name", nullptr}},
    {"size", {"size", "filesize", "file_size", "s3_file_size", "gs_file_size", nullptr}},
    {"md5", {"md5", "md5_hash", "md5hash", "hash", "md5sum", "file_md5sum"}},
    {"acl", {"acl", "acls", nullptr}},
    {"urls", {"url", "urls", "s3_path", "gs_path", "aws_uri", "gcp_uri"}},
    {"authz", {"authz", nullptr}},
    {"prev_guid", {"previous_guid", "prev_guid", "prev_id", nullptr}},
};

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// indexd's did pattern: any prefix, then a UUID.
bool EndsInUuid(std::string_view s) {
  if (s.size() < 36) return false;
  std::string_view u = s.substr(s.size() - 36);
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? u[i] != '-' : !std::isxdigit(static_cast<unsigned char>(u[i]))) return false;
  }
  return true;
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
}

// Every cell must be UTF-8: cells become JSON strings, whose dump throws on anything else.
Status CheckCellsUtf8(const std::vector<std::string>& cells, const std::string& path, int64_t line) {
  for (size_t i = 0; i < cells.size(); ++i)
    if (auto bad = FindInvalidUtf8(cells[i]))
      return Status::InvalidArgument("invalid UTF-8 at byte " + std::to_string(bad->offset + 1) + " of the cell (" +
                                         bad->reason + ")",
                                     path + ":" + std::to_string(line) + ":" + std::to_string(i + 1));
  return Status::Ok();
}

}  // namespace

std::string StandardManifestColumn(std::string_view header) {
  std::string lower = Lower(TrimView(header));
  for (const auto& a : kAliases)
    for (const char* n : a.names)
      if (n && lower == n) return a.standard;
  return std::string(TrimView(header));
}

char ManifestDelimiterFor(const std::string& path) {
  std::string lower = Lower(path);
  return lower.size() >= 4 && lower.compare(lower.size() - 4, 4, ".tsv") == 0 ? '\t' : ',';
}

Result<std::unique_ptr<ManifestReader>> ManifestReader::Open(const std::string& path, char delimiter) {
  std::error_code ec;
  if (path != "-" && !std::filesystem::exists(path, ec)) return Status::NotFound("no such manifest", path);
  std::unique_ptr<ManifestReader> r(new ManifestReader());
  r->fd_ = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) return Status::IOError(std::string("cannot open the manifest: ") + std::strerror(errno), path);
  r->path_ = path;
  r->delimiter_ = delimiter ? delimiter : ManifestDelimiterFor(path);
  r->buf_.resize(1 << 20);
  // utf-8-sig: a BOM before the header is not part of the first column's name.
  int first = r->Get();
  if (first == 0xEF) {
    if (r->Get() != 0xBB || r->Get() != 0xBF) return Status::InvalidArgument("the file starts with a broken UTF-8 BOM", path + ":1");
  } else if (first >= 0) {
    --r->pos_;
    --r->bytes_;
  }
  std::vector<std::string> header;
  do {
    auto more = r->ReadRecord(header);
    if (!more.ok()) return more.status();
    if (!*more) return Status::InvalidArgument("the manifest has no header line", path);
  } while (header.size() == 1 && header[0].empty());
  DCC_RETURN_IF_ERROR(CheckCellsUtf8(header, path, r->line_));
  r->header_ = header;
  for (const auto& h : header) r->standard_.push_back(StandardManifestColumn(h));
  return r;
}

ManifestReader::~ManifestReader() {
  if (fd_ > STDIN_FILENO) ::close(fd_);
}

int ManifestReader::Get() {
  if (pos_ == end_) {
    ssize_t n;
    do n = ::read(fd_, buf_.data(), buf_.size());
    while (n < 0 && errno == EINTR);
    pos_ = 0;
    end_ = n > 0 ? static_cast<size_t>(n) : 0;
    if (end_ == 0) return -1;  // end of file (a read error ends the input too)
  }
  ++bytes_;
  return static_cast<unsigned char>(buf_[pos_++]);
}

int ManifestReader::Find(std::string_view standard) const {
  for (size_t i = 0; i < standard_.size(); ++i)
    if (standard_[i] == standard) return static_cast<int>(i);
  return -1;
}

Result<bool> ManifestReader::ReadRecord(std::vector<std::string>& cells) {
  cells.clear();
  std::string cell;
  bool quoted = false, any = false, was_quoted = false;
  const int64_t first_line = line_ + 1;
  for (;;) {
    int c = Get();
    if (c < 0) {
      if (quoted)
        return Status::InvalidArgument("a quoted cell is never closed",
                                       path_ + ":" + std::to_string(first_line));
      if (!any) return false;
      ++line_;
      cells.push_back(was_quoted ? cell : std::string(TrimView(cell)));
      return true;
    }
    any = true;
    if (quoted) {
      if (c == '"') {
        int n = Get();
        if (n == '"') {
          cell.push_back('"');
          continue;
        }
        quoted = false;
        if (n < 0) continue;
        --pos_;  // not a doubled quote: read it again as ordinary input
        --bytes_;
        continue;
      }
      if (c == '\n') ++line_;
      cell.push_back(static_cast<char>(c));
      continue;
    }
    if (c == '"' && TrimView(cell).empty()) {
      quoted = was_quoted = true;
      cell.clear();
      continue;
    }
    if (c == delimiter_) {
      cells.push_back(was_quoted ? cell : std::string(TrimView(cell)));
      cell.clear();
      was_quoted = false;
      continue;
    }
    if (c == '\r') continue;
    if (c == '\n') {
      ++line_;
      cells.push_back(was_quoted ? cell : std::string(TrimView(cell)));
      return true;
    }
    cell.push_back(static_cast<char>(c));
  }
}

Result<bool> ManifestReader::Next(std::vector<std::string>& cells, int64_t& line) {
  for (;;) {
    line = line_ + 1;
    auto more = ReadRecord(cells);
    if (!more.ok() || !*more) return more;
    if (cells.size() == 1 && cells[0].empty()) continue;  // a blank line, as csv.DictReader skips
    DCC_RETURN_IF_ERROR(CheckCellsUtf8(cells, path_, line));
    if (cells.size() > header_.size())
      return Status::InvalidArgument("the row has " + std::to_string(cells.size()) + " cells but the header " +
                                         std::to_string(header_.size()) + " (an unquoted delimiter inside a cell?)",
                                     path_ + ":" + std::to_string(line));
    cells.resize(header_.size());
    for (auto& c : cells) c = std::string(TrimView(c));
    return true;
  }
}

void AppendManifestRow(std::string& out, const std::vector<std::string>& cells, char delimiter) {
  for (size_t i = 0; i < cells.size(); ++i) {
    if (i) out.push_back(delimiter);
    const std::string& c = cells[i];
    if (c.find_first_of(std::string("\"\r\n") + delimiter) == std::string::npos) {
      out += c;
      continue;
    }
    out.push_back('"');
    for (char ch : c) {
      if (ch == '"') out.push_back('"');
      out.push_back(ch);
    }
    out.push_back('"');
  }
  out.push_back('\n');
}

std::vector<std::string> ParseManifestList(std::string_view raw, ManifestList kind) {
  std::string_view cell = TrimView(raw);
  if (kind == ManifestList::kAcl) {
    std::string lower = Lower(cell);
    if (lower == "['open']" || lower == "[u'open']") return {"*"};
  }
  if (!cell.empty() && cell.front() == '[') cell.remove_prefix(1);
  if (!cell.empty() && cell.back() == ']') cell.remove_suffix(1);
  std::vector<std::string> items;
  std::string item;
  auto flush = [&] {
    std::string_view v = TrimView(item);
    // Python's repr of a unicode string in a list: u'x'.
    if (v.size() >= 2 && v[0] == 'u' && (v[1] == '\'' || v[1] == '"')) v.remove_prefix(1);
    std::string s;
    for (char ch : v)
      if (ch != '\'' && ch != '"') s.push_back(ch);
    ReplaceAll(s, "%20", " ");
    if (!s.empty()) items.push_back(std::move(s));
    item.clear();
  };
  // Separators: whitespace and commas (the reference splits on spaces only and leaves the
  // commas of "['a', 'b']" on the items of authz and acl; we do not).
  for (char ch : cell) {
    if (ch == ',' || std::isspace(static_cast<unsigned char>(ch))) {
      flush();
      continue;
    }
    item.push_back(ch);
  }
  flush();
  return items;
}

std::string FormatManifestList(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  std::string out;
  for (auto& it : items) {
    ReplaceAll(it, " ", "%20");
    if (!out.empty()) out.push_back(' ');
    out += it;
  }
  return out;
}

ManifestColumns ManifestColumns::Of(const ManifestReader& r) {
  ManifestColumns c;
  c.guid = r.Find("guid");
  c.file_name = r.Find("file_name");
  c.size = r.Find("size");
  c.md5 = r.Find("md5");
  c.acl = r.Find("acl");
  c.urls = r.Find("urls");
  c.authz = r.Find("authz");
  c.prev_guid = r.Find("prev_guid");
  return c;
}

Result<ManifestFile> ReadManifestFile(const std::vector<std::string>& cells, const ManifestColumns& col,
                                      const std::string& where, bool require_content) {
  auto at = [&](int i) -> const std::string& {
    static const std::string empty;
    return i >= 0 && static_cast<size_t>(i) < cells.size() ? cells[i] : empty;
  };
  ManifestFile f;
  std::vector<std::string> problems;
  f.guid = at(col.guid);
  if (!f.guid.empty() && !EndsInUuid(f.guid)) problems.push_back("guid '" + f.guid + "' does not end in a UUID");
  f.prev_guid = at(col.prev_guid);
  if (!f.prev_guid.empty() && !EndsInUuid(f.prev_guid))
    problems.push_back("prev_guid '" + f.prev_guid + "' does not end in a UUID");
  f.file_name = at(col.file_name);
  f.md5 = Lower(at(col.md5));
  if (f.md5.empty()) {
    if (require_content) problems.push_back(col.md5 < 0 ? "the manifest has no md5 column" : "md5 is empty");
  } else if (f.md5.size() != 32 || !IsHex(f.md5)) {
    problems.push_back("md5 '" + at(col.md5) + "' is not 32 hex digits");
  }
  const std::string& size = at(col.size);
  if (size.empty()) {
    if (require_content) problems.push_back(col.size < 0 ? "the manifest has no size column" : "size is empty");
  } else if (size.size() > 18 || !std::all_of(size.begin(), size.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    problems.push_back("size '" + size + "' is not a non-negative integer");
  } else {
    f.size = std::stoll(size);
  }
  f.urls = ParseManifestList(at(col.urls), ManifestList::kUrls);
  f.acl = ParseManifestList(at(col.acl), ManifestList::kAcl);
  f.authz = ParseManifestList(at(col.authz), ManifestList::kAuthz);
  for (const auto& a : f.authz)
    if (a.front() != '/' || a.find("//") != std::string::npos)
      problems.push_back("authz '" + a + "' is not a resource path (/programs/x/projects/y)");
  for (const auto& u : f.urls)
    if (u.find("://") == std::string::npos) problems.push_back("url '" + u + "' has no scheme (s3://bucket/key)");
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "; ") + p;
    return Status::InvalidArgument(msg, where);
  }
  return f;
}

std::vector<std::string> DownloadRowOf(const json& r) {
  auto list = [&](const char* key) {
    std::vector<std::string> items;
    if (r.contains(key) && r[key].is_array())
      for (const auto& v : r[key])
        if (v.is_string()) items.push_back(v.get<std::string>());
    return FormatManifestList(std::move(items));
  };
  auto text = [&](const json& v) { return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump(); };
  std::string md5;
  if (r.contains("hashes") && r["hashes"].is_object() && r["hashes"].contains("md5")) md5 = text(r["hashes"]["md5"]);
  return {r.contains("did") ? text(r["did"]) : "", list("urls"), list("authz"), list("acl"), md5,
          r.contains("size") ? text(r["size"]) : "", r.contains("file_name") ? text(r["file_name"]) : ""};
}

json IndexRecordOf(const ManifestFile& f) {
  json r = {{"form", "object"},
            {"size", f.size.value_or(0)},
            {"hashes", {{"md5", f.md5}}},
            {"urls", f.urls},
            {"acl", f.acl},
            {"authz", f.authz}};
  if (!f.file_name.empty()) r["file_name"] = f.file_name;
  if (!f.guid.empty()) r["did"] = f.guid;
  return r;
}

}  // namespace dcc
