// src/server/http/http_types.h: the request and response that handlers see. The HTTP
// library (Boost.Beast, in http_server.cc) stays behind the edge; handlers never include it.
#pragma once

#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"
#include "server/http/body_budget.h"

namespace dcc::server {

// Case-insensitive header name comparison.
struct HeaderLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return strcasecmp(a.c_str(), b.c_str()) < 0;
  }
};
using Headers = std::multimap<std::string, std::string, HeaderLess>;

// Receives body bytes in pieces; returns false to stop.
using BodySink = std::function<bool(const char* data, size_t len)>;

struct HttpRequest {
  std::string method;
  std::string path;    // decoded path, without the query
  std::string target;  // path and query as received, for echoing back
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in received order
  Headers headers;
  std::string request_id;
  std::string scheme = "http";        // "https" on a TLS listener (for absolute URLs)
  std::vector<std::string> captures;  // the route pattern's groups
  // Body() limits (bytes), set by the router from the route's BodyClass (body_limits.h):
  // `max_body` once the handler has verified the caller's credentials, and never more
  // than `max_anonymous_body` before that.
  size_t max_body = 64u << 20;
  size_t max_anonymous_body = 1u << 20;
  // Set by the dialect's authentication once a caller's credentials were verified; until
  // then the body is held to max_anonymous_body. Authenticate first, then read the body.
  bool credentials_verified = false;
  // The bytes this request holds in its body and parsed document, charged to the
  // process-wide BodyBudget and given back when the request ends.
  BodyCharge budget;

  // Streams the body to `sink` as it arrives, in constant memory. Call at most once,
  // and not after Body(). Returns false if the client went away or `sink` stopped.
  std::function<bool(const BodySink& sink)> stream_body;

  // The limit Body() applies now.
  size_t BodyLimitNow() const {
    return credentials_verified ? max_body : std::min(max_body, max_anonymous_body);
  }

  // The whole body, read on first use: TooLarge past BodyLimitNow() (at once when the
  // Content-Length says so, without reading), Unavailable when the process's budget for
  // bodies is spent (503; the router adds Retry-After).
  Result<const std::string*> Body() {
    if (!body_read_) {
      body_read_ = true;
      body_error_ = ReadBody();
      if (!body_error_.ok()) std::string().swap(body_);
    }
    if (!body_error_.ok()) return body_error_;
    return &body_;
  }

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  // First value of a query parameter, or "".
  std::string Query(const std::string& name) const {
    for (const auto& [k, v] : query)
      if (k == name) return v;
    return {};
  }
  bool HasQuery(const std::string& name) const {
    for (const auto& kv : query)
      if (kv.first == name) return true;
    return false;
  }

 private:
  Status TooLargeError(size_t limit) const {
    std::string msg =
        "request body is larger than this route accepts (" + std::to_string(limit) + " bytes";
    if (!credentials_verified && limit < max_body) msg += " without verified credentials";
    return Status::TooLarge(msg + ")");
  }

  Status ReadBody() {
    const size_t limit = BodyLimitNow();
    const std::string declared = Header("Content-Length");
    if (!declared.empty()) {
      char* end = nullptr;
      errno = 0;
      unsigned long long n = std::strtoull(declared.c_str(), &end, 10);
      if (errno == 0 && end && *end == '\0' && declared[0] != '-') {
        if (n > limit) return TooLargeError(limit);
        Status charged = budget.Add(static_cast<size_t>(n));
        if (!charged.ok()) return charged;
        body_.reserve(static_cast<size_t>(n));
      }
    }
    if (!stream_body) return Status::Ok();
    Status error;
    bool ok = stream_body([&](const char* data, size_t len) {
      if (body_.size() + len > limit) {
        error = TooLargeError(limit);
        return false;
      }
      if (body_.size() + len > budget.bytes()) {  // no (or a wrong) Content-Length
        error = budget.Add(std::max(body_.size() + len - budget.bytes(), size_t{64} << 10));
        if (!error.ok()) return false;
      }
      body_.append(data, len);
      return true;
    });
    if (!error.ok()) return error;
    if (!ok) return Status::InvalidArgument("the request body ended early");
    return Status::Ok();
  }

  std::string body_;
  bool body_read_ = false;
  Status body_error_;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
  // A streamed body instead of `body`: `stream_length` bytes written through the sink
  // by `stream` (which returns false if it failed part-way; the connection is then cut).
  std::function<bool(const BodySink& sink)> stream;
  uint64_t stream_length = 0;
  // A streamed body of unknown length, sent with chunked transfer encoding
  // (stream_length is then ignored).
  bool stream_chunked = false;
};

}  // namespace dcc::server
