// UploadFile: S3 multipart from a file record's temporary credentials. Each worker thread
// owns a libcurl handle and one part buffer; parts are claimed from a shared counter.
#include <curl/curl.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/hashing.h"
#include "common/sigv4.h"
#include "dcc/transfer.h"

namespace dcc {
using nlohmann::json;

namespace {

constexpr uint64_t kMaxParts = 10000;

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

struct Credentials {
  std::string access_key, secret_key, token, bucket, key;
};

std::string AmzDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string XmlValue(const std::string& xml, const std::string& tag, size_t from = 0) {
  auto a = xml.find("<" + tag + ">", from);
  auto b = xml.find("</" + tag + ">", a);
  if (a == std::string::npos || b == std::string::npos) return "";
  return xml.substr(a + tag.size() + 2, b - a - tag.size() - 2);
}

// One signed S3 request on a reusable handle.
class S3Session {
 public:
  S3Session(std::string endpoint, Credentials c) : endpoint_(std::move(endpoint)), c_(std::move(c)), curl_(curl_easy_init()) {}
  ~S3Session() { curl_easy_cleanup(curl_); }
  S3Session(const S3Session&) = delete;
  S3Session& operator=(const S3Session&) = delete;

  struct Reply {
    long status = 0;
    std::string body;
    std::string etag;
  };

  Result<Reply> Send(const std::string& method, const std::vector<std::pair<std::string, std::string>>& query,
                     const char* body, size_t len) {
    const std::string path = "/" + c_.bucket + "/" + c_.key;
    const std::string amz_date = AmzDate();
    const std::string host = endpoint_.substr(endpoint_.find("://") + 3);
    sigv4::Request req{method, path, query,
                       {{"host", host},
                        {"x-amz-content-sha256", sigv4::kUnsignedPayload},
                        {"x-amz-date", amz_date},
                        {"x-amz-security-token", c_.token}}};
    std::vector<std::string> signed_headers = {"host", "x-amz-content-sha256", "x-amz-date", "x-amz-security-token"};
    const std::string scope = amz_date.substr(0, 8) + "/us-east-1/s3/aws4_request";
    const std::string key = sigv4::SigningKey(c_.secret_key, amz_date.substr(0, 8), "us-east-1", "s3");
    const std::string signature = sigv4::Signature(
        key, sigv4::StringToSign(amz_date, scope, sigv4::CanonicalRequest(req, signed_headers, sigv4::kUnsignedPayload)));
    std::string url = endpoint_ + sigv4::UriEncode(path, true);
    for (size_t i = 0; i < query.size(); ++i)
      url += (i ? "&" : "?") + sigv4::UriEncode(query[i].first, false) + "=" + sigv4::UriEncode(query[i].second, false);
    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, ("Authorization: AWS4-HMAC-SHA256 Credential=" + c_.access_key + "/" + scope +
                                          ", SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=" +
                                          signature).c_str());
    headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
    headers = curl_slist_append(headers, ("x-amz-date: " + amz_date).c_str());
    headers = curl_slist_append(headers, ("x-amz-security-token: " + c_.token).c_str());
    headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip per part
    Reply reply;
    std::string response_headers;
    curl_easy_reset(curl_);
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, Collect);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response_headers);
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body ? len : 0));
    CURLcode rc = curl_easy_perform(curl_);
    curl_slist_free_all(headers);
    if (rc != CURLE_OK) return Status::Unavailable(method + " " + url + ": " + curl_easy_strerror(rc));
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
    for (size_t pos = 0; pos < response_headers.size();) {
      size_t end = response_headers.find("\r\n", pos);
      std::string line = response_headers.substr(pos, end - pos);
      if (strncasecmp(line.c_str(), "etag:", 5) == 0) {
        reply.etag = line.substr(5);
        reply.etag.erase(0, reply.etag.find_first_not_of(" \""));
        reply.etag.erase(reply.etag.find_last_not_of(" \"") + 1);
      }
      if (end == std::string::npos) break;
      pos = end + 2;
    }
    return reply;
  }

 private:
  std::string endpoint_;
  Credentials c_;
  CURL* curl_;
};

Status S3Error(const S3Session::Reply& r, const std::string& what) {
  std::string code = XmlValue(r.body, "Code"), message = XmlValue(r.body, "Message");
  std::string detail = what + ": HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
  if (r.status == 403) return Status::PermissionDenied(detail);
  if (r.status == 400 && code == "ExpiredToken") return Status::Unauthenticated(detail);
  if (r.status >= 500) return Status::Unavailable(detail);
  return Status::IOError(detail);
}

// Where an interrupted upload's id is remembered: beside the file, per destination key.
std::string StatePath(const std::string& path) { return path + ".dcc-upload.json"; }

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
  if (source.empty() || source.find("://") != std::string::npos || !r.contains("@type")) return std::optional<UploadResult>();
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
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno == ENOENT ? Status::NotFound("no such file", path) : Status::IOError(std::strerror(errno), path);
  struct stat st;
  ::fstat(fd, &st);
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  // Fresh credentials (the stored ones may have expired), as the reference does.
  DCC_ASSIGN_OR_RETURN(json record, RenewUploadCredentials(client, file_id));
  const json& creds = record["upload_credentials"];
  UploadResult result;
  result.upload_url = creds.value("upload_url", "");
  result.size = size;
  std::string bucket_key = result.upload_url.substr(5);  // s3://bucket/key
  Credentials c{creds.value("access_key", ""), creds.value("secret_key", ""), creds.value("session_token", ""),
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
      size_t got = 0;
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
  std::remove(StatePath(path).c_str());
  // The portal verified the whole file against the record; report what it decided.
  DCC_ASSIGN_OR_RETURN(json after, client.Get({record.value("@id", file_id)}, GetOptions{}));
  result.status = after.value("status", "");
  result.content_error_detail = after.value("content_error_detail", "");
  if (completed.status != 200) {
    if (result.status == "content error")
      return Status::ChecksumMismatch("the portal rejected the upload: " + result.content_error_detail, path);
    return S3Error(completed, "CompleteMultipartUpload");
  }
  return result;
}

}  // namespace dcc
