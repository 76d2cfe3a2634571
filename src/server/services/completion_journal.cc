#include "server/services/completion_journal.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "common/hashing.h"

namespace dcc::server {
using nlohmann::json;

namespace {

const std::string kDir = ".completing/";

std::string RandomId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  return ToHex(b, sizeof b);
}

std::string KeyOf(const std::string& id) { return kDir + id + ".json"; }

}  // namespace

Status WriteCompletionEntry(BlobStore& blobs, CompletionEntry& e) {
  e.id = RandomId();
  json parts = json::array();
  for (const auto& [size, md5] : e.parts) parts.push_back({size, md5});
  const std::string text = json{
      {"bucket", e.grant.bucket},
      {"key", e.grant.key},
      {"file", e.grant.file_uuid},
      {"size", e.size},
      {"md5", e.md5},
      {"sha256", e.sha256},
      {"etag", e.s3_etag},
      {"parts", parts},
      {"tus", e.tus_id},
      {"multipart",
       e.multipart_id}}.dump();
  DCC_ASSIGN_OR_RETURN(auto w, blobs.Stage("completing-" + e.id));
  DCC_RETURN_IF_ERROR(w->Write(text.data(), text.size()));
  return w->Commit(KeyOf(e.id), {}).status();
}

Status RemoveCompletionEntry(BlobStore& blobs, const std::string& id) {
  Status s = blobs.Delete(KeyOf(id));
  return s.code() == Status::Code::kNotFound ? Status::Ok() : s;
}

Result<std::vector<CompletionEntry>> ListCompletionEntries(BlobStore& blobs) {
  DCC_ASSIGN_OR_RETURN(auto listed, blobs.List(kDir));
  std::vector<CompletionEntry> out;
  for (const auto& b : listed) {
    const std::string name = b.key.substr(kDir.size());
    if (name.size() != 37 || name.compare(32, 5, ".json") != 0) continue;
    CompletionEntry e;
    e.id = name.substr(0, 32);
    auto text = ReadWholeBlob(blobs, b.key);
    json j = text.ok() ? json::parse(*text, nullptr, false) : json();
    if (j.is_object()) {
      e.grant.bucket = j.value("bucket", "");
      e.grant.key = j.value("key", "");
      e.grant.file_uuid = j.value("file", "");
      e.size = j.value("size", uint64_t{0});
      e.md5 = j.value("md5", "");
      e.sha256 = j.value("sha256", "");
      e.s3_etag = j.value("etag", "");
      for (const auto& p : j.value("parts", json::array()))
        if (p.is_array() && p.size() == 2 && p[0].is_number_unsigned() && p[1].is_string())
          e.parts.emplace_back(p[0].get<uint64_t>(), p[1].get<std::string>());
      e.tus_id = j.value("tus", "");
      e.multipart_id = j.value("multipart", "");
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::string MultipartEtag(const std::vector<std::string>& part_md5s) {
  std::string raw_md5s;
  for (const auto& hex : part_md5s) {
    unsigned char raw[16];
    size_t len = 0;
    if (hex.size() != 32 ||
        sodium_hex2bin(raw, sizeof raw, hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
        len != 16)
      return "";
    raw_md5s.append(reinterpret_cast<char*>(raw), len);
  }
  const std::string md5 = Md5Raw(raw_md5s.data(), raw_md5s.size());
  return ToHex(reinterpret_cast<const unsigned char*>(md5.data()), md5.size()) + "-" +
         std::to_string(part_md5s.size());
}

}  // namespace dcc::server
