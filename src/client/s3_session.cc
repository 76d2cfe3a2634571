#include "client/s3_session.h"

#include <strings.h>

#include <cstring>
#include <ctime>

#include "common/sigv4.h"

namespace dcc::client {
namespace {

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// Writes a ranged GET's body straight into the caller's buffer; an overflow (a server
// ignoring Range) aborts rather than writing past it.
struct RangeSink {
  char* out;
  size_t capacity;
  size_t filled = 0;
  std::string error_body;  // a non-2xx reply's XML, kept for the error message
  long status = 0;
  CURL* curl;
};

size_t WriteRange(char* data, size_t size, size_t n, void* p) {
  auto* s = static_cast<RangeSink*>(p);
  const size_t len = size * n;
  if (s->status == 0) curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &s->status);
  if (s->status < 200 || s->status >= 300) {
    s->error_body.append(data, len);
    return len;
  }
  if (s->filled + len > s->capacity) return 0;
  std::memcpy(s->out + s->filled, data, len);
  s->filled += len;
  return len;
}

std::string AmzDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

S3Session::S3Session(std::string endpoint, S3Credentials c)
    : endpoint_(std::move(endpoint)), c_(std::move(c)), curl_(curl_easy_init()) {}
S3Session::~S3Session() { curl_easy_cleanup(curl_); }

std::string XmlValue(const std::string& xml, const std::string& tag, size_t from) {
  auto a = xml.find("<" + tag + ">", from);
  auto b = xml.find("</" + tag + ">", a);
  if (a == std::string::npos || b == std::string::npos) return "";
  return xml.substr(a + tag.size() + 2, b - a - tag.size() - 2);
}

Status S3Error(const S3Session::Reply& r, const std::string& what) {
  std::string code = XmlValue(r.body, "Code"), message = XmlValue(r.body, "Message");
  std::string detail = what + ": HTTP " + std::to_string(r.status) + (code.empty() ? "" : " " + code) +
                       (message.empty() ? "" : ": " + message);
  if (r.status == 403) return Status::PermissionDenied(detail);
  if (r.status == 404) return Status::NotFound(detail);
  if (r.status == 400 && code == "ExpiredToken") return Status::Unauthenticated(detail);
  if (r.status >= 500) return Status::Unavailable(detail);
  return Status::IOError(detail);
}

Result<S3Session::Reply> S3Session::Send(const std::string& method,
                                         const std::vector<std::pair<std::string, std::string>>& query,
                                         const char* body, size_t len, const std::vector<std::string>& extra_headers,
                                         char* out, size_t out_len) {
  const std::string path = "/" + c_.bucket + "/" + c_.key;
  const std::string amz_date = AmzDate();
  const std::string host = endpoint_.substr(endpoint_.find("://") + 3);
  sigv4::Request req{method, path, query,
                     {{"host", host}, {"x-amz-content-sha256", sigv4::kUnsignedPayload}, {"x-amz-date", amz_date}}};
  std::vector<std::string> signed_headers = {"host", "x-amz-content-sha256", "x-amz-date"};
  if (!c_.token.empty()) {
    req.headers["x-amz-security-token"] = c_.token;
    signed_headers.push_back("x-amz-security-token");
  }
  std::string signed_list;
  for (const auto& h : signed_headers) signed_list += (signed_list.empty() ? "" : ";") + h;
  const std::string scope = amz_date.substr(0, 8) + "/us-east-1/s3/aws4_request";
  const std::string key = sigv4::SigningKey(c_.secret_key, amz_date.substr(0, 8), "us-east-1", "s3");
  const std::string signature = sigv4::Signature(
      key, sigv4::StringToSign(amz_date, scope, sigv4::CanonicalRequest(req, signed_headers, sigv4::kUnsignedPayload)));
  std::string url = endpoint_ + sigv4::UriEncode(path, true);
  for (size_t i = 0; i < query.size(); ++i)
    url += (i ? "&" : "?") + sigv4::UriEncode(query[i].first, false) + "=" + sigv4::UriEncode(query[i].second, false);
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, ("Authorization: AWS4-HMAC-SHA256 Credential=" + c_.access_key + "/" + scope +
                                        ", SignedHeaders=" + signed_list + ", Signature=" + signature)
                                           .c_str());
  headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
  headers = curl_slist_append(headers, ("x-amz-date: " + amz_date).c_str());
  if (!c_.token.empty()) headers = curl_slist_append(headers, ("x-amz-security-token: " + c_.token).c_str());
  headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip per part
  for (const auto& h : extra_headers) headers = curl_slist_append(headers, h.c_str());
  Reply reply;
  std::string response_headers;
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, Collect);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response_headers);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  if (method == "HEAD") {
    curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
  } else if (method == "GET") {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body ? body : "");
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body ? len : 0));
  }
  RangeSink sink{out, out_len, 0, {}, 0, curl_};
  if (out != nullptr) {
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, WriteRange);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &sink);
  }
  CURLcode rc = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
  if (rc == CURLE_WRITE_ERROR && out != nullptr)
    return Status::IOError(method + " " + url + ": the server sent more than the " + std::to_string(out_len) +
                           " bytes asked for");
  if (rc != CURLE_OK) return Status::Unavailable(method + " " + url + ": " + curl_easy_strerror(rc));
  if (out != nullptr) {
    reply.body = std::move(sink.error_body);
    reply.content_length = sink.filled;
  }
  for (size_t pos = 0; pos < response_headers.size();) {
    size_t end = response_headers.find("\r\n", pos);
    std::string line = response_headers.substr(pos, end - pos);
    if (strncasecmp(line.c_str(), "etag:", 5) == 0) {
      reply.etag = line.substr(5);
      reply.etag.erase(0, reply.etag.find_first_not_of(" \""));
      reply.etag.erase(reply.etag.find_last_not_of(" \"") + 1);
    } else if (out == nullptr && strncasecmp(line.c_str(), "content-length:", 15) == 0) {
      reply.content_length = std::strtoull(line.c_str() + 15, nullptr, 10);
    }
    if (end == std::string::npos) break;
    pos = end + 2;
  }
  return reply;
}


Result<S3Session::Reply> S3Session::GetRange(uint64_t offset, size_t len, char* out) {
  const std::string range = "Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + len - 1);
  DCC_ASSIGN_OR_RETURN(Reply reply, Send("GET", {}, nullptr, 0, {range}, out, len));
  if (reply.status != 206 && reply.status != 200) return reply;  // the caller reports S3Error
  if (reply.content_length != len)
    return Status::IOError("s3://" + c_.bucket + "/" + c_.key + ": asked for " + std::to_string(len) + " bytes at " +
                           std::to_string(offset) + ", got " + std::to_string(reply.content_length) +
                           " (the object changed while being read?)");
  return reply;
}

}  // namespace dcc::client
