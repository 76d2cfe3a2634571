#include "schema/profile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "schema/validator.h"

namespace dcc::schema {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Result<json> ReadJsonFile(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return Status::IOError("cannot open profile file", path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  json doc = json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("not valid JSON", path.string());
  return doc;
}

// Merges `overlay` into `base` key by key, recursing into objects; overlay wins.
void DeepMerge(json& base, const json& overlay) {
  for (auto it = overlay.begin(); it != overlay.end(); ++it) {
    if (base.contains(it.key()) && base[it.key()].is_object() && it.value().is_object()) {
      DeepMerge(base[it.key()], it.value());
    } else {
      base[it.key()] = it.value();
    }
  }
}

// Resolves `mixinProperties` into `properties`: mixins first, local definitions merged on top.
Status ResolveMixins(json& schema, const json& mixins, const std::string& file) {
  if (!schema.contains("mixinProperties")) return Status::Ok();
  json merged = json::object();
  for (const auto& ref : schema["mixinProperties"]) {
    std::string target = ref.value("$ref", "");
    auto hash = target.find("#/");
    if (hash == std::string::npos) {
      return Status::InvalidArgument("mixinProperties $ref must look like 'mixins.json#/name'",
                                     file);
    }
    std::string name = target.substr(hash + 2);
    if (!mixins.contains(name)) {
      return Status::InvalidArgument("unknown mixin '" + name + "'", file);
    }
    DeepMerge(merged, mixins[name]);
  }
  if (schema.contains("properties")) DeepMerge(merged, schema["properties"]);
  schema["properties"] = std::move(merged);
  schema.erase("mixinProperties");
  return Status::Ok();
}

// Marks properties a non-admin may not set as readonly, recursively (the reference does
// this per requester, so anonymous clients see every admin-only property as readonly).
void MarkPermissionReadonly(json& schema) {
  if (!schema.is_object()) return;
  if (schema.contains("permission")) schema["readonly"] = true;
  if (schema.contains("properties") && schema["properties"].is_object())
    for (auto& [k, v] : schema["properties"].items()) MarkPermissionReadonly(v);
  if (schema.contains("items")) MarkPermissionReadonly(schema["items"]);
}

}  // namespace

std::string CamelCase(std::string_view snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_' || c == '-') {
      upper = true;
      continue;
    }
    out.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c);
    upper = false;
  }
  return out;
}

std::vector<std::string> Profile::AtTypes() const {
  std::vector<std::string> types{type_name};
  types.insert(types.end(), base_types.begin(), base_types.end());
  types.push_back("Item");
  return types;
}

const json* Profile::Property(std::string_view prop) const {
  auto props = schema->find("properties");
  if (props == schema->end()) return nullptr;
  auto it = props->find(prop);
  return it == props->end() ? nullptr : &*it;
}

