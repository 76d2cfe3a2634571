// src/server/http/router.h: every route of every dialect in one table. A route is a
// method, an anchored regex over the decoded path, a handler, the dialect's error
// renderer, a one-line description (listed by `dccd routes`), and the class of body it
// accepts (body_limits.h).
#pragma once

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "dcc/status.h"
#include "server/http/body_limits.h"
#include "server/http/http_types.h"

namespace dcc::server {

using Handler = std::function<Result<HttpResponse>(HttpRequest&)>;
// Turns a failing Status into the dialect's error response.
using ErrorRenderer = std::function<HttpResponse(const Status&, const HttpRequest&)>;

class Router {
 public:
  struct Route {
    std::string method;
    std::string pattern;
    std::regex regex;
    Handler handler;
    ErrorRenderer render_error;
    std::string description;
    BodyClass body_class = BodyClass::kWrite;
  };

  // Routes match in the order added; add specific patterns before catch-alls.
  void Add(std::string method, std::string pattern, Handler handler, ErrorRenderer render_error,
           std::string description, BodyClass body_class = BodyClass::kWrite);
  // The body sizes of each class (default: BodyLimits{}); set before serving.
  void SetBodyLimits(const BodyLimits& limits) { limits_ = limits; }
  const BodyLimits& body_limits() const { return limits_; }
  // Used when no route matches the path (404) or the method (405).
  void SetFallbackRenderer(ErrorRenderer r) { fallback_ = std::move(r); }
  // Collapse runs of '/' in the path before routing (`//user/user` is `/user/user`), as
  // the reverse proxies in front of a Gen3 commons do; the handlers see the merged path.
  // Off by default: S3 keys may hold "//" and must reach the S3 router as sent.
  void MergeRepeatedSlashes(bool on) { merge_slashes_ = on; }
  // Runs the matching route. Never throws: a handler's exception becomes a logged 500.
  HttpResponse Dispatch(HttpRequest& req) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  ErrorRenderer fallback_;
  bool merge_slashes_ = false;
  BodyLimits limits_;
};

// One row of a dialect's route table; `Ctx` is what its handlers receive (Services).
template <typename Ctx>
struct RouteEntry {
  const char* method;
  const char* pattern;
  Result<HttpResponse> (*handler)(Ctx&, HttpRequest&);
  const char* description;
  BodyClass body = BodyClass::kWrite;  // how large a body the route accepts
};

// Adds a dialect's whole table, in order, with its error renderer (also the fallback).
template <typename Ctx, size_t N>
void AddRoutes(Router& router, Ctx& ctx, const RouteEntry<Ctx> (&table)[N], const ErrorRenderer& render) {
  for (const auto& e : table) {
    auto fn = e.handler;
    router.Add(
        e.method, e.pattern, [&ctx, fn](HttpRequest& req) { return fn(ctx, req); }, render,
        e.description, e.body);
  }
  router.SetFallbackRenderer(render);
}

}  // namespace dcc::server
