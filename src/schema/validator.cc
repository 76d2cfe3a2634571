#include "schema/validator.h"

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "common/ecma_regex.h"
#include "schema/profile.h"
#include "schema/regex_keywords.h"

namespace dcc::schema {
using nlohmann::json;

class CompiledSchema {
 public:
  RegexKeywords regexes;  // the PCRE2 patterns `schema` refers to; declared first, freed last
  valijson::Schema schema;
  // No string in a document may be longer (bytes); `maxStringBytes` in a profile sets it.
  size_t max_string_bytes = kDefaultMaxStringBytes;
  // Top-level properties with a date format, checked here rather than by valijson, which
  // compiles its format regexes on every call (the largest cost of a POST when it did).
  std::vector<std::pair<std::string, std::string>> formats;  // property, format
};

namespace {

// Removes "format" everywhere; records the top-level properties' date formats.
void StripFormats(json& schema, CompiledSchema& compiled, int depth) {
  if (!schema.is_object()) return;
  schema.erase("format");
  if (schema.contains("properties") && schema["properties"].is_object()) {
    for (auto& [prop, sub] : schema["properties"].items()) {
      if (depth == 0 && sub.is_object() && sub.contains("format")) {
        std::string f = sub["format"].is_string() ? sub["format"].get<std::string>() : "";
        if (f == "date-time" || f == "date") compiled.formats.emplace_back(prop, f);
      }
      StripFormats(sub, compiled, depth + 1);
    }
  }
  if (schema.contains("items")) StripFormats(schema["items"], compiled, depth + 1);
  for (const char* k : {"anyOf", "oneOf", "allOf"})
    if (schema.contains(k) && schema[k].is_array())
      for (auto& s : schema[k]) StripFormats(s, compiled, depth);
}

bool MatchesFormat(const std::string& value, const std::string& format) {
  static const auto kDate = EcmaRegex::CompileOrDie(
      "^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])$", EcmaRegex::Anchor::kWhole);
  static const auto kDateTime = EcmaRegex::CompileOrDie(
      "^[0-9]{4}-(0[1-9]|1[012])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]"
      "(:([0-5][0-9]|60)(\\.[0-9]+)?)?([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$",
      EcmaRegex::Anchor::kWhole);
  return (format == "date" ? kDate : kDateTime)->Matches(value);
}

// Every string in `doc` over `limit` bytes, as errors; walks with its own stack so that
// no document depth can exhaust the thread's.
void CheckStringSizes(const json& doc, size_t limit, std::vector<ValidationError>& errors) {
  std::vector<std::pair<const json*, json>> stack{{&doc, json::array()}};
  while (!stack.empty() && errors.size() < 100) {
    auto [value, path] = std::move(stack.back());
    stack.pop_back();
    if (value->is_string()) {
      size_t n = value->get_ref<const std::string&>().size();
      if (n > limit)
        errors.push_back({path, "string of " + std::to_string(n) + " bytes is longer than the limit of " +
                                    std::to_string(limit) + " bytes"});
    } else if (value->is_array()) {
      for (size_t i = value->size(); i-- > 0;) {
        json p = path;
        p.push_back(i);
        stack.emplace_back(&(*value)[i], std::move(p));
      }
    } else if (value->is_object()) {
      for (auto it = value->begin(); it != value->end(); ++it) {
        json p = path;
        p.push_back(it.key());
        if (it.key().size() > limit)
          errors.push_back({path, "property name of " + std::to_string(it.key().size()) +
                                      " bytes is longer than the limit of " + std::to_string(limit) + " bytes"});
        stack.emplace_back(&it.value(), std::move(p));
      }
    }
  }
}

}  // namespace

std::shared_ptr<const CompiledSchema> CompileSchema(const json& original, std::string* error) {
  auto compiled = std::make_shared<CompiledSchema>();
  json schema = original;
  if (auto it = schema.find("maxStringBytes"); it != schema.end()) {
    if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
      *error = "'maxStringBytes' must be a positive integer";
      return nullptr;
    }
    compiled->max_string_bytes = static_cast<size_t>(it->get<int64_t>());
    schema.erase(it);
  }
  StripFormats(schema, *compiled, 0);
  if (!compiled->regexes.Rewrite(schema, error)) return nullptr;
  try {
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft4);
    compiled->regexes.Register(parser);
    valijson::adapters::NlohmannJsonAdapter adapter(schema);
    parser.populateSchema(adapter, compiled->schema);
  } catch (const std::exception& e) {
    *error = e.what();
    return nullptr;
  }
  return compiled;
}

