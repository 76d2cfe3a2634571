#include "server/services/metadata_service.h"

#include "common/utf8.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace dcc::server {
using nlohmann::json;

namespace {

// The reference's DEFAULT_AUTHZ_STR: every entry is readable by anyone.
const json& DefaultAuthz() {
  static const json authz = {{"version", 0}, {"_resource_paths", {"/open"}}};
  return authz;
}

Status NotFound(const std::string& what) { return Status::NotFound("Not found: " + what); }

}  // namespace

Result<std::vector<std::string>> SplitMetadataPath(const std::string& dotted) {
  std::vector<std::string> keys;
  size_t start = 0;
  while (true) {
    size_t dot = dotted.find('.', start);
    std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (key.empty())
      return Status::InvalidArgument("'" + dotted + "' has an empty key; use a.b.c", dotted);
    for (unsigned char c : key) {
      if (c < 0x20 || c == 0x7f)
        return Status::InvalidArgument("a metadata key cannot hold control characters (NUL, newline...)", dotted);
      if (c == '"') return Status::InvalidArgument("a metadata key cannot hold '\"'", dotted);
    }
    keys.push_back(std::move(key));
    if (dot == std::string::npos) return keys;
    start = dot + 1;
  }
}

bool IsPlainMetadataPath(const std::vector<std::string>& path) {
  for (const auto& key : path)
    for (unsigned char c : key)
      if (!std::isalnum(c) && c != '_') return false;
  return !path.empty();
}

Result<std::vector<MetadataFilter>> ParseMetadataFilters(const MetadataParams& params) {
  std::vector<MetadataFilter> filters;
  std::vector<std::string> keys;
  for (const auto& [k, v] : params) {
    if (k == "data" || k == "limit" || k == "offset") continue;
    // The edge refuses such query text, but the filters are rendered into JSON paths and
    // values (nlohmann throws on bad UTF-8): bench/fuzz mds_query ended the process here.
    if (FindInvalidUtf8(k) || FindInvalidUtf8(v))
      return Status::InvalidArgument("a metadata filter is not valid UTF-8", "query");
    auto at = std::find(keys.begin(), keys.end(), k);
    if (at == keys.end()) {
      DCC_ASSIGN_OR_RETURN(auto path, SplitMetadataPath(k));
      keys.push_back(k);
      filters.push_back(MetadataFilter{std::move(path), {}, false});
      at = keys.end() - 1;
    }
    MetadataFilter& f = filters[at - keys.begin()];
    if (v == "*") f.exists = true;
    else f.values.push_back(v == "\\*" ? "*" : v);
  }
  return filters;
}

Status MetadataService::Check(const Caller& caller, const char* method) const {
  if (caller.anonymous())
    return Status::Unauthenticated("metadata writes need credentials (an access key or a bearer token)");
  if (!authz_.Allowed(caller, method, {kResource}))
    return Status::PermissionDenied(std::string("'") + method + "' on " + kResource + " is not granted to " +
                                    caller.principal->email);
  return Status::Ok();
}

Result<json> MetadataService::Query(MetadataQuery q) {
  if (q.limit < 0) return Status::InvalidArgument("limit must not be negative", "limit");
  if (q.offset < 0) return Status::InvalidArgument("offset must not be negative", "offset");
  q.limit = std::min(q.limit, kMaxLimit);  // silently, as the reference does
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto rows, reader->QueryMetadata(q.filters, q.limit, q.offset, q.data));
  if (!q.data) {
    json out = json::array();
    for (auto& r : rows) out.push_back(std::move(r.guid));
    return out;
  }
  json out = json::object();
  for (auto& r : rows) out[r.guid] = std::move(r.data);
  return out;
}

Result<json> MetadataService::Get(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto row, reader->GetMetadata(guid));
  if (!row) {
    DCC_ASSIGN_OR_RETURN(auto target, reader->FindMetadataAlias(guid));
    if (target) {
      DCC_ASSIGN_OR_RETURN(row, reader->GetMetadata(*target));
    }
  }
  if (!row) return NotFound(guid);
  return std::move(row->data);
}

Result<MetadataService::Written> MetadataService::Create(const Caller& caller, const std::string& guid, json data,
                                                         bool overwrite) {
  DCC_RETURN_IF_ERROR(Check(caller, "create"));
  if (guid == "upload") return Status::InvalidArgument("'upload' is reserved and cannot be a guid", "guid");
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto old, writer->GetMetadata(guid));
  if (old && !overwrite) return Status::Conflict("Conflict: " + guid);
  if (old) {
    DCC_RETURN_IF_ERROR(Check(caller, "update"));
  }
  DCC_RETURN_IF_ERROR(writer->PutMetadata({guid, data, old ? old->authz : DefaultAuthz()}));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return Written{std::move(data), !old};
}

Result<json> MetadataService::Update(const Caller& caller, const std::string& guid, json data, bool merge) {
  DCC_RETURN_IF_ERROR(Check(caller, "update"));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto old, writer->GetMetadata(guid));
  if (!old) return NotFound(guid);
  if (merge && old->data.is_object() && data.is_object()) {  // shallow: {**old, **new}
    json merged = old->data;
    for (auto& [k, v] : data.items()) merged[k] = v;
    data = std::move(merged);
  }
  DCC_RETURN_IF_ERROR(writer->PutMetadata({guid, data, old->authz}));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return data;
}

