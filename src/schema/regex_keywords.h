// src/schema/regex_keywords.h: JSON Schema `pattern` and `patternProperties`, evaluated
// with PCRE2 (common/ecma_regex.h) instead of valijson's built-in std::regex, whose
// recursion overflowed the stack on a 50,000-character alias (issue 9, item 1).
//
// Before valijson parses a schema, RegexKeywords::Rewrite compiles every pattern once and
// replaces the two keywords with dcc ones (`dccPattern`, `dccPatternProperties`) that
// hold an index into this object's tables; Register teaches the parser to build
// constraints from them. Only validator.cc includes this header (it names valijson).
//
// Thread-safety: immutable after Rewrite and parsing; the constraints it builds are
// called from any thread.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <vector>

#include "common/ecma_regex.h"

namespace dcc::schema {

class RegexKeywords {
 public:
  // What `patternProperties` (with the `properties` and `additionalProperties` beside it,
  // since the three decide together which members are "additional") compiles to.
  struct PatternProperties {
    std::vector<std::pair<std::shared_ptr<const EcmaRegex>, std::unique_ptr<valijson::Schema>>>
        patterns;
    std::set<std::string> named;                   // names listed in `properties`
    bool additional_allowed = true;                // `additionalProperties: false` -> false
    std::unique_ptr<valijson::Schema> additional;  // `additionalProperties: {schema}`
  };

  // Rewrites `schema` in place (every subschema); false and *error if a pattern does not
  // compile or a subschema under patternProperties cannot be parsed.
  bool Rewrite(nlohmann::json& schema, std::string* error);

  // Adds the builders for the dcc keywords (the parser owns them); `this` must outlive
  // every schema the parser fills.
  void Register(valijson::SchemaParser& parser) const;

  const std::vector<std::shared_ptr<const EcmaRegex>>& patterns() const { return patterns_; }

 private:
  bool RewriteSubschema(nlohmann::json& s, std::string* error);
  std::unique_ptr<valijson::Schema> Parse(const nlohmann::json& s, std::string* error) const;

  std::vector<std::shared_ptr<const EcmaRegex>> patterns_;
  std::vector<std::unique_ptr<PatternProperties>> pattern_properties_;
};

}  // namespace dcc::schema
