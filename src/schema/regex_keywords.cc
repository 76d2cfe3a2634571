#include "schema/regex_keywords.h"

#include <new>
#include <regex>
#include <unordered_map>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/constraint_builder.hpp>
#include <valijson/constraints/concrete_constraints.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validation_visitor.hpp>

namespace dcc::schema {
namespace {
using nlohmann::json;
using valijson::adapters::Adapter;
using valijson::adapters::NlohmannJsonAdapter;

constexpr const char* kPatternKey = "dccPattern";
constexpr const char* kPatternPropertiesKey = "dccPatternProperties";

std::string Quote(const std::string& s) {
  return s.size() > 100 ? "'" + s.substr(0, 97) + "...'" : "'" + s + "'";
}

// Validates `value` (a member of the document) against a nested schema, reporting under
// `context`. The member adapters valijson hands out are NlohmannJsonAdapters.
bool ValidateNested(const valijson::Schema& schema, const Adapter& value,
                    const std::vector<std::string>& context, valijson::ValidationResults* results) {
  const auto* concrete = dynamic_cast<const NlohmannJsonAdapter*>(&value);
  if (!concrete) return true;  // not reachable: validator.cc validates nlohmann documents
  // No std::regex is ever compiled into this cache: the rewritten schemas hold none.
  std::unordered_map<std::string, std::regex> unused_cache;
  valijson::ValidationVisitor<NlohmannJsonAdapter> visitor(
      *concrete, context, value.hasStrictTypes(), results, unused_cache);
  return visitor.validateSchema(schema);
}

// `pattern`: the string must contain a match (ECMA-262 search semantics).
class PatternConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit PatternConstraint(const EcmaRegex* re) : re_(re) {}

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isString()) return true;
    switch (re_->Match(target.asString())) {
      case EcmaRegex::Outcome::kMatch:
        return true;
      case EcmaRegex::Outcome::kNoMatch:
        // validator.cc's Explain turns this into "'<value>' does not match '<pattern>'".
        if (results)
          results->pushError(context, "Failed to match regex specified by 'pattern' constraint.");
        return false;
      case EcmaRegex::Outcome::kLimit:
        if (results)
          results->pushError(context,
                             "the value is too long or too complex to check against pattern " +
                                 Quote(re_->pattern()));
        return false;
    }
    return false;
  }

 private:
  Constraint* cloneInto(void* where) const override { return new (where) PatternConstraint(*this); }
  size_t sizeOf() const override { return sizeof(PatternConstraint); }
  const EcmaRegex* re_;
};

// `patternProperties` with its `properties` names and `additionalProperties`.
class PatternPropertiesConstraint : public valijson::constraints::PolyConstraint {
 public:
  explicit PatternPropertiesConstraint(const RegexKeywords::PatternProperties* pp) : pp_(pp) {}

  bool validate(const Adapter& target, const std::vector<std::string>& context,
                valijson::ValidationResults* results) const override {
    if (!target.isObject()) return true;
    bool ok = true;
    target.applyToObject([&](const std::string& name, const Adapter& value) {
      std::vector<std::string> member_context = context;
      member_context.push_back("[" + name + "]");
      bool matched = pp_->named.count(name) > 0;
      for (const auto& [re, schema] : pp_->patterns) {
        auto outcome = re->Match(name);
        if (outcome == EcmaRegex::Outcome::kLimit) {
          if (results)
            results->pushError(member_context,
                               "the property name is too long or too complex to check against " +
                                   Quote(re->pattern()));
          ok = false;
          matched = true;
          continue;
        }
        if (outcome == EcmaRegex::Outcome::kNoMatch) continue;
        matched = true;
        if (!ValidateNested(*schema, value, member_context, results)) ok = false;
      }
      if (!matched) {
        if (!pp_->additional_allowed) {
          // validator.cc's Explain turns this into "Additional properties are not allowed".
          if (results)
            results->pushError(
                context,
                "Object contains a property that could not be validated using 'properties' "
                "or 'additionalProperties' constraints: '" +
                    name + "'.");
          ok = false;
        } else if (pp_->additional &&
                   !ValidateNested(*pp_->additional, value, member_context, results)) {
          ok = false;
        }
      }
      return ok || results != nullptr;  // without results, stop at the first failure
    });
    return ok;
  }

