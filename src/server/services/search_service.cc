#include "server/services/search_service.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

namespace dcc::server {
using nlohmann::json;
using schema::Profile;

namespace {

// Parameters that shape the search rather than filter it (reference §2.11).
const std::set<std::string> kReserved = {
    "type",     "limit",  "mode",     "annotation", "format", "frame",    "datastore",
    "field",    "region", "genome",   "sort",       "from",   "referrer", "filterresponse",
    "remove",   "cart",   "debug",    "config",     "searchTerm", "advancedQuery"};

Result<int64_t> ParseCount(const std::string& name, const std::string& v) {
  int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0)
    return Status::InvalidArgument("'" + v + "' is not a non-negative integer", name);
  return n;
}

// Keeps `@id`, `@type` and the requested (possibly dotted) fields of a rendered record.
json Project(const json& doc, const std::vector<std::string>& fields) {
  json out = {{"@id", doc.value("@id", "")}, {"@type", doc.value("@type", json::array())}};
  for (const auto& f : fields) {
    const json* cur = &doc;
    json* dst = &out;
    size_t start = 0;
    while (cur) {
      size_t dot = f.find('.', start);
      std::string seg = f.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (!cur->is_object() || !cur->contains(seg)) break;
      cur = &(*cur)[seg];
      if (dot == std::string::npos) {
        (*dst)[seg] = *cur;
        break;
      }
      if (!dst->contains(seg) || !(*dst)[seg].is_object()) (*dst)[seg] = json::object();
      dst = &(*dst)[seg];
      start = dot + 1;
    }
  }
  return out;
}

}  // namespace

