// indexd, DRS and MDS calls over a Client (gen3.md §2, §3).
#include "dcc/index_client.h"

#include "common/sigv4.h"

namespace dcc {
using nlohmann::json;

namespace {

// GUIDs may hold '/' (dg.XXXX/<uuid>): the services route them as paths.
std::string Enc(const std::string& guid) { return sigv4::UriEncode(guid, /*keep_slash=*/true); }
std::string Q(const std::string& v) { return sigv4::UriEncode(v, /*keep_slash=*/false); }

Result<Client::Response> Call(Client& c, const std::string& method, const std::string& path, const json* body,
                              std::initializer_list<long> ok) {
  DCC_ASSIGN_OR_RETURN(Client::Response r, c.Request(method, path, body));
  for (long s : ok)
    if (r.status == s) return r;
  return Gen3StatusOf(r.status, r.body, method + " " + path);
}

}  // namespace

Status Gen3StatusOf(long status, const json& body, const std::string& what) {
  std::string detail;
  if (body.is_object()) {
    for (const char* key : {"error", "detail", "msg", "message"}) {
      if (!body.contains(key)) continue;
      detail = body[key].is_string() ? body[key].get<std::string>() : body[key].dump();
      break;
    }
  }
  if (detail.empty()) detail = body.is_string() ? body.get<std::string>() : body.dump();
  if (detail.size() > 500) detail = detail.substr(0, 500) + "...";
  std::string msg = what + ": HTTP " + std::to_string(status) + (detail.empty() || detail == "null" ? "" : ": " + detail);
  switch (status) {
    case 400: return Status::InvalidArgument(msg);
    case 401: return Status::Unauthenticated(msg + " (token or key refused, or not allowed: indexd answers 401 for both)");
    case 403: return Status::PermissionDenied(msg);
    case 404: return Status::NotFound(msg);
    case 409: return Status::Conflict(msg);
    case 413: return Status::TooLarge(msg);
    case 422: return Status::Validation(msg);
    case 429:
    case 502:
    case 503:
    case 504: return Status::Unavailable(msg);
    default: return Status::IOError(msg);
  }
}

std::string IndexClient::IndexPath(const std::string& guid) const { return prefix_ + "/index/" + Enc(guid); }

Result<json> IndexClient::Get(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", IndexPath(guid), nullptr, {200}));
  return std::move(r.body);
}

Result<json> IndexClient::Create(const json& record) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "POST", prefix_ + "/index/", &record, {200, 201}));
  return std::move(r.body);
}

Result<json> IndexClient::CreateVersion(const std::string& guid, const json& record) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "POST", IndexPath(guid), &record, {200, 201}));
  return std::move(r.body);
}

Result<json> IndexClient::Update(const std::string& guid, const json& changes, std::string rev) {
  if (rev.empty()) {
    DCC_ASSIGN_OR_RETURN(json current, Get(guid));
    rev = current.value("rev", "");
  }
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "PUT", IndexPath(guid) + "?rev=" + Q(rev), &changes, {200}));
  return std::move(r.body);
}

Status IndexClient::Delete(const std::string& guid, std::string rev) {
  if (rev.empty()) {
    DCC_ASSIGN_OR_RETURN(json current, Get(guid));
    rev = current.value("rev", "");
  }
  auto r = Call(c_, "DELETE", IndexPath(guid) + "?rev=" + Q(rev), nullptr, {200, 204});
  return r.ok() ? Status::Ok() : r.status();
}

Result<json> IndexClient::Query(const std::string& query) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", prefix_ + "/index/" + (query.empty() ? "" : "?" + query), nullptr, {200}));
  return std::move(r.body);
}

Result<json> IndexClient::Versions(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", IndexPath(guid) + "/versions", nullptr, {200}));
  return std::move(r.body);
}

Result<std::vector<json>> IndexClient::Documents(const std::vector<std::string>& dids) {
  json body = dids;
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "POST", prefix_ + "/bulk/documents", &body, {200}));
  if (!r.body.is_array()) return Status::IOError("POST /bulk/documents answered something other than an array");
  return r.body.get<std::vector<json>>();
}

