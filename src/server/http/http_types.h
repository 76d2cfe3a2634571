// src/server/http/http_types.h: the request and response that handlers see. The HTTP
// library (Boost.Beast, in http_server.cc) stays behind the edge; handlers never include it.
#pragma once

#include <strings.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"

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
  size_t max_body = 64u << 20;        // Body() refuses more (the listener's --max-body-mib)

  // Streams the body to `sink` as it arrives, in constant memory. Call at most once,
  // and not after Body(). Returns false if the client went away or `sink` stopped.
  std::function<bool(const BodySink& sink)> stream_body;

  // The whole body, read on first use. TooLarge past `max_body` bytes.
  Result<const std::string*> Body() {
    if (!body_read_) {
      body_read_ = true;
      bool too_large = false;
      bool ok = !stream_body || stream_body([&](const char* data, size_t len) {
        if (body_.size() + len > max_body) {
          too_large = true;
          return false;
        }
        body_.append(data, len);
        return true;
      });
      if (too_large) {
        body_error_ = Status::TooLarge("request body is larger than the server accepts (" +
                                       std::to_string(max_body) + " bytes)");
      } else if (!ok) {
        body_error_ = Status::InvalidArgument("the request body ended early");
      }
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
