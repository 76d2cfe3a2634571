// src/server/http/http_server.h: one listener (HTTP or HTTPS) feeding a Router. Owns the
// cross-cutting edge: request ids, body limit, JSON bodies for the library's own errors,
// and a one-line access log without secrets.
#pragma once

#include <memory>
#include <string>

#include "dcc/status.h"
#include "server/http/router.h"

namespace dcc::server {

struct ListenOptions {
  std::string host = "127.0.0.1";
  int port = 0;             // 0 picks a free port; BoundPort() tells which
  std::string tls_cert;     // PEM files; both set means HTTPS
  std::string tls_key;
  size_t max_body_bytes = 64u << 20;  // larger bodies get 413
  int threads = 64;         // one per keep-alive connection being served
  bool access_log = true;
};

class HttpServer {
 public:
  // Binds the socket (so the port is known) but serves nothing until Run.
  static Result<std::unique_ptr<HttpServer>> Bind(const ListenOptions& options, const Router& router);
  ~HttpServer();
  int BoundPort() const;
  bool tls() const;
  // Serves until Stop is called from another thread (or a signal handler's thread).
  Status Run();
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The query string with credential-bearing parameters replaced by "REDACTED".
std::string RedactTarget(const std::string& target);

}  // namespace dcc::server
