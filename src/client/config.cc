#include "dcc/config.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace dcc {
using nlohmann::json;

namespace {

// Merges `layer` into `into`, recursing into objects; records each leaf's origin.
void Merge(json& into, const json& layer, const std::string& prefix, const std::string& name,
           std::map<std::string, std::string>& origin) {
  for (auto it = layer.begin(); it != layer.end(); ++it) {
    std::string pointer = prefix + "/" + it.key();
    if (it->is_object()) {
      if (!into.contains(it.key()) || !into[it.key()].is_object()) {
        // An object replaces a scalar: forget the scalar's origin.
        origin.erase(pointer);
        into[it.key()] = json::object();
      }
      Merge(into[it.key()], *it, pointer, name, origin);
    } else {
      into[it.key()] = *it;
      // A scalar replaces an object: drop the origins under it.
      for (auto o = origin.lower_bound(pointer + "/"); o != origin.end() && o->first.rfind(pointer + "/", 0) == 0;)
        o = origin.erase(o);
      origin[pointer] = name;
    }
  }
}

// Reads one config file: nullopt-like empty object if it does not exist.
Result<json> ReadLayer(const std::string& path, bool* exists) {
  std::ifstream in(path);
  *exists = static_cast<bool>(in);
  if (!*exists) return json::object();
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  try {
    json doc = json::parse(text);
    if (!doc.is_object()) return Status::InvalidArgument("a config file must hold a JSON object", path);
    return doc;
  } catch (const json::parse_error& e) {
    // Turn the byte offset into line:column for the message.
    size_t line = 1, col = 1;
    for (size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    std::string what = e.what();
    auto pos = what.find("syntax error");
    return Status::InvalidArgument(pos == std::string::npos ? what : what.substr(pos),
                                   path + ":" + std::to_string(line) + ":" + std::to_string(col));
  }
}

bool IsSecret(const std::string& key) {
  return key.find("secret") != std::string::npos || key.find("token") != std::string::npos ||
         key == "password";
}

void RedactInto(json& doc) {
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it->is_object()) RedactInto(*it);
    else if (IsSecret(it.key())) *it = "REDACTED";
  }
}

}  // namespace

ConfigSources ConfigSources::FromEnvironment() {
  ConfigSources s;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    s.user_file = std::string(xdg) + "/dcc/config.json";
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    s.user_file = std::string(home) + "/.config/dcc/config.json";
  }
  if (const char* extra = std::getenv("DCC_CONFIG_FILE")) s.extra_files = extra;
  for (const char* name : {"DCC_MODE", "DCC_API_KEY", "DCC_SECRET_KEY", "DCC_LAB", "DCC_AWARD", "DCC_LOG_DIR"})
    if (const char* v = std::getenv(name); v && *v) s.env[name] = v;
  return s;
}

Result<Config> Config::Load(const ConfigSources& sources) {
  Config c;
  std::vector<std::string> files = {sources.system_file, sources.user_file};
  size_t start = 0;
  while (!sources.extra_files.empty() && start <= sources.extra_files.size()) {
    size_t colon = sources.extra_files.find(':', start);
    std::string f = sources.extra_files.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!f.empty()) files.push_back(f);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i].empty()) continue;
    bool exists = false;
    DCC_ASSIGN_OR_RETURN(json layer, ReadLayer(files[i], &exists));
    // A file named in DCC_CONFIG_FILE must exist; the system and user files may not.
    if (!exists && i >= 2) return Status::NotFound("config file named in DCC_CONFIG_FILE does not exist", files[i]);
    Merge(c.merged_, layer, "", files[i], c.origin_);
  }
  static const std::map<std::string, std::string> kEnvKeys = {
      {"DCC_MODE", "mode"}, {"DCC_API_KEY", "api_key"}, {"DCC_SECRET_KEY", "secret_key"},
      {"DCC_LAB", "lab"}, {"DCC_AWARD", "award"}, {"DCC_LOG_DIR", "log_dir"}};
  for (const auto& [var, key] : kEnvKeys) {
    auto it = sources.env.find(var);
    if (it != sources.env.end()) Merge(c.merged_, json{{key, it->second}}, "", "env " + var, c.origin_);
  }
  if (sources.flags.is_object()) Merge(c.merged_, sources.flags, "", "flag", c.origin_);
  return c;
}

std::string Config::Origin(const std::string& pointer) const {
  auto it = origin_.find(pointer);
  return it == origin_.end() ? std::string() : it->second;
}

json Config::Redacted() const {
  json copy = merged_;
  RedactInto(copy);
  return copy;
}

std::vector<std::pair<std::string, std::string>> Config::Explain() const {
  return {origin_.begin(), origin_.end()};
}

}  // namespace dcc