 private:
  Constraint* cloneInto(void* where) const override {
    return new (where) PatternPropertiesConstraint(*this);
  }
  size_t sizeOf() const override { return sizeof(PatternPropertiesConstraint); }
  const RegexKeywords::PatternProperties* pp_;
};

template <typename Constraint, typename Table>
class IndexBuilder : public valijson::ConstraintBuilder {
 public:
  explicit IndexBuilder(const Table* table) : table_(table) {}
  valijson::constraints::Constraint* make(const Adapter& value) const override {
    return new Constraint(&*(*table_).at(static_cast<size_t>(value.asInteger())));
  }

 private:
  const Table* table_;
};

}  // namespace

bool RegexKeywords::Rewrite(json& schema, std::string* error) {
  return RewriteSubschema(schema, error);
}

void RegexKeywords::Register(valijson::SchemaParser& parser) const {
  parser.addConstraintBuilder(kPatternKey,
                              new IndexBuilder<PatternConstraint, decltype(patterns_)>(&patterns_));
  parser.addConstraintBuilder(
      kPatternPropertiesKey,
      new IndexBuilder<PatternPropertiesConstraint, decltype(pattern_properties_)>(
          &pattern_properties_));
}

std::unique_ptr<valijson::Schema> RegexKeywords::Parse(const json& s, std::string* error) const {
  auto schema = std::make_unique<valijson::Schema>();
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft4);
    Register(parser);
    NlohmannJsonAdapter adapter(s);
    parser.populateSchema(adapter, *schema);
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
  return schema;
}

// Walks every place draft-04 holds a subschema; rewrites children before the parent so
// that the nested schemas of patternProperties are parsed already rewritten.
bool RegexKeywords::RewriteSubschema(json& s, std::string* error) {
  if (!s.is_object()) return true;
  auto each_value = [&](const char* key) {
    auto it = s.find(key);
    if (it == s.end() || !it->is_object()) return true;
    for (auto& [name, sub] : it->items())
      if (!RewriteSubschema(sub, error)) return false;
    return true;
  };
  auto each_item = [&](const char* key) {
    auto it = s.find(key);
    if (it == s.end()) return true;
    if (it->is_object()) return RewriteSubschema(*it, error);
    if (it->is_array())
      for (auto& sub : *it)
        if (!RewriteSubschema(sub, error)) return false;
    return true;
  };
  for (const char* key : {"properties", "patternProperties", "definitions", "dependencies"})
    if (!each_value(key)) return false;
  for (const char* key :
       {"items", "additionalItems", "additionalProperties", "not", "anyOf", "oneOf", "allOf"})
    if (!each_item(key)) return false;

  if (auto it = s.find("pattern"); it != s.end()) {
    if (!it->is_string()) {
      *error = "'pattern' must be a string";
      return false;
    }
    auto re = EcmaRegex::Compile(it->get<std::string>(), error);
    if (!re) return false;
    s.erase(it);
    s[kPatternKey] = patterns_.size();
    patterns_.push_back(std::move(re));
  }

  if (auto it = s.find("patternProperties"); it != s.end()) {
    if (!it->is_object()) {
      *error = "'patternProperties' must be an object";
      return false;
    }
    auto pp = std::make_unique<PatternProperties>();
    for (auto& [pattern, sub] : it->items()) {
      auto re = EcmaRegex::Compile(pattern, error);
      if (!re) return false;
      auto parsed = Parse(sub, error);
      if (!parsed) return false;
      pp->patterns.emplace_back(std::move(re), std::move(parsed));
    }
    if (auto props = s.find("properties"); props != s.end() && props->is_object())
      for (auto& [name, sub] : props->items()) pp->named.insert(name);
    if (auto add = s.find("additionalProperties"); add != s.end()) {
      if (add->is_boolean()) {
        pp->additional_allowed = add->get<bool>();
      } else {
        pp->additional = Parse(*add, error);
        if (!pp->additional) return false;
      }
      s.erase(add);
    }
    s.erase("patternProperties");
    s[kPatternPropertiesKey] = pattern_properties_.size();
    pattern_properties_.push_back(std::move(pp));
  }
  return true;
}

}  // namespace dcc::schema