Result<json> IndexClient::BulkIndex(const json& records) {
  DCC_ASSIGN_OR_RETURN(Client::Response r, c_.Request("POST", prefix_ + "/bulk/index", &records));
  if (r.status == 200 && r.body.is_object() && r.body.contains("records")) return std::move(r.body["records"]);
  Status s = Gen3StatusOf(r.status, r.body, "POST /bulk/index");
  if (r.status == 400 && r.body.is_object() && r.body.contains("errors") && r.body["errors"].is_array()) {
    std::vector<Status::Detail> details;
    for (const auto& e : r.body["errors"])
      details.push_back({std::to_string(e.value("index", -1)), e.value("error", e.dump())});
    return std::move(s).WithDetails(std::move(details));
  }
  return s;
}

Result<IndexClient::Page> IndexClient::List(const std::string& start, int limit, bool use_export) {
  Page page;
  if (use_export) {
    std::string path = prefix_ + "/bulk/export?limit=" + std::to_string(limit);
    if (!start.empty()) path += "&start=" + Q(start);
    DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", path, nullptr, {200}));
    if (r.body.is_object()) {
      page.records.push_back(std::move(r.body));  // a one-line NDJSON body parses as one object
    } else if (r.body.is_string()) {
      const std::string& text = r.body.get_ref<const std::string&>();
      size_t b = 0;
      while (b < text.size()) {
        size_t e = text.find('\n', b);
        if (e == std::string::npos) e = text.size();
        if (e > b) {
          json rec = json::parse(text.begin() + static_cast<std::ptrdiff_t>(b),
                                 text.begin() + static_cast<std::ptrdiff_t>(e), nullptr, false);
          if (rec.is_discarded() || !rec.is_object())
            return Status::IOError("GET /bulk/export answered a line that is not a JSON object");
          page.records.push_back(std::move(rec));
        }
        b = e + 1;
      }
    }
  } else {
    std::string query = "limit=" + std::to_string(limit);
    if (!start.empty()) query += "&start=" + Q(start);
    DCC_ASSIGN_OR_RETURN(json body, Query(query));
    if (!body.is_object() || !body.contains("records") || !body["records"].is_array())
      return Status::IOError("GET /index/ answered without \"records\"");
    page.records = body["records"].get<std::vector<json>>();
  }
  page.last = static_cast<int>(page.records.size()) < limit;
  return page;
}

Result<json> IndexClient::DrsObject(const std::string& id) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", "/ga4gh/drs/v1/objects/" + Enc(id), nullptr, {200}));
  return std::move(r.body);
}

Result<json> IndexClient::DrsAccess(const std::string& id, const std::string& access_id) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", "/ga4gh/drs/v1/objects/" + Enc(id) + "/access/" + Q(access_id),
                                    nullptr, {200}));
  return std::move(r.body);
}

Result<json> MdsClient::Get(const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", read_ + "/metadata/" + Enc(guid), nullptr, {200}));
  return std::move(r.body);
}

Result<json> MdsClient::Create(const std::string& guid, const json& data, bool overwrite) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "POST",
                                    admin_ + "/metadata/" + Enc(guid) + "?overwrite=" + (overwrite ? "true" : "false"),
                                    &data, {200, 201}));
  return std::move(r.body);
}

Result<json> MdsClient::Update(const std::string& guid, const json& data, bool merge) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "PUT", admin_ + "/metadata/" + Enc(guid) + "?merge=" + (merge ? "true" : "false"),
                                    &data, {200}));
  return std::move(r.body);
}

Result<json> MdsClient::BatchCreate(const json& entries, bool overwrite) {
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "POST", admin_ + "/metadata?overwrite=" + (overwrite ? "true" : "false"),
                                    &entries, {200, 201}));
  return std::move(r.body);
}

Status MdsClient::Delete(const std::string& guid) {
  auto r = Call(c_, "DELETE", admin_ + "/metadata/" + Enc(guid), nullptr, {200, 204});
  return r.ok() ? Status::Ok() : r.status();
}

Result<json> MdsClient::Query(const std::string& query, bool data, int limit, int offset) {
  std::string path = read_ + "/metadata?" + (query.empty() ? "" : query + "&") + "data=" + (data ? "true" : "false") +
                     "&limit=" + std::to_string(limit) + "&offset=" + std::to_string(offset);
  DCC_ASSIGN_OR_RETURN(auto r, Call(c_, "GET", path, nullptr, {200}));
  return std::move(r.body);
}

}  // namespace dcc
