#include "client/payload_rules.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "client/s3_source.h"
#include "common/hashing.h"
#include "common/mime_types.h"
#include "dcc/hash.h"

namespace dcc::client {
using nlohmann::json;

Status PrepareAliases(json& payload, const std::string& lab, bool required) {
  if (!payload.contains("aliases") || payload["aliases"].empty()) {
    if (required) return Status::InvalidArgument("the record has no aliases (pass --no-aliases to post without)");
    return Status::Ok();
  }
  std::vector<std::string> cleaned;
  for (const auto& a : payload["aliases"]) {
    if (!a.is_string()) return Status::InvalidArgument("aliases must be strings");
    std::string alias;
    for (char ch : a.get<std::string>()) {
      if (ch == '#') continue;
      alias.push_back(ch == '/' || ch == '\\' ? '_' : ch);
    }
    if (alias.find(':') == std::string::npos) {
      std::string prefix = lab.substr(lab.find_last_of('/', lab.size() - 2) + 1);
      while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
      if (prefix.empty())
        return Status::InvalidArgument("alias '" + alias + "' has no prefix and no lab is set to prefix it");
      alias = prefix + ":" + alias;
    }
    if (std::find(cleaned.begin(), cleaned.end(), alias) == cleaned.end()) cleaned.push_back(alias);
  }
  std::sort(cleaned.begin(), cleaned.end());
  payload["aliases"] = cleaned;
  return Status::Ok();
}

void ExtendArrays(json& patch, const json& current) {
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (!it->is_array() || !current.contains(it.key()) || !current[it.key()].is_array()) continue;
    json merged = current[it.key()];
    for (const auto& v : *it)
      if (std::find(merged.begin(), merged.end(), v) == merged.end()) merged.push_back(v);
    *it = merged;
  }
}

Status InlineAttachments(json& payload) {
  for (auto it = payload.begin(); it != payload.end(); ++it) {
    if (!it->is_object() || it->size() != 1 || !it->contains("path") || !(*it)["path"].is_string()) continue;
    const std::string path = (*it)["path"].get<std::string>();
    const std::string name = path.substr(path.find_last_of('/') + 1);
    const std::string mime = MimeOfFilename(name);
    if (mime.empty())
      return Status::InvalidArgument("cannot tell the mime type of '" + name + "' from its extension", "/" + it.key());
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) return Status::NotFound("no such attachment file", path);
      return Status::IOError(std::strerror(errno), path);
    }
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) return Status::IOError("read failed", path);
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    *it = {{"download", name}, {"type", mime}, {"href", "data:" + mime + ";base64," + ToBase64(data, bytes.size())}};
  }
  return Status::Ok();
}

namespace {

bool Missing(const json& payload, const char* key) {
  return !payload.contains(key) || payload[key].is_null() || (payload[key].is_string() && payload[key].get<std::string>().empty());
}

}  // namespace

Status PrepareFileRecord(json& payload, const std::string& s3_endpoint) {
  if (payload.value("run_type", "") == "single-ended") payload.erase("paired_end");
  const std::string source = payload.value("submitted_file_name", "");
  if (source.empty() || (!Missing(payload, "md5sum") && !Missing(payload, "file_size"))) return Status::Ok();
  if (IsS3Url(source)) {  // read the object, as the reference does (encode.md §1)
    auto object = OpenS3Source(source, s3_endpoint);
    if (!object.ok()) {
      if (!Missing(payload, "md5sum")) return Status::Ok();  // only file_size was wanted: the server does not need it
      return object.status();
    }
    DCC_ASSIGN_OR_RETURN(Digests d, HashS3Object(*object));
    if (Missing(payload, "md5sum")) payload["md5sum"] = d.md5;
    if (Missing(payload, "file_size")) payload["file_size"] = d.size;
    return Status::Ok();
  }
  const bool remote = source.find("://") != std::string::npos;
  if (remote) {
    if (!Missing(payload, "md5sum")) return Status::Ok();  // file_size is optional
    return Status::InvalidArgument("submitted_file_name '" + source +
                                   "' is neither a local file nor s3://: dcc computes md5sum only for those; give "
                                   "md5sum and file_size");
  }
  HashOptions options;
  options.part_size = 0;  // md5 only is needed; skip the multipart ETag's second md5 pass
  auto digests = HashFile(source, options);
  if (!digests.ok()) {
    if (!Missing(payload, "md5sum")) return Status::Ok();  // only file_size was wanted: the server does not need it
    return Status::InvalidArgument("cannot compute md5sum from submitted_file_name: " + digests.status().ToString(),
                                   "/submitted_file_name");
  }
  if (Missing(payload, "md5sum")) payload["md5sum"] = digests->md5;
  if (Missing(payload, "file_size")) payload["file_size"] = digests->size;
  return Status::Ok();
}

}  // namespace dcc::client
