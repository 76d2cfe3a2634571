// src/server/http/http_types.h: the request and response that handlers see. The HTTP
// library (cpp-httplib) stays behind http_server.cc; handlers never include it.
#pragma once

#include <strings.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace dcc::server {

// Case-insensitive header name comparison.
struct HeaderLess {
  bool operator()(const std::string& a, const std::string& b) const {
    return strcasecmp(a.c_str(), b.c_str()) < 0;
  }
};
using Headers = std::multimap<std::string, std::string, HeaderLess>;

struct HttpRequest {
  std::string method;
  std::string path;    // decoded path, without the query
  std::string target;  // path and query as received, for echoing back
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in received order
  Headers headers;
  std::string body;
  std::string request_id;
  std::vector<std::string> captures;  // the route pattern's groups

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
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  Headers headers;
};

}  // namespace dcc::server
