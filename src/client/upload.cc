// UploadFile: S3 multipart from a file record's temporary credentials, from a local file
// or an s3:// source object (each part fetched by range, then sent on). Each worker thread
// owns a libcurl handle and one part buffer; parts are claimed from a shared counter.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "client/s3_session.h"
#include "client/s3_source.h"
#include "common/hashing.h"
#include "common/sigv4.h"
#include "dcc/transfer.h"

namespace dcc {
using client::IsS3Url;
using client::OpenS3Source;
using client::S3Credentials;
using client::S3Error;
using client::S3Session;
using client::S3Source;
using client::XmlValue;
using nlohmann::json;

namespace {

constexpr uint64_t kMaxParts = 10000;

// Where an interrupted upload's id is remembered: beside a local file; for an s3://
// source, in the temp directory under a name derived from the source URL.
std::string StatePath(const std::string& path) {
  if (!IsS3Url(path)) return path + ".dcc-upload.json";
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp && *tmp ? tmp : "/tmp") + "/dcc-upload-" + sigv4::Sha256Hex(path).substr(0, 24) + ".json";
}

}  // namespace

Result<json> RenewUploadCredentials(Client& client, const std::string& file_id) {
  std::string enc = file_id;
  while (!enc.empty() && enc.front() == '/') enc.erase(0, 1);
  while (!enc.empty() && enc.back() == '/') enc.pop_back();
  if (enc.empty()) return Status::InvalidArgument("no file identifier");
  json empty = json::object();
  DCC_ASSIGN_OR_RETURN(Client::Response renewed, client.Request("POST", "/" + sigv4::UriEncode(enc, true) + "/@@upload", &empty));
  if (renewed.status != 200) {
    std::string detail = renewed.body.is_object() ? renewed.body.value("detail", renewed.body.dump()) : renewed.body.dump();
    if (renewed.status == 401) return Status::Unauthenticated("@@upload: " + detail);
    if (renewed.status == 403) return Status::PermissionDenied("@@upload: " + detail);
    if (renewed.status == 404) return Status::NotFound("no file record '" + file_id + "'");
    return Status::IOError("@@upload answered " + std::to_string(renewed.status) + ": " + detail);
  }
  if (!renewed.body.contains("@graph") || renewed.body["@graph"].empty() ||
      !renewed.body["@graph"][0].contains("upload_credentials"))
    return Status::IOError("@@upload answered without upload_credentials");
  return renewed.body["@graph"][0];
}

Result<std::optional<UploadResult>> UploadSubmittedFile(Client& client, const Client::Written& written,
                                                        const UploadOptions& options) {
  if (written.method != "POST" || written.existed) return std::optional<UploadResult>();
  const json& r = written.record;
  const std::string source = r.value("submitted_file_name", "");
  const bool remote = source.find("://") != std::string::npos && !IsS3Url(source);
  if (source.empty() || remote || !r.contains("@type")) return std::optional<UploadResult>();
  const json& types = r["@type"];
  if (std::find(types.begin(), types.end(), "File") == types.end()) return std::optional<UploadResult>();
  const std::string id = r.value("@id", r.value("uuid", ""));
  DCC_ASSIGN_OR_RETURN(UploadResult result, UploadFile(client, id, source, options));
  return std::optional<UploadResult>(std::move(result));
}