namespace {

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

std::string Show(const json& v) {
  std::string s = v.is_string() ? "'" + v.get<std::string>() + "'" : v.dump();
  if (s.size() > 100) s = s.substr(0, 97) + "...";
  return s;
}

// Converts valijson's context (["<root>", "[aliases]", "[0]"]) into a path, following the
// document so that "[0]" is an index only where the document holds an array.
json ContextToPath(const std::vector<std::string>& context, const json& doc, const json** value) {
  json path = json::array();
  const json* cur = &doc;
  for (size_t i = 1; i < context.size(); ++i) {
    std::string seg = context[i];
    if (seg.size() >= 2 && seg.front() == '[' && seg.back() == ']') seg = seg.substr(1, seg.size() - 2);
    if (cur && cur->is_array()) {
      size_t idx = std::strtoul(seg.c_str(), nullptr, 10);
      path.push_back(idx);
      cur = idx < cur->size() ? &(*cur)[idx] : nullptr;
    } else {
      path.push_back(seg);
      cur = (cur && cur->is_object() && cur->contains(seg)) ? &(*cur)[seg] : nullptr;
    }
  }
  *value = cur;
  return path;
}

// The subschema that governs `path`, following properties and items; nullptr if unknown.
const json* SubschemaAt(const json& schema, const json& path) {
  const json* cur = &schema;
  for (const auto& seg : path) {
    if (seg.is_number()) {
      if (!cur->contains("items")) return nullptr;
      cur = &(*cur)["items"];
    } else {
      auto props = cur->find("properties");
      if (props == cur->end() || !props->contains(seg.get<std::string>())) return nullptr;
      cur = &(*props)[seg.get<std::string>()];
    }
  }
  return cur;
}

// Rewrites valijson's generic messages so that each says what value broke which rule.
std::string Explain(const std::string& raw, const json* value, const json* subschema) {
  if (value && subschema) {
    if (StartsWith(raw, "Failed to match against any enum values") && subschema->contains("enum"))
      return Show(*value) + " is not one of " + (*subschema)["enum"].dump();
    if (StartsWith(raw, "Failed to match regex") && subschema->contains("pattern"))
      return Show(*value) + " does not match '" + (*subschema)["pattern"].get<std::string>() + "'";
    if (StartsWith(raw, "Value type not permitted") && subschema->contains("type"))
      return Show(*value) + " is not of type " + Show((*subschema)["type"]);
  }
  const std::string missing = "Missing required property '";
  if (StartsWith(raw, missing)) {
    auto end = raw.find('\'', missing.size());
    return "'" + raw.substr(missing.size(), end - missing.size()) + "' is a required property";
  }
  const std::string extra = "constraints: '";
  if (auto pos = raw.find(extra); pos != std::string::npos) {
    auto name = raw.substr(pos + extra.size());
    if (auto end = name.rfind('\''); end != std::string::npos) name = name.substr(0, end);
    return "Additional properties are not allowed ('" + name + "' was unexpected)";
  }
  return raw;
}

bool IsSummaryOfChildren(const std::string& msg) {
  return StartsWith(msg, "Failed to validate against schema associated with property name") ||
         StartsWith(msg, "Failed to validate item #") ||
         StartsWith(msg, "Failed to validate against additional properties schema") ||
         StartsWith(msg, "Failed to validate against dependent schema") ||
         StartsWith(msg, "Failed to validate against schema associated with pattern");
}

}  // namespace

std::vector<ValidationError> Validate(const Profile& profile, const json& doc) {
  std::vector<ValidationError> errors;
  // Oversized strings first, and alone: nothing else (patterns above all) reads them.
  CheckStringSizes(doc, profile.compiled->max_string_bytes, errors);
  if (!errors.empty()) return errors;
  // The rewritten schemas hold no std::regex, so valijson's cache stays empty.
  thread_local valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter target(doc);
  for (const auto& [prop, format] : profile.compiled->formats) {
    auto it = doc.find(prop);
    if (it != doc.end() && it->is_string() && !MatchesFormat(it->get<std::string>(), format))
      errors.push_back({json::array({prop}), Show(*it) + " is not a '" + format + "'"});
  }
  if (validator.validate(profile.compiled->schema, target, &results)) return errors;
  valijson::ValidationResults::Error e;
  while (results.popError(e)) {
    if (IsSummaryOfChildren(e.description)) continue;
    const json* value = nullptr;
    json path = ContextToPath(e.context, doc, &value);
    const json* sub = SubschemaAt(*profile.schema, path);
    errors.push_back({path, Explain(e.description, value, sub)});
  }
  return errors;
}

std::string PathToPointer(const json& path) {
  std::string out;
  for (const auto& seg : path) {
    out.push_back('/');
    out += seg.is_string() ? seg.get<std::string>() : seg.dump();
  }
  return out.empty() ? "/" : out;
}

}  // namespace dcc::schema