Result<std::shared_ptr<const ProfileSet>> ProfileSet::Load(const std::vector<std::string>& dirs) {
  auto set = std::make_shared<ProfileSet>();
  std::map<std::string, std::unique_ptr<Profile>> by_name;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return Status::InvalidArgument("profiles directory does not exist", dir);
    }
    json mixins = json::object();
    if (fs::exists(fs::path(dir) / "mixins.json")) {
      DCC_ASSIGN_OR_RETURN(mixins, ReadJsonFile(fs::path(dir) / "mixins.json"));
    }
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (entry.path().extension() == ".json" && entry.path().filename() != "mixins.json")
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      const std::string file = path.string();
      DCC_ASSIGN_OR_RETURN(json schema, ReadJsonFile(path));
      if (!schema.is_object()) return Status::InvalidArgument("profile must be an object", file);
      DCC_RETURN_IF_ERROR(ResolveMixins(schema, mixins, file));
      auto p = std::make_unique<Profile>();
      p->name = path.stem().string();
      p->type_name = CamelCase(p->name);
      std::string expected_id = "/profiles/" + p->name + ".json";
      if (schema.value("id", "") != expected_id) {
        return Status::InvalidArgument("\"id\" must be \"" + expected_id + "\"", file);
      }
      p->collection = schema.value("collection", "");
      if (p->collection.empty()) {
        return Status::InvalidArgument("missing \"collection\" (the @id path segment)", file);
      }
      if (schema.contains("baseTypes"))
        p->base_types = schema["baseTypes"].get<std::vector<std::string>>();
      p->name_key = schema.value("nameKey", "");
      p->lab_from = schema.value("labFrom", "");
      p->login_required = schema.value("viewRequiresLogin", false);
      if (auto props = schema.find("properties"); props != schema.end()) {
        if (auto acc = props->find("accession"); acc != props->end())
          p->accession_code = acc->value("accessionType", "");
      }
      for (auto& [prop, sub] : schema["properties"].items()) {
        const json* holder = &sub;
        if (sub.value("type", "") == "array" && sub.contains("items")) holder = &sub["items"];
        if (!holder->contains("uniqueKey")) continue;
        const json& uk = (*holder)["uniqueKey"];
        if (uk.is_string()) p->unique_props.emplace_back(prop, uk.get<std::string>());
        else if (uk.is_boolean() && uk.get<bool>()) p->unique_props.emplace_back(prop, p->name + ":" + prop);
      }
      if (!p->name_key.empty() && !schema["properties"].contains(p->name_key)) {
        return Status::InvalidArgument("nameKey '" + p->name_key + "' is not a property", file);
      }
      std::string error;
      p->compiled = CompileSchema(schema, &error);
      if (!p->compiled) return Status::InvalidArgument("invalid JSON Schema: " + error, file);
      schema["@type"] = json::array({"JSONSchema"});
      p->schema = std::make_shared<const json>(std::move(schema));
      by_name[p->name] = std::move(p);
    }
  }
  for (auto& [name, p] : by_name) {
    const Profile* raw = p.get();
    for (const std::string& key :
         {p->name, p->type_name, p->collection, Lower(CamelCase(p->name))}) {
      set->by_key_[Lower(key)] = raw;
    }
    std::string hyphenated = p->name;
    std::replace(hyphenated.begin(), hyphenated.end(), '_', '-');
    set->by_key_[hyphenated] = raw;
    set->profiles_.push_back(std::move(p));
  }
  if (set->profiles_.empty()) return Status::InvalidArgument("no profiles found", dirs.empty() ? "" : dirs[0]);
  return std::shared_ptr<const ProfileSet>(std::move(set));
}

const Profile* ProfileSet::Find(std::string_view any_name) const {
  auto it = by_key_.find(Lower(any_name));
  return it == by_key_.end() ? nullptr : it->second;
}

std::vector<const Profile*> ProfileSet::Concrete(std::string_view type_name) const {
  std::vector<const Profile*> out;
  std::string want = Lower(type_name);
  for (const auto& p : profiles_) {
    bool match = Lower(p->type_name) == want || Lower(p->name) == want;
    for (const auto& b : p->base_types) match = match || Lower(b) == want;
    if (match || want == "item") out.push_back(p.get());
  }
  return out;
}

bool ProfileSet::IsTypeName(std::string_view type_name) const {
  return !Concrete(type_name).empty();
}

json ProfileSet::ProfileDocument(const Profile& profile, bool admin) const {
  json doc = *profile.schema;
  if (!admin) MarkPermissionReadonly(doc);
  return doc;
}

json ProfileSet::ProfilesDocument(bool admin) const {
  json doc = json::object();
  std::map<std::string, std::set<std::string>> subtypes;
  for (const auto& p : profiles_) {
    doc[p->type_name] = ProfileDocument(*p, admin);
    for (const auto& b : p->base_types) subtypes[b].insert(p->type_name);
  }
  json sub = json::object();
  for (const auto& [base, types] : subtypes) sub[base] = json(types);
  doc["_subtypes"] = std::move(sub);
  doc["@type"] = json::array({"JSONSchemas"});
  return doc;
}

}  // namespace dcc::schema