Result<json> MetadataService::Delete(const Caller& caller, const std::string& guid) {
  DCC_RETURN_IF_ERROR(Check(caller, "delete"));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto old, writer->GetMetadata(guid));
  if (!old) return NotFound(guid);
  DCC_RETURN_IF_ERROR(writer->DeleteMetadata(guid).status());
  DCC_RETURN_IF_ERROR(writer->Commit());
  return std::move(old->data);
}

Result<json> MetadataService::BatchCreate(const Caller& caller, const json& items, bool overwrite) {
  DCC_RETURN_IF_ERROR(Check(caller, "create"));
  if (!items.is_array()) return Status::InvalidArgument("the body must be a list of {\"guid\", \"data\"} objects");
  json result = {{"created", json::array()}, {"updated", json::array()}, {"conflict", json::array()},
                 {"bad_input", json::array()}};
  bool may_update = false;
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  for (const auto& item : items) {
    if (!item.is_object() || !item.contains("guid") || !item["guid"].is_string() || !item.contains("data") ||
        item["guid"].get<std::string>().empty() || item["guid"] == "upload") {
      result["bad_input"].push_back(item.is_object() && item.contains("guid") && item["guid"].is_string()
                                        ? item["guid"] : item);
      continue;
    }
    const std::string guid = item["guid"];
    DCC_ASSIGN_OR_RETURN(auto old, writer->GetMetadata(guid));
    if (old && !overwrite) {
      result["conflict"].push_back(guid);
      continue;
    }
    if (old && !may_update) {
      DCC_RETURN_IF_ERROR(Check(caller, "update"));
      may_update = true;
    }
    DCC_RETURN_IF_ERROR(writer->PutMetadata({guid, item["data"], old ? old->authz : DefaultAuthz()}));
    result[old ? "updated" : "created"].push_back(guid);
  }
  DCC_RETURN_IF_ERROR(writer->Commit());
  return result;
}

Result<json> MetadataService::Aliases(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto row, reader->GetMetadata(guid));
  if (!row) return NotFound(guid);
  DCC_ASSIGN_OR_RETURN(auto aliases, reader->MetadataAliases(guid));
  return json{{"guid", guid}, {"aliases", aliases}};
}

Result<json> MetadataService::CreateAliases(const Caller& caller, const std::string& guid,
                                            const std::vector<std::string>& aliases) {
  DCC_RETURN_IF_ERROR(Check(caller, "create"));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto row, writer->GetMetadata(guid));
  if (!row) return NotFound(guid);
  DCC_ASSIGN_OR_RETURN(auto existing, writer->MetadataAliases(guid));
  if (!existing.empty())
    return Status::Conflict(guid + " already has aliases; use PUT to change them");
  for (const auto& a : std::set<std::string>(aliases.begin(), aliases.end()))
    DCC_RETURN_IF_ERROR(writer->PutMetadataAlias(a, guid));
  DCC_ASSIGN_OR_RETURN(auto now, writer->MetadataAliases(guid));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return json{{"guid", guid}, {"aliases", now}};
}

Result<json> MetadataService::UpdateAliases(const Caller& caller, const std::string& guid,
                                            const std::vector<std::string>& aliases, bool merge) {
  DCC_RETURN_IF_ERROR(Check(caller, "update"));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto row, writer->GetMetadata(guid));
  if (!row) return NotFound(guid);
  DCC_ASSIGN_OR_RETURN(auto existing, writer->MetadataAliases(guid));
  std::set<std::string> wanted(aliases.begin(), aliases.end());
  if (!merge) DCC_RETURN_IF_ERROR(writer->DeleteMetadataAliases(guid, "").status());
  for (const auto& a : wanted) {
    if (merge && std::find(existing.begin(), existing.end(), a) != existing.end()) continue;
    DCC_RETURN_IF_ERROR(writer->PutMetadataAlias(a, guid));
  }
  DCC_ASSIGN_OR_RETURN(auto now, writer->MetadataAliases(guid));
  DCC_RETURN_IF_ERROR(writer->Commit());
  return json{{"guid", guid}, {"aliases", now}};
}

Status MetadataService::DeleteAliases(const Caller& caller, const std::string& guid, const std::string& alias) {
  DCC_RETURN_IF_ERROR(Check(caller, "delete"));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto row, writer->GetMetadata(guid));
  if (!row) return NotFound(guid);
  DCC_ASSIGN_OR_RETURN(bool removed, writer->DeleteMetadataAliases(guid, alias));
  if (!removed) return NotFound(alias.empty() ? "aliases of " + guid : alias);
  return writer->Commit();
}

Result<std::vector<std::string>> MetadataService::IndexedPaths() {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  return reader->ListMetadataIndexes();
}

Status MetadataService::CreateIndex(const Caller& caller, const std::string& dotted) {
  DCC_RETURN_IF_ERROR(Check(caller, "create"));
  DCC_ASSIGN_OR_RETURN(auto path, SplitMetadataPath(dotted));
  // Only plain paths are written into a query's SQL text, so only they can use an index.
  if (!IsPlainMetadataPath(path))
    return Status::InvalidArgument("only paths of letters, digits and '_' (a.b_c.d1) can be indexed", dotted);
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_RETURN_IF_ERROR(writer->CreateMetadataIndex(dotted, path));
  return writer->Commit();
}

Status MetadataService::DropIndex(const Caller& caller, const std::string& dotted) {
  DCC_RETURN_IF_ERROR(Check(caller, "delete"));
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(bool dropped, writer->DropMetadataIndex(dotted));
  if (!dropped) return NotFound("index on " + dotted);
  return writer->Commit();
}

}  // namespace dcc::server
