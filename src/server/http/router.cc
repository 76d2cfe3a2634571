#include "server/http/router.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "server/http/request_guard.h"

namespace dcc::server {

namespace {
// A 503 (the body budget is spent, or another transient refusal) tells the client when
// to come back, whatever the dialect's error shape.
HttpResponse WithRetryAfter(HttpResponse r, const Status& status) {
  if (status.code() == Status::Code::kUnavailable &&
      r.headers.find("Retry-After") == r.headers.end())
    r.headers.emplace("Retry-After", "1");
  return r;
}
}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler,
                 ErrorRenderer render_error, std::string description, BodyClass body_class) {
  std::regex re(pattern, std::regex::ECMAScript | std::regex::optimize);
  routes_.push_back({std::move(method), std::move(pattern), std::move(re), std::move(handler),
                     std::move(render_error), std::move(description), body_class});
}

HttpResponse Router::Dispatch(HttpRequest& req) const {
  if (merge_slashes_ && req.path.find("//") != std::string::npos) {
    auto last = std::unique(req.path.begin(), req.path.end(),
                            [](char a, char b) { return a == '/' && b == '/'; });
    req.path.erase(last, req.path.end());
  }
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  // Bounds the path before any regex runs on it; refuses query text that is not UTF-8.
  if (Status bad = CheckRequestText(req); !bad.ok()) return fallback_(bad, req);
  bool path_matched = false;
  for (const auto& route : routes_) {
    std::smatch m;
    if (!std::regex_match(req.path, m, route.regex)) continue;
    path_matched = true;
    if (route.method != method) continue;
    req.captures.assign(m.begin() + 1, m.end());
    req.max_body = limits_.For(route.body_class);
    req.max_anonymous_body = limits_.Anonymous();
    try {
      Result<HttpResponse> res = route.handler(req);
      if (res.ok()) return std::move(res).value();
      return WithRetryAfter(route.render_error(HideInternalDetail(res.status(), req), req),
                            res.status());
    } catch (const std::exception& e) {
      spdlog::error("request {}: unhandled exception in {} {}: {}", req.request_id, req.method,
                    route.pattern, e.what());
      return route.render_error(Status::Internal("internal error; see the server log for request " +
                                                 req.request_id),
                                req);
    }
  }
  if (path_matched) {
    return fallback_(Status::MethodNotAllowed("method " + req.method + " is not allowed on " +
                                              req.path),
                     req);
  }
  return fallback_(Status::NotFound("no route for " + req.path), req);
}

}  // namespace dcc::server
