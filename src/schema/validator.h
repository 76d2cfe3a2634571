// src/schema/validator.h: JSON Schema draft-04 validation of a record against its profile.
// dcc keywords (linkTo, permission, ...) are checked by the records service, not here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace dcc::schema {

struct Profile;

// The longest string (and property name), in bytes, a document may hold unless its
// profile sets `maxStringBytes`; `maxLength` in a schema tightens it per property.
inline constexpr size_t kDefaultMaxStringBytes = 1 << 20;

// One failure, located by the path of names/indexes from the document root.
struct ValidationError {
  nlohmann::json path = nlohmann::json::array();  // e.g. ["aliases", 0]
  std::string message;                            // e.g. "'x' does not match '^...$'"
};

// Compiles `schema` for validation; fails with a message when the schema itself is bad.
std::shared_ptr<const class CompiledSchema> CompileSchema(const nlohmann::json& schema,
                                                          std::string* error);

// Validates `doc` against the profile's schema. Returns every leaf error, with messages
// that quote the offending value and the constraint. Thread-safe.
std::vector<ValidationError> Validate(const Profile& profile, const nlohmann::json& doc);

// "/aliases/0" from ["aliases", 0].
std::string PathToPointer(const nlohmann::json& path);

}  // namespace dcc::schema