Result<UploadResult> UploadFile(Client& client, const std::string& file_id, const std::string& path,
                                const UploadOptions& options) {
  if (options.s3_endpoint.empty())
    return Status::InvalidArgument("no S3 endpoint: pass --s3-endpoint, set s3_endpoint in the config, or AWS_ENDPOINT_URL_S3");
  // The source: a local file (pread) or an s3:// object (ranged GETs, never whole in memory).
  std::optional<S3Source> s3_source;
  int fd = -1;
  uint64_t size = 0;
  if (IsS3Url(path)) {
    DCC_ASSIGN_OR_RETURN(S3Source opened,
                         OpenS3Source(path, options.source_s3_endpoint.empty() ? options.s3_endpoint
                                                                                      : options.source_s3_endpoint));
    size = opened.size;
    s3_source = std::move(opened);
  } else {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? Status::NotFound("no such file", path) : Status::IOError(std::strerror(errno), path);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      Status failed = Status::IOError(std::strerror(errno), path);
      ::close(fd);
      return failed;
    }
    size = static_cast<uint64_t>(st.st_size);
  }
  struct Closer {
    int fd;
    ~Closer() {
      if (fd >= 0) ::close(fd);
    }
  } closer{fd};

  // Fresh credentials (the stored ones may have expired), as the reference does.
  DCC_ASSIGN_OR_RETURN(json record, RenewUploadCredentials(client, file_id));
  const json& creds = record["upload_credentials"];
  UploadResult result;
  result.upload_url = creds.value("upload_url", "");
  result.size = size;
  std::string bucket_key = result.upload_url.substr(5);  // s3://bucket/key
  S3Credentials c{creds.value("access_key", ""), creds.value("secret_key", ""), creds.value("session_token", ""),
                bucket_key.substr(0, bucket_key.find('/')), bucket_key.substr(bucket_key.find('/') + 1)};

  uint64_t part_size = std::max<uint64_t>(options.part_size, 5u << 20);
  while ((size + part_size - 1) / part_size > kMaxParts) part_size *= 2;
  const int parts = static_cast<int>(std::max<uint64_t>(1, (size + part_size - 1) / part_size));
  result.parts = parts;

  S3Session control(options.s3_endpoint, c);
  // Resume: a remembered upload to the same key with the same part size.
  std::string upload_id;
  std::map<int, std::string> done;  // part number -> etag
  {
    std::ifstream in(StatePath(path));
    json state = json::parse(in, nullptr, false);
    if (state.is_object() && state.value("key", "") == c.key && state.value("part_size", uint64_t{0}) == part_size &&
        state.value("size", uint64_t{0}) == size) {
      auto listed = control.Send("GET", {{"uploadId", state.value("upload_id", "")}}, nullptr, 0);
      if (listed.ok() && listed->status == 200) {
        upload_id = state["upload_id"];
        for (size_t pos = listed->body.find("<Part>"); pos != std::string::npos; pos = listed->body.find("<Part>", pos + 1)) {
          int n = std::atoi(XmlValue(listed->body, "PartNumber", pos).c_str());
          std::string etag = XmlValue(listed->body, "ETag", pos);
          etag.erase(0, etag.find_first_not_of("\""));
          etag.erase(etag.find_last_not_of("\"") + 1);
          uint64_t psize = std::stoull(XmlValue(listed->body, "Size", pos).empty() ? "0" : XmlValue(listed->body, "Size", pos));
          uint64_t want = std::min<uint64_t>(part_size, size - static_cast<uint64_t>(n - 1) * part_size);
          if (n >= 1 && n <= parts && psize == want) done[n] = etag;
        }
      }
    }
  }
  if (upload_id.empty()) {
    DCC_ASSIGN_OR_RETURN(auto created, control.Send("POST", {{"uploads", ""}}, nullptr, 0));
    if (created.status != 200) return S3Error(created, "CreateMultipartUpload");
    upload_id = XmlValue(created.body, "UploadId");
    std::ofstream(StatePath(path)) << json{{"key", c.key}, {"upload_id", upload_id}, {"part_size", part_size}, {"size", size}}.dump();
  }

  // Parts in parallel. A part already stored is re-read and its md5 compared before it
  // is skipped; a different md5 means the local file changed, and the part is sent again.
  std::mutex mu;
  std::map<int, std::string> etags;
  std::atomic<int> next{1};
  std::atomic<uint64_t> sent{0};
  Status failure;
  int resumed = 0;
  auto worker = [&] {
    S3Session session(options.s3_endpoint, c);
    std::unique_ptr<S3Session> source_session;
    if (s3_source) source_session = std::make_unique<S3Session>(s3_source->endpoint, s3_source->credentials);
    std::vector<char> buf(part_size);
    while (true) {
      int n = next.fetch_add(1);
      if (n > parts) return;
      {
        std::lock_guard lock(mu);
        if (!failure.ok()) return;
      }
      uint64_t offset = static_cast<uint64_t>(n - 1) * part_size;
      size_t len = static_cast<size_t>(std::min<uint64_t>(part_size, size - offset));
      if (source_session) {  // the part's bytes from the source object, by range
        auto got = source_session->GetRange(offset, len, buf.data());
        Status bad = !got.ok() ? got.status()
                     : got->status != 206 && got->status != 200 ? S3Error(*got, "GET " + path)
                                                                 : Status::Ok();
        if (!bad.ok()) {
          std::lock_guard lock(mu);
          failure = bad;
          return;
        }
      }
      size_t got = source_session ? len : 0;
      while (got < len) {
        ssize_t r = ::pread(fd, buf.data() + got, len - got, static_cast<off_t>(offset + got));
        if (r <= 0) {
          std::lock_guard lock(mu);
          failure = Status::IOError(r < 0 ? std::strerror(errno) : "file shrank while uploading", path);
          return;
        }
        got += static_cast<size_t>(r);
      }
      // Only a part the server already has is hashed here, to decide whether to skip it.
      auto prior = done.find(n);
      std::string md5hex;
      if (prior != done.end()) {
        std::string md5 = Md5Raw(buf.data(), len);
        md5hex = ToHex(reinterpret_cast<const unsigned char*>(md5.data()), md5.size());
      }
      if (prior != done.end() && prior->second == md5hex) {
        std::lock_guard lock(mu);
        etags[n] = md5hex;
        ++resumed;
      } else {
        auto reply = session.Send("PUT", {{"partNumber", std::to_string(n)}, {"uploadId", upload_id}}, buf.data(), len);
        std::lock_guard lock(mu);
        if (!reply.ok()) {
          failure = reply.status();
          return;
        }
        if (reply->status != 200) {
          failure = S3Error(*reply, "UploadPart " + std::to_string(n));
          return;
        }
        etags[n] = reply->etag;
      }
      uint64_t total_sent = sent.fetch_add(len) + len;
      if (options.progress) {
        std::lock_guard lock(mu);
        options.progress(total_sent, size);
      }
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < std::max(1, std::min(options.concurrency, parts)); ++i) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  DCC_RETURN_IF_ERROR(failure);
  result.parts_resumed = resumed;

  std::string xml = "<CompleteMultipartUpload>";
  for (const auto& [n, etag] : etags)
    xml += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>\"" + etag + "\"</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  DCC_ASSIGN_OR_RETURN(auto completed, control.Send("POST", {{"uploadId", upload_id}}, xml.data(), xml.size()));
  // The portal verified the whole file against the record; report what it decided.
  DCC_ASSIGN_OR_RETURN(json after, client.Get({record.value("@id", file_id)}, GetOptions{}));
  result.status = after.value("status", "");
  result.content_error_detail = after.value("content_error_detail", "");
  // The resume state goes only once the upload is decided; after a failed Complete a
  // rerun resumes the same upload instead of sending every part again.
  if (completed.status == 200 || result.status == "content error") std::remove(StatePath(path).c_str());
  if (completed.status != 200) {
    if (result.status == "content error")
      return Status::ChecksumMismatch("the portal rejected the upload: " + result.content_error_detail, path);
    return S3Error(completed, "CompleteMultipartUpload");
  }
  return result;
}

}  // namespace dcc