// Splits a dotted field into hops at link properties: "lab.name" -> {"lab", "name"};
// "flowcell_details.lane" (an object) stays one hop.
FieldPath SearchService::ToPath(const Profile* profile, const std::string& dotted,
                                bool* ends_in_link) const {
  if (ends_in_link) *ends_in_link = false;
  FieldPath path;
  const json* schema = profile ? profile->schema.get() : nullptr;
  std::string field;
  size_t start = 0;
  while (start <= dotted.size()) {
    size_t dot = dotted.find('.', start);
    std::string seg = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    field = field.empty() ? seg : field + "." + seg;
    const json* sub = nullptr;
    if (schema && schema->contains("properties") && (*schema)["properties"].contains(seg))
      sub = &(*schema)["properties"][seg];
    if (sub && sub->contains("items")) sub = &(*sub)["items"];
    if (sub && sub->contains("linkTo") && dot != std::string::npos) {
      path.push_back(field);
      field.clear();
      const json& link = (*sub)["linkTo"];
      std::string target = link.is_array() ? link[0].get<std::string>() : link.get<std::string>();
      auto concrete = records_.profiles().Concrete(target);
      schema = concrete.empty() ? nullptr : concrete[0]->schema.get();
    } else {
      if (sub && sub->contains("linkTo") && ends_in_link) *ends_in_link = true;
      schema = sub;
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (!field.empty()) path.push_back(field);
  return path;
}

struct SearchService::Parsed {
  nlohmann::json head;  // the response without "@graph"
  std::vector<std::string> uuids;
  Frame frame = Frame::kObject;
  std::vector<std::string> fields;
  bool empty = false;
};

Result<std::string> SearchService::WithGraph(const Caller& caller, const json& head,
                                             const std::vector<std::string>& uuids, Frame frame,
                                             const std::vector<std::string>& fields) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  std::string out = head.dump(-1, ' ', false, json::error_handler_t::replace);
  out.pop_back();  // the closing brace
  out += out.size() > 1 ? ",\"@graph\":[" : "\"@graph\":[";
  bool first = true;
  for (const auto& uuid : uuids) {
    DCC_ASSIGN_OR_RETURN(auto rec, reader->Get(uuid));
    if (!rec) continue;  // indexed but not yet visible to this reader; skip, never fail
    json doc = records_.Render(*reader, caller, *rec, fields.empty() ? frame : Frame::kEmbedded);
    if (!first) out += ',';
    first = false;
    out += (fields.empty() ? doc : Project(doc, fields))
               .dump(-1, ' ', false, json::error_handler_t::replace);
  }
  out += "]}";
  return out;
}

Result<SearchService::Answer> SearchService::Search(const Caller& caller, const QueryParams& params,
                                                    const std::string& self) {
  DCC_ASSIGN_OR_RETURN(Parsed p, Run(caller, params, self));
  DCC_ASSIGN_OR_RETURN(std::string body, WithGraph(caller, p.head, p.uuids, p.frame, p.fields));
  return Answer{std::move(body), p.empty};
}

Result<SearchService::Parsed> SearchService::Run(const Caller& caller, const QueryParams& params,
                                                 const std::string& self) {
  SearchQuery q;
  std::vector<std::string> type_names;
  std::vector<std::string> fields;
  std::string frame_name;
  bool seen_limit = false, seen_from = false;
  // Filters grouped by (key, negated), in first-seen order.
  std::vector<std::pair<std::string, bool>> filter_order;
  std::map<std::pair<std::string, bool>, std::vector<std::string>> filter_values;
  for (const auto& [key, value] : params) {
    if (key == "type") {
      if (value != "*" && !records_.profiles().IsTypeName(value))
        return Status::InvalidArgument("'" + value + "' is not a known type", "type");
      type_names.push_back(value == "*" ? "Item" : value);
    } else if (key == "limit") {
      if (seen_limit) return Status::InvalidArgument("limit given more than once", "limit");
      seen_limit = true;
      if (value == "all") {
        q.limit = -1;
      } else {
        DCC_ASSIGN_OR_RETURN(q.limit, ParseCount("limit", value));
      }
    } else if (key == "from") {
      if (seen_from) return Status::InvalidArgument("from given more than once", "from");
      seen_from = true;
      DCC_ASSIGN_OR_RETURN(q.from, ParseCount("from", value));
    } else if (key == "sort") {
      if (q.sort.empty()) {
        q.sort_descending = !value.empty() && value[0] == '-';
        q.sort = {q.sort_descending ? value.substr(1) : value};
      }
    } else if (key == "field") {
      fields.push_back(value);
    } else if (key == "frame") {
      frame_name = value;
    } else if (key == "searchTerm" || key == "advancedQuery") {
      return Status::InvalidArgument("full-text search is not supported yet; filter on fields",
                                     key);
    } else if (kReserved.count(key)) {
      continue;  // accepted for compatibility, no effect here (e.g. datastore=database)
    } else {
      bool negate = !key.empty() && key.back() == '!';
      std::string field = negate ? key.substr(0, key.size() - 1) : key;
      if (field.empty()) return Status::InvalidArgument("empty filter field name", key);
      auto k = std::make_pair(field, negate);
      if (!filter_values.count(k)) filter_order.push_back(k);
      filter_values[k].push_back(value);
    }
  }
  DCC_ASSIGN_OR_RETURN(Frame frame, ParseFrame(frame_name));
  if (frame == Frame::kEdit || frame == Frame::kRaw)
    return Status::InvalidArgument("search returns object or embedded frames only", "frame");

  std::set<std::string> concrete;
  const Profile* first_profile = nullptr;
  for (const auto& t : type_names) {
    for (const Profile* p : records_.profiles().Concrete(t)) {
      concrete.insert(p->name);
      if (!first_profile) first_profile = p;
    }
  }
  q.types.assign(concrete.begin(), concrete.end());
  const bool single_type = concrete.size() == 1;

  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());  // to resolve link values
  json filters_doc = json::array();
  for (const auto& k : filter_order) {
    SearchFilter f;
    bool link_field = false;
    f.path = ToPath(first_profile, k.first, &link_field);
    // An empty field name (`?=x`) made an empty path, on which the index's hop recursion
    // never ended (bench/fuzz search_query: a stack overflow any anonymous caller could send).
    if (f.path.empty())
      return Status::InvalidArgument("a search filter needs a field name, as in ?status=released",
                                     "query");
    if (f.path == FieldPath{"@id"}) {
      // The index keeps uuids, not @ids: an @id (or any identifier) resolves to its uuid.
      f.path = {"uuid"};
      link_field = true;
    }
    f.negate = k.second;
    for (const auto& v : filter_values[k]) {
      // A value for a link field may be any identifier; the store holds uuids.
      std::string resolved = v;
      if (link_field && v != "*") {
        DCC_ASSIGN_OR_RETURN(auto target, records_.Resolve(*reader, v));
        if (target) resolved = target->uuid;
      }
      f.values.push_back(resolved);
      filters_doc.push_back({{"field", k.first + (k.second ? "!" : "")}, {"term", v}});
    }
    q.filters.push_back(std::move(f));
  }
  if (caller.anonymous()) {
    q.visible_statuses = PublicStatuses();
    // Types that need a login (users) are never searched anonymously.
    std::vector<std::string> allowed;
    for (const auto& p : records_.profiles().all()) {
      bool wanted = q.types.empty() || concrete.count(p->name);
      if (wanted && !p->login_required) allowed.push_back(p->name);
    }
    if (allowed.empty()) allowed.push_back("");  // matches nothing
    q.types = std::move(allowed);
  } else if (!caller.admin()) {
    q.hidden_statuses = AdminOnlyStatuses();
  }

  // Facets: the profile's configuration for one type, else type and status.
  std::vector<std::pair<std::string, std::string>> facet_fields;  // field, title
  if (single_type && first_profile->schema->contains("facets")) {
    for (const auto& [field, conf] : (*first_profile->schema)["facets"].items())
      facet_fields.emplace_back(field, conf.value("title", field));
  } else {
    facet_fields = {{"type", "Data Type"}, {"status", "Status"}};
  }
  for (const auto& [field, title] : facet_fields)
    q.facets.push_back(field == "type" ? FieldPath{"@type"} : ToPath(first_profile, field));

  auto page = records_.index().Search(q);
  json facets = json::array();
  for (size_t i = 0; i < facet_fields.size(); ++i) {
    json terms = json::array();
    int64_t total = 0;
    for (const auto& c : page.facets[i]) {
      if (facet_fields[i].first == "type" && c.key == "Item") continue;
      terms.push_back({{"key", c.key}, {"doc_count", c.count}});
      total += c.count;
    }
    facets.push_back({{"field", facet_fields[i].first},
                      {"title", facet_fields[i].second},
                      {"terms", terms},
                      {"total", total},
                      {"type", "terms"},
                      {"appended", false}});
  }
  Parsed out;
  out.empty = page.total == 0;
  out.head = {{"@context", "/terms/"},
              {"@id", self},
              {"@type", json::array({"Search"})},
              {"title", "Search"},
              {"total", page.total},
              {"facets", facets},
              {"filters", filters_doc},
              {"notification", out.empty ? "No results found" : "Success"}};
  if (q.limit >= 0 && page.total > q.limit + q.from) {
    out.head["all"] = self + (self.find('?') == std::string::npos ? "?" : "&") + "limit=all";
  }
  out.uuids = std::move(page.uuids);
  out.frame = frame;
  out.fields = std::move(fields);
  return out;
}

Result<std::string> SearchService::List(const Caller& caller, const Profile& profile,
                                        const QueryParams& params, const std::string& self) {
  QueryParams p = {{"type", profile.type_name}};
  for (const auto& kv : params) {
    if (kv.first == "type") continue;
    p.push_back(kv);
  }
  DCC_ASSIGN_OR_RETURN(Parsed parsed, Run(caller, p, self));
  json head = {{"@id", self},
               {"@type", json::array({profile.type_name + "Collection", "Collection"})},
               {"total", parsed.head["total"]}};
  if (parsed.head.contains("all")) head["all"] = parsed.head["all"];
  return WithGraph(caller, head, parsed.uuids, parsed.frame, parsed.fields);
}

}  // namespace dcc::server
