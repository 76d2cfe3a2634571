#include "server/services/attachment_service.h"

#include <sodium.h>

#include <algorithm>
#include <map>

#include "common/hashing.h"
#include "common/mime_types.h"

namespace dcc::server {
using nlohmann::json;

namespace {

struct DataUri {
  std::string mime;
  std::string bytes;
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// "data:<mime>[;charset=...][;base64],<data>"
Result<DataUri> ParseDataUri(const std::string& href) {
  auto comma = href.find(',');
  if (href.rfind("data:", 0) != 0 || comma == std::string::npos)
    return Status::Validation("not a data URI");
  std::string meta = href.substr(5, comma - 5);
  std::string payload = href.substr(comma + 1);
  DataUri d;
  bool base64 = false;
  size_t start = 0;
  for (size_t i = 0; start <= meta.size(); ++i) {
    size_t semi = meta.find(';', start);
    std::string part = meta.substr(start, semi == std::string::npos ? std::string::npos : semi - start);
    if (i == 0) d.mime = part;
    else if (part == "base64") base64 = true;
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  if (d.mime.empty()) d.mime = "text/plain";
  if (base64) {
    d.bytes.resize(payload.size());
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(d.bytes.data()), d.bytes.size(), payload.data(),
                          payload.size(), " \n\r", &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
      return Status::Validation("the data URI's base64 payload is malformed");
    d.bytes.resize(len);
  } else {
    for (size_t i = 0; i < payload.size(); ++i) {
      if (payload[i] == '%' && i + 2 < payload.size() && HexValue(payload[i + 1]) >= 0 && HexValue(payload[i + 2]) >= 0) {
        d.bytes.push_back(static_cast<char>(HexValue(payload[i + 1]) * 16 + HexValue(payload[i + 2])));
        i += 2;
      } else {
        d.bytes.push_back(payload[i]);
      }
    }
  }
  return d;
}

// Mime types that name the same kind of content (the reference treats all text/* alike).
bool SameKind(const std::string& a, const std::string& b) {
  auto norm = [](std::string m) {
    if (m == "application/x-gzip") return std::string("application/gzip");
    return m;
  };
  std::string x = norm(a), y = norm(b);
  if (x.rfind("text/", 0) == 0 && y.rfind("text/", 0) == 0) return true;
  return x == y;
}

std::string BlobKeyOf(const std::string& md5, const std::string& filename) {
  return "attachments/" + md5 + "/" + filename;
}

bool SafeFilename(const std::string& f) {
  return !f.empty() && f.size() <= 255 && f != "." && f != ".." &&
         f.find('/') == std::string::npos && f.find('\\') == std::string::npos &&
         f.find('\0') == std::string::npos;
}

}  // namespace

void AttachmentService::Process(const schema::Profile& profile, json& doc, const json* old,
                                std::vector<Status::Detail>& errors) {
  for (auto& [prop, sub] : (*profile.schema)["properties"].items()) {
    if (!sub.value("attachment", false) || !doc.contains(prop) || !doc[prop].is_object()) continue;
    json& value = doc[prop];
    const std::string where = "/" + prop + "/href";
    std::string href = value.value("href", "");
    if (href.rfind("@@download/", 0) == 0) {
      // Unchanged existing attachment: keep exactly what was stored.
      if (old && old->contains(prop) && (*old)[prop].value("href", "") == href) {
        value = (*old)[prop];
      } else {
        errors.push_back({where, "Expected data uri or existing uri."});
      }
      continue;
    }
    auto uri = ParseDataUri(href);
    if (!uri.ok()) {
      errors.push_back({where, href.rfind("data:", 0) == 0 ? uri.status().message() : "Expected data uri or existing uri."});
      continue;
    }
    std::string filename = value.value("download", "");
    if (!SafeFilename(filename)) {
      errors.push_back({"/" + prop + "/download", "'" + filename + "' is not a plain file name"});
      continue;
    }
    std::string implied = MimeOfFilename(filename);
    if (implied.empty() || !SameKind(implied, uri->mime)) {
      errors.push_back({where, "Wrong file extension for " + uri->mime + " mimetype."});
      continue;
    }
    MultiHasher h;
    h.Update(uri->bytes.data(), uri->bytes.size());
    Digests d = h.Finish();
    std::string declared = value.value("md5sum", "");
    if (!declared.empty() && declared != d.md5) {
      errors.push_back({"/" + prop + "/md5sum", "md5sum " + declared + " does not match the data (" + d.md5 + ")"});
      continue;
    }
    const std::string key = BlobKeyOf(d.md5, filename);
    if (!blobs_.Stat(key).ok()) {
      unsigned char id[8];
      randombytes_buf(id, sizeof id);
      auto w = blobs_.Stage("att-" + ToHex(id, sizeof id));
      Status s = w.ok() ? (*w)->Write(uri->bytes.data(), uri->bytes.size()) : w.status();
      if (s.ok()) s = (*w)->Commit(key, {}).status();
      if (!s.ok()) {
        errors.push_back({where, "could not store the attachment: " + s.message()});
        continue;
      }
    }
    value = {{"download", filename}, {"type", uri->mime}, {"href", "@@download/" + prop + "/" + filename},
             {"md5sum", d.md5}, {"size", d.size}};
  }
}

Result<AttachmentService::Download> AttachmentService::Open(const Caller& caller, const std::string& id,
                                                            const std::string& prop,
                                                            const std::string& filename) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(StoredRecord rec, records_.FindViewable(*reader, caller, id));
  const json& doc = rec.properties;
  if (!doc.contains(prop) || !doc[prop].is_object() || doc[prop].value("download", "") != filename)
    return Status::NotFound("no attachment '" + prop + "/" + filename + "' on '" + id + "'");
  const json& a = doc[prop];
  Download d;
  d.md5 = a.value("md5sum", "");
  d.filename = filename;
  d.mime = a.value("type", "application/octet-stream");
  d.blob_key = BlobKeyOf(d.md5, filename);
  DCC_ASSIGN_OR_RETURN(auto info, blobs_.Stat(d.blob_key));
  d.size = info.size;
  return d;
}

}  // namespace dcc::server
