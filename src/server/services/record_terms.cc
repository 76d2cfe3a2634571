#include "server/services/record_terms.h"

namespace dcc::server {
using nlohmann::json;

namespace {

std::string TermValue(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

void Flatten(const std::string& field, const json& v, std::vector<SearchTerm>& out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it)
      Flatten(field.empty() ? it.key() : field + "." + it.key(), it.value(), out);
  } else if (v.is_array()) {
    for (const auto& item : v) Flatten(field, item, out);
  } else if (!v.is_null()) {
    std::string value = TermValue(v);
    if (value.size() <= kMaxTermBytes) out.push_back({field, std::move(value)});
  }
}

}  // namespace

std::string AtIdOf(const schema::Profile& profile, const json& doc, const std::string& uuid) {
  std::string name;
  if (!profile.name_key.empty() && doc.contains(profile.name_key) &&
      doc[profile.name_key].is_string()) {
    name = doc[profile.name_key].get<std::string>();
  } else if (profile.IsAccessioned() && doc.contains("accession") && doc["accession"].is_string()) {
    name = doc["accession"].get<std::string>();
  } else {
    name = uuid;
  }
  return "/" + profile.collection + "/" + name + "/";
}

std::vector<UniqueKey> UniqueKeysOf(const schema::Profile& profile, const json& doc) {
  std::vector<UniqueKey> keys;
  for (const auto& [prop, ns] : profile.unique_props) {
    auto it = doc.find(prop);
    if (it == doc.end()) continue;
    if (it->is_array()) {
      for (const auto& item : *it)
        if (item.is_string()) keys.push_back({ns, item.get<std::string>()});
    } else if (it->is_string()) {
      keys.push_back({ns, it->get<std::string>()});
    } else if (!it->is_null()) {
      keys.push_back({ns, it->dump()});
    }
  }
  if (doc.contains("accession") && doc["accession"].is_string())
    keys.push_back({"accession", doc["accession"].get<std::string>()});
  if (doc.contains("alternate_accessions") && doc["alternate_accessions"].is_array())
    for (const auto& a : doc["alternate_accessions"])
      if (a.is_string()) keys.push_back({"accession", a.get<std::string>()});
  return keys;
}

std::vector<SearchTerm> SearchTermsOf(const schema::Profile& profile, const StoredRecord& rec) {
  std::vector<SearchTerm> terms;
  Flatten("", rec.properties, terms);
  terms.push_back({"uuid", rec.uuid});
  terms.push_back({"@id", rec.at_id});
  for (const auto& t : profile.AtTypes()) terms.push_back({"@type", t});
  return terms;
}

}  // namespace dcc::server
