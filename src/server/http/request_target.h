// src/server/http/request_target.h: splitting a request target into the decoded path and
// query that HttpRequest carries (what cpp-httplib did before the edge moved to Beast).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dcc::server {

// %XX sequences decoded (malformed ones kept as they are); '+' becomes a space only when
// `plus_is_space` (query strings, not paths).
std::string PercentDecode(const std::string& s, bool plus_is_space);

// "a=1&b&c=x%20y" -> {a,1},{b,""},{c,"x y"} in received order; empty keys are dropped.
std::vector<std::pair<std::string, std::string>> ParseQuery(const std::string& query);

}  // namespace dcc::server
