#include "server/services/index_record.h"

#include <algorithm>
#include <set>

#include "common/ecma_regex.h"
#include "common/ids.h"
#include "common/time_util.h"

namespace dcc::server {
using nlohmann::json;

namespace {

bool IsHex(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string Where(const std::string& key) { return "/" + key; }

Status OptString(const json& body, const char* key, std::optional<std::string>& out) {
  auto it = body.find(key);
  if (it == body.end()) return Status::Ok();
  if (it->is_null()) {
    out.reset();
  } else if (it->is_string()) {
    out = it->get<std::string>();
  } else {
    return Status::InvalidArgument(std::string(key) + " must be a string or null", Where(key));
  }
  return Status::Ok();
}

// A list of strings, de-duplicated (indexd applies set()); first occurrence wins.
Status StringList(const json& body, const char* key, std::vector<std::string>& out) {
  auto it = body.find(key);
  if (it == body.end()) return Status::Ok();
  if (!it->is_array())
    return Status::InvalidArgument(std::string(key) + " must be an array of strings", Where(key));
  std::vector<std::string> values;
  std::set<std::string> seen;
  for (const auto& v : *it) {
    if (!v.is_string())
      return Status::InvalidArgument(std::string(key) + " must be an array of strings", Where(key));
    if (seen.insert(v.get<std::string>()).second) values.push_back(v.get<std::string>());
  }
  out = std::move(values);
  return Status::Ok();
}

Status Object(const json& body, const char* key, json& out) {
  auto it = body.find(key);
  if (it == body.end()) return Status::Ok();
  if (!it->is_object())
    return Status::InvalidArgument(std::string(key) + " must be an object", Where(key));
  out = *it;
  return Status::Ok();
}

Status OnlyKeys(const json& body, const std::set<std::string>& allowed) {
  if (!body.is_object()) return Status::InvalidArgument("the body must be a JSON object");
  for (const auto& [k, v] : body.items()) {
    (void)v;
    if (!allowed.count(k))
      return Status::InvalidArgument(
          "Additional properties are not allowed ('" + k + "' was unexpected)", Where(k));
  }
  return Status::Ok();
}

Status Require(const json& body, std::initializer_list<const char*> keys) {
  for (const char* k : keys)
    if (!body.contains(k))
      return Status::InvalidArgument(std::string("'") + k + "' is a required property", Where(k));
  return Status::Ok();
}

Status Size(const json& body, ObjectRow& row) {
  const json& v = body.at("size");
  if (!v.is_number_integer() || v.get<int64_t>() < 0)
    return Status::InvalidArgument("size must be an integer >= 0", "/size");
  row.size = v.get<uint64_t>();
  return Status::Ok();
}

Status Hashes(const json& body, ObjectRow& row) {
  const json& h = body.at("hashes");
  DCC_RETURN_IF_ERROR(ValidateHashes(h, "/hashes"));
  if (h.empty()) return Status::InvalidArgument("hashes must hold at least one hash", "/hashes");
  row.hashes = h;
  return Status::Ok();
}

// "2026-01-02T03:04:05[.ffffff][Z|+00:00]" -> naive UTC as indexd renders it.
Result<std::string> ContentDate(const json& v, const char* key) {
  static const auto kDate = EcmaRegex::CompileOrDie(
      R"(^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?)(Z|[+-]00:?00)?$)", EcmaRegex::Anchor::kWhole);
  std::vector<std::string> m;
  std::string s = v.is_string() ? v.get<std::string>() : std::string();
  if (kDate->Match(s, &m) != EcmaRegex::Outcome::kMatch)
    return Status::InvalidArgument(
        std::string(key) + " must be an ISO 8601 UTC date-time, e.g. 2026-01-02T03:04:05",
        Where(key));
  return m[1];
}

Status ContentDates(const json& body, ObjectRow& row) {
  bool has_created =
      body.contains("content_created_date") && !body["content_created_date"].is_null();
  bool has_updated =
      body.contains("content_updated_date") && !body["content_updated_date"].is_null();
  if (has_created) {
    DCC_ASSIGN_OR_RETURN(auto d, ContentDate(body["content_created_date"], "content_created_date"));
    row.content_created = d;
  } else if (body.contains("content_created_date")) {
    row.content_created.reset();
  }
  if (has_updated) {
    DCC_ASSIGN_OR_RETURN(auto d, ContentDate(body["content_updated_date"], "content_updated_date"));
    row.content_updated = d;
  } else if (body.contains("content_updated_date")) {
    row.content_updated.reset();
  }
  if (row.content_updated && !row.content_created)
    return Status::InvalidArgument(
        "content_updated_date cannot be set without content_created_date", "/content_updated_date");
  if (has_created && !has_updated) row.content_updated = row.content_created;
  if (row.content_updated && *row.content_updated < *row.content_created)
    return Status::InvalidArgument("content_updated_date cannot come before content_created_date",
                                   "/content_updated_date");
  return Status::Ok();
}

Status UrlsMetadata(ObjectRow& row) {
  for (const auto& [url, meta] : row.urls_metadata.items()) {
    if (std::find(row.urls.begin(), row.urls.end(), url) == row.urls.end())
      return Status::InvalidArgument("url " + url + " in urls_metadata does not exist",
                                     "/urls_metadata");
    if (!meta.is_object())
      return Status::InvalidArgument("urls_metadata[" + url + "] must be an object",
                                     "/urls_metadata");
  }
  return Status::Ok();
}

// The keys PUT may change, applied to `row`.
Status Mutable(const json& body, ObjectRow& row) {
  DCC_RETURN_IF_ERROR(StringList(body, "urls", row.urls));
  DCC_RETURN_IF_ERROR(StringList(body, "acl", row.acl));
  DCC_RETURN_IF_ERROR(StringList(body, "authz", row.authz));
  DCC_RETURN_IF_ERROR(OptString(body, "file_name", row.file_name));
  DCC_RETURN_IF_ERROR(OptString(body, "version", row.version));
  DCC_RETURN_IF_ERROR(OptString(body, "uploader", row.uploader));
  DCC_RETURN_IF_ERROR(OptString(body, "description", row.description));
  DCC_RETURN_IF_ERROR(Object(body, "metadata", row.metadata));
  DCC_RETURN_IF_ERROR(Object(body, "urls_metadata", row.urls_metadata));
  // urls are replaced before urls_metadata; entries of removed urls go with them.
  if (body.contains("urls") && !body.contains("urls_metadata")) {
    json kept = json::object();
    for (const auto& url : row.urls)
      if (row.urls_metadata.contains(url)) kept[url] = row.urls_metadata[url];
    row.urls_metadata = kept;
  }
  DCC_RETURN_IF_ERROR(UrlsMetadata(row));
  return ContentDates(body, row);
}

}  // namespace

std::string IndexDateNow() {
  std::string s = NowIso8601();  // "...T03:04:05.123456+00:00"
  s.resize(s.size() - 6);
  if (s.compare(s.size() - 7, 7, ".000000") == 0) s.resize(s.size() - 7);
  return s;
}

std::string NewRev() { return NewUuid4().substr(0, 8); }

bool ValidDid(const std::string& did) {
  // PCRE2, not std::regex: `.*` recursed once per character and a long did overflowed the stack.
  static const auto kDid = EcmaRegex::CompileOrDie(
      "^.*[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{4}-[a-fA-F0-9]{12}$", EcmaRegex::Anchor::kWhole);
  return kDid->Matches(did);
}

const std::vector<std::string>& CommonsLayoutNames() {
  static const std::vector<std::string> kNames = {"index", "_status", "_stats", "_version", "_dist",
                                                  "bulk",  "guid",    "urls",   "_query"};
  return kNames;
}

std::string CommonsLayoutNameOf(const std::string& did) {
  const size_t slash = did.find('/');
  if (slash == std::string::npos) return "";
  const std::string first = did.substr(0, slash);
  for (const auto& n : CommonsLayoutNames())
    if (first == n) return n;
  return "";
}

Status CheckGivenDid(const json& did, const std::string& where) {
  if (!did.is_string() || !ValidDid(did.get<std::string>()))
    return Status::InvalidArgument("did must end with a UUID (e.g. dg.4242/<uuid>)", where);
  const std::string name = CommonsLayoutNameOf(did.get<std::string>());
  if (!name.empty())
    return Status::InvalidArgument("a did may not begin with '" + name +
                                       "/': under /index/ that name is an indexd endpoint of "
                                       "the commons layout (docs/gen3_layout.md)",
                                   where);
  return Status::Ok();
}

Status ValidateHash(const std::string& type, const std::string& value) {
  static const std::map<std::string, size_t> kLengths = {
      {"md5", 32}, {"sha1", 40}, {"sha256", 64}, {"sha512", 128}, {"crc", 8}, {"etag", 32}};
  auto it = kLengths.find(type);
  if (it == kLengths.end())
    return Status::InvalidArgument("invalid hash type '" + type +
                                   "' (md5, sha1, sha256, sha512, crc or etag)");
  std::string hex = value;
  if (type == "etag") {
    // S3 multipart ETags: "<md5 of part md5s>-<parts>".
    static const auto kEtag = EcmaRegex::CompileOrDie("^[0-9a-f]{32}(-[0-9]+)?$", EcmaRegex::Anchor::kWhole);
    if (kEtag->Matches(value)) return Status::Ok();
  } else if (hex.size() == it->second && IsHex(hex)) {
    return Status::Ok();
  }
  return Status::InvalidArgument("invalid " + type + " hash '" + value + "': expected " +
                                 std::to_string(it->second) + " lower-case hex characters");
}

Status ValidateHashes(const json& hashes, const std::string& where) {
  if (!hashes.is_object())
    return Status::InvalidArgument("hashes must be an object {type: hex}", where);
  for (const auto& [type, value] : hashes.items()) {
    if (!value.is_string())
      return Status::InvalidArgument("hash " + type + " must be a string", where + "/" + type);
    Status s = ValidateHash(type, value.get<std::string>());
    if (!s.ok()) return Status::InvalidArgument(s.message(), where + "/" + type);
  }
  return Status::Ok();
}

Status ApplyCreateBody(const json& body, ObjectRow& row) {
  static const std::set<std::string> kAllowed = {"did",
                                                 "baseid",
                                                 "size",
                                                 "hashes",
                                                 "urls",
                                                 "form",
                                                 "file_name",
                                                 "metadata",
                                                 "urls_metadata",
                                                 "version",
                                                 "description",
                                                 "uploader",
                                                 "acl",
                                                 "authz",
                                                 "content_created_date",
                                                 "content_updated_date"};
  DCC_RETURN_IF_ERROR(OnlyKeys(body, kAllowed));
  DCC_RETURN_IF_ERROR(Require(body, {"size", "hashes", "urls", "form"}));
  if (body.contains("did")) {
    DCC_RETURN_IF_ERROR(CheckGivenDid(body["did"], "/did"));
    row.did = body["did"].get<std::string>();
  }
  if (body.contains("baseid")) {
    if (!body["baseid"].is_string() || !LooksLikeUuid(body["baseid"].get<std::string>()))
      return Status::InvalidArgument("baseid must be a UUID", "/baseid");
    row.baseid = body["baseid"].get<std::string>();
  }
  DCC_RETURN_IF_ERROR(Size(body, row));
  DCC_RETURN_IF_ERROR(Hashes(body, row));
  if (!body["urls"].is_array())
    return Status::InvalidArgument("urls must be an array of strings", "/urls");
  const json& form = body["form"];
  if (!form.is_string() || (form != "object" && form != "container" && form != "multipart"))
    return Status::InvalidArgument("form must be one of object, container, multipart", "/form");
  row.form = form.get<std::string>();
  return Mutable(body, row);
}

Status ApplyUpdateBody(const json& body, ObjectRow& row) {
  static const std::set<std::string> kAllowed = {"urls",
                                                 "acl",
                                                 "authz",
                                                 "file_name",
                                                 "version",
                                                 "uploader",
                                                 "metadata",
                                                 "urls_metadata",
                                                 "description",
                                                 "content_created_date",
                                                 "content_updated_date"};
  DCC_RETURN_IF_ERROR(OnlyKeys(body, kAllowed));
  return Mutable(body, row);
}

Status ApplyBlankBody(const json& body, ObjectRow& row) {
  static const std::set<std::string> kAllowed = {"did", "uploader", "file_name", "authz", "acl"};
  DCC_RETURN_IF_ERROR(OnlyKeys(body, kAllowed));
  DCC_RETURN_IF_ERROR(Require(body, {"uploader"}));
  if (!body["uploader"].is_string())
    return Status::InvalidArgument("uploader must be a string", "/uploader");
  if (body.contains("did")) {
    DCC_RETURN_IF_ERROR(CheckGivenDid(body["did"], "/did"));
    row.did = body["did"].get<std::string>();
  }
  DCC_RETURN_IF_ERROR(OptString(body, "uploader", row.uploader));
  DCC_RETURN_IF_ERROR(OptString(body, "file_name", row.file_name));
  DCC_RETURN_IF_ERROR(StringList(body, "authz", row.authz));
  return StringList(body, "acl", row.acl);
}

Status ApplyBlankFillBody(const json& body, ObjectRow& row) {
  static const std::set<std::string> kAllowed = {"size", "hashes", "urls", "authz"};
  DCC_RETURN_IF_ERROR(OnlyKeys(body, kAllowed));
  DCC_RETURN_IF_ERROR(Require(body, {"size", "hashes"}));
  DCC_RETURN_IF_ERROR(Size(body, row));
  DCC_RETURN_IF_ERROR(Hashes(body, row));
  DCC_RETURN_IF_ERROR(StringList(body, "urls", row.urls));
  return StringList(body, "authz", row.authz);
}

json IndexDocJson(const ObjectRow& r) {
  auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"did", r.did},
          {"baseid", r.baseid},
          {"rev", r.rev},
          {"size", r.size ? json(*r.size) : json(nullptr)},
          {"file_name", opt(r.file_name)},
          {"version", opt(r.version)},
          {"uploader", opt(r.uploader)},
          {"urls", r.urls},
          {"urls_metadata", r.urls_metadata},
          {"acl", r.acl},
          {"authz", r.authz},
          {"hashes", r.hashes},
          {"metadata", r.metadata},
          {"form", r.form},
          {"created_date", r.created},
          {"updated_date", r.updated},
          {"description", opt(r.description)},
          {"content_created_date", opt(r.content_created)},
          {"content_updated_date", opt(r.content_updated)}};
}

void RenderIndexDoc(ObjectRow& row) {
  row.doc = IndexDocJson(row).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace dcc::server
