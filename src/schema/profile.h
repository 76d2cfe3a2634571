// src/schema/profile.h: a record type, defined by a JSON Schema (draft-04) plus dcc's
// keywords. See profiles/README.md for the keywords and docs/compat.md for how they
// relate to the reference portal's.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "dcc/status.h"

namespace dcc::schema {

class CompiledSchema;  // valijson's compiled form; lives in validator.cc

// One record type. Immutable after ProfileSet::Load; safe to share across threads.
struct Profile {
  std::string name;                     // snake_case type name, e.g. "analysis_step_run"
  std::string type_name;                // CamelCase, e.g. "AnalysisStepRun"
  std::string collection;               // @id collection segment, e.g. "analysis-step-runs"
  std::vector<std::string> base_types;  // abstract parents, e.g. {"Donor"}
  std::string name_key;                 // property naming the @id ("name"), or empty
  std::string accession_code;           // two-letter accession type code, or empty
  std::string lab_from;                 // link whose target's lab owns records without `lab`
  bool login_required = false;          // `"viewRequiresLogin": true`: never public (users)
  // Top-level properties that are unique keys, with their key namespace: {"aliases",
  // "alias"}, {"name", "lab:name"}. Array properties contribute one key per item.
  std::vector<std::pair<std::string, std::string>> unique_props;
  std::shared_ptr<const nlohmann::json> schema;  // merged schema, as served at /profiles/
  std::shared_ptr<const CompiledSchema> compiled;

  // [TypeName, base types..., "Item"], the record's @type.
  std::vector<std::string> AtTypes() const;
  // The subschema of a top-level property, or nullptr.
  const nlohmann::json* Property(std::string_view prop) const;
  bool HasLab() const { return Property("lab") != nullptr; }
  bool IsAccessioned() const { return !accession_code.empty(); }
};

// All profiles of a deployment. Immutable after Load; safe to share across threads.
class ProfileSet {
 public:
  // Loads every `<type>.json` in each directory, in order; a later directory adds types
  // or replaces same-named ones. `mixins.json` in a directory supplies mixinProperties.
  // Fails with InvalidArgument naming the file and the problem.
  static Result<std::shared_ptr<const ProfileSet>> Load(const std::vector<std::string>& dirs);

  // Finds a profile by snake_case name, TypeName, collection name, or hyphenated name,
  // case-insensitively ("file", "File", "files", "analysis-step-run"). nullptr if none.
  const Profile* Find(std::string_view any_name) const;
  // The concrete profiles whose @type includes `type_name` (a TypeName or base type).
  std::vector<const Profile*> Concrete(std::string_view type_name) const;
  // True if `type_name` is a concrete or base TypeName.
  bool IsTypeName(std::string_view type_name) const;
  const std::vector<std::unique_ptr<Profile>>& all() const { return profiles_; }

  // The `GET /profiles/` document: {TypeName: schema, "_subtypes": {...}, "@type": [...]}.
  // For non-admins every property with a `permission` is marked "readonly": true.
  nlohmann::json ProfilesDocument(bool admin) const;
  // One schema as served by `GET /profiles/<name>.json`.
  nlohmann::json ProfileDocument(const Profile& profile, bool admin) const;

 private:
  std::vector<std::unique_ptr<Profile>> profiles_;
  std::map<std::string, const Profile*> by_key_;  // lower-cased lookup keys
};

// "analysis_step_run" -> "AnalysisStepRun".
std::string CamelCase(std::string_view snake);

}  // namespace dcc::schema
