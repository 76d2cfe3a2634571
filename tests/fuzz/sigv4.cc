// Fuzz target: SigV4 credentials as a request carries them (common/sigv4): the first
// line is the Authorization header, the second x-amz-date, the rest a presigned query
// string (X-Amz-Credential=...&X-Amz-Signature=...).
#include "common/sigv4.h"

#include "fuzz/fuzz_target.h"

DCC_FUZZ_TARGET(sigv4) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto line = [&text](size_t& at) {
    size_t nl = text.find('\n', at);
    std::string s = text.substr(std::min(at, text.size()),
                                nl == std::string::npos ? std::string::npos : nl - at);
    at = nl == std::string::npos ? text.size() : nl + 1;
    return s;
  };
  size_t at = 0;
  dcc::sigv4::Request req;
  req.method = "PUT";
  req.path = "/bucket/key";
  req.headers["authorization"] = line(at);
  req.headers["x-amz-date"] = line(at);
  req.headers["host"] = "127.0.0.1";
  if (auto c = dcc::sigv4::ParseAuthorization(req); c.ok()) {
    (void)dcc::sigv4::CanonicalRequest(req, c->signed_headers, dcc::sigv4::kUnsignedPayload);
    (void)c->Scope();
  }
  dcc::sigv4::Request pre;
  pre.method = "GET";
  pre.path = "/bucket/key";
  pre.headers["host"] = "127.0.0.1";
  pre.query = dcc::fuzz::SplitQuery(text.substr(at));
  if (auto c = dcc::sigv4::ParsePresigned(pre); c.ok())
    (void)dcc::sigv4::CanonicalRequest(pre, c->signed_headers, dcc::sigv4::kUnsignedPayload);
  return 0;
}
