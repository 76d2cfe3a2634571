// src/server/http/http_server.h: one listener (HTTP or HTTPS) feeding a Router. Owns the
// cross-cutting edge: deadlines and per-client caps (a slow or greedy client cannot hold
// the server), request ids, body limit, JSON bodies for edge-level errors, and a one-line
// access log without secrets. docs/operations.md states the limits.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "dcc/status.h"
#include "server/http/client_address.h"
#include "server/http/router.h"

namespace dcc::server {

struct ListenOptions {
  std::string host = "127.0.0.1";
  int port = 0;             // 0 picks a free port; BoundPort() tells which
  std::string tls_cert;     // PEM files; both set means HTTPS
  std::string tls_key;
  size_t max_body_bytes = 64u << 20;  // larger bodies get 413
  int threads = 64;         // workers running handlers; idle or slow connections hold none
  int io_threads = 2;       // accept, read headers, write buffered responses
  bool access_log = true;
  // Deadlines. A request's header (request line and fields) must arrive whole within
  // header_timeout_ms of its first byte (else 408); an idle keep-alive connection is
  // closed after idle_timeout_ms; each body read and response write must make progress
  // within io_timeout_ms (else the connection is cut).
  int header_timeout_ms = 10000;
  int idle_timeout_ms = 30000;
  int io_timeout_ms = 60000;
  size_t max_header_bytes = 64u << 10;  // request line + fields; more: 431
  // Caps per client (the peer address, or X-Forwarded-For's client when the peer is in
  // trusted_proxies): open connections (more: 503 and close; not applied to a trusted
  // proxy's connections, which carry many clients) and requests running in workers at
  // once (more wait at the edge, holding no worker). 0: max(1, threads / 2).
  int max_connections_per_client = 128;
  int max_running_per_client = 0;
  int max_connections = 10000;  // all clients; also bounded by the open-files limit
  std::vector<Cidr> trusted_proxies;
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
