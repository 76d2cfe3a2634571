#include "server/store/object_query.h"

namespace dcc::server {
namespace {

// Builds the WHERE clause term by term, binding every value (nothing user-given is ever
// spliced into the SQL text). Parameters are numbered (?N), so the order in which the
// operands of one `+` expression are evaluated (unspecified in C++) does not matter.
class Where {
 public:
  explicit Where(SqlQuery& q) : q_(q) {}
  void Add(const std::string& term) { terms_ += " AND " + term; }
  std::string Bind(std::string v) {
    q_.binds.emplace_back(std::move(v));
    return "?" + std::to_string(q_.binds.size());
  }
  std::string Bind(int64_t v) {
    q_.binds.emplace_back(v);
    return "?" + std::to_string(q_.binds.size());
  }
  // A JSON path naming one key, whatever characters it holds.
  std::string BindKeyPath(const std::string& key) {
    std::string path = "$.\"";
    for (char c : key) {
      if (c == '"' || c == '\\') path += '\\';
      path += c;
    }
    return Bind(path + "\"");
  }
  const std::string& terms() const { return terms_; }

 private:
  SqlQuery& q_;
  std::string terms_;
};

// metadata values compare as text, as indexd's multi-table driver stores them.
std::string JsonText(const std::string& doc, const std::string& path) {
  return "CAST(json_extract(" + doc + ", " + path + ") AS TEXT)";
}

std::string UrlsMetadataMatch(Where& w, const ObjectQuery::UrlsMetadata& m) {
  std::string t = "EXISTS(SELECT 1 FROM json_each(o.urls_metadata) m WHERE instr(m.key, " +
                  w.Bind(m.url) + ") > 0";
  for (const auto& [k, v] : m.kv)
    t += " AND " + JsonText("m.value", w.BindKeyPath(k)) + " = " + w.Bind(v);
  return t + ")";
}

// Positive filters on the lookup tables. Hashes, urls and ids are selective: they drive
// the query through their table's index.
void AddLookups(Where& w, const ObjectQuery& q) {
  for (const auto& [type, value] : q.hashes)
    w.Add("o.did IN (SELECT did FROM object_hashes WHERE type = " + w.Bind(type) +
          " AND value = " + w.Bind(value) + ")");
  for (const auto& url : q.urls)
    w.Add("o.did IN (SELECT did FROM object_urls WHERE url = " + w.Bind(url) + ")");
  // acl and authz values are shared by many records: walking in did order and probing
  // (EXISTS) stops after `limit` matches, where an IN list would collect them all first.
  for (const auto& a : q.acl)
    w.Add("EXISTS(SELECT 1 FROM object_acl x WHERE x.ace = " + w.Bind(a) + " AND x.did = o.did)");
  for (const auto& a : q.authz)
    w.Add("EXISTS(SELECT 1 FROM object_authz x WHERE x.resource = " + w.Bind(a) +
          " AND x.did = o.did)");
  if (q.acl_none) w.Add("NOT EXISTS(SELECT 1 FROM object_acl a WHERE a.did = o.did)");
  if (q.authz_none) w.Add("NOT EXISTS(SELECT 1 FROM object_authz a WHERE a.did = o.did)");
  if (!q.ids.empty()) {
    std::string in;
    for (const auto& id : q.ids) in += (in.empty() ? "" : ", ") + w.Bind(id);
    w.Add("o.did IN (" + in + ")");
  }
}

void AddColumns(Where& w, const ObjectQuery& q) {
  if (!q.start.empty()) w.Add("o.did > " + w.Bind(q.start));
  if (q.size) w.Add("o.size = " + w.Bind(static_cast<int64_t>(*q.size)));
  if (q.file_name) w.Add("o.file_name = " + w.Bind(*q.file_name));
  if (q.version) w.Add("o.version = " + w.Bind(*q.version));
  if (q.uploader) w.Add("o.uploader = " + w.Bind(*q.uploader));
  if (q.baseid) w.Add("o.baseid = " + w.Bind(*q.baseid));
  if (q.form) w.Add("o.form = " + w.Bind(*q.form));
  for (const auto& [k, v] : q.metadata)
    w.Add(JsonText("o.metadata", w.BindKeyPath(k)) + " = " + w.Bind(v));
  for (const auto& m : q.urls_metadata) w.Add(UrlsMetadataMatch(w, m));
  if (q.url_contains)
    w.Add("EXISTS(SELECT 1 FROM object_urls x WHERE x.did = o.did AND instr(x.url, " +
          w.Bind(*q.url_contains) + ") > 0)");
  if (q.url_excludes)
    w.Add("NOT EXISTS(SELECT 1 FROM object_urls x WHERE x.did = o.did AND instr(x.url, " +
          w.Bind(*q.url_excludes) + ") > 0)");
  if (q.versioned) w.Add(*q.versioned ? "o.version IS NOT NULL" : "o.version IS NULL");
}

std::string AnyIn(Where& w, const char* table, const char* column,
                  const std::vector<std::string>& values) {
  std::string in;
  for (const auto& v : values) in += (in.empty() ? "" : ", ") + w.Bind(v);
  return std::string("NOT EXISTS(SELECT 1 FROM ") + table + " x WHERE x.did = o.did AND x." +
         column + " IN (" + in + "))";
}

void AddNegated(Where& w, const ObjectQuery::Negated& n) {
  auto differs = [&](const char* col, const std::optional<std::string>& v) {
    if (v) w.Add(std::string("(o.") + col + " IS NULL OR o." + col + " != " + w.Bind(*v) + ")");
  };
  differs("file_name", n.file_name);
  differs("version", n.version);
  differs("uploader", n.uploader);
  if (!n.urls.empty()) w.Add(AnyIn(w, "object_urls", "url", n.urls));
  if (!n.acl.empty()) w.Add(AnyIn(w, "object_acl", "ace", n.acl));
  if (!n.authz.empty()) w.Add(AnyIn(w, "object_authz", "resource", n.authz));
  for (const auto& [type, value] : n.hashes)
    w.Add("NOT EXISTS(SELECT 1 FROM object_hashes x WHERE x.did = o.did AND x.type = " +
          w.Bind(type) + " AND x.value = " + w.Bind(value) + ")");
  for (const auto& [k, v] : n.metadata) {
    std::string path = w.BindKeyPath(k);
    std::string value = w.Bind(v);
    w.Add("(json_type(o.metadata, " + path + ") IS NULL OR " + JsonText("o.metadata", path) +
          " != " + value + ")");
  }
  for (const auto& k : n.metadata_keys)
    w.Add("json_type(o.metadata, " + w.BindKeyPath(k) + ") IS NULL");
  for (const auto& m : n.urls_metadata) w.Add("NOT " + UrlsMetadataMatch(w, m));
}

}  // namespace

SqlQuery BuildObjectQuery(const ObjectQuery& q) {
  SqlQuery out;
  Where w(out);
  if (q.none) w.Add("0");
  AddLookups(w, q);
  AddColumns(w, q);
  AddNegated(w, q.negate);
  out.sql = "SELECT o.did, o.doc FROM objects o WHERE 1" + w.terms();
  out.sql += q.offset ? " ORDER BY o.updated, o.did" : " ORDER BY o.did";
  if (q.limit >= 0 || q.offset) out.sql += " LIMIT " + w.Bind(q.limit);
  if (q.offset) out.sql += " OFFSET " + w.Bind(*q.offset);
  return out;
}

}  // namespace dcc::server
