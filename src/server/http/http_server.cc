#include "server/http/http_server.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <limits>
#include <chrono>

#include "server/http/status_map.h"

namespace dcc::server {

namespace {

bool IsSecretParam(const std::string& name) {
  static const char* const kSecret[] = {"X-Amz-Signature", "X-Amz-Credential",
                                        "X-Amz-Security-Token", "Signature", "signature",
                                        "token", "access_token", "api_key"};
  for (const char* s : kSecret)
    if (strcasecmp(name.c_str(), s) == 0) return true;
  return false;
}

}  // namespace

std::string RedactTarget(const std::string& target) {
  auto q = target.find('?');
  if (q == std::string::npos) return target;
  std::string out = target.substr(0, q + 1);
  size_t start = q + 1;
  while (start <= target.size()) {
    size_t amp = target.find('&', start);
    std::string pair = target.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = pair.find('=');
    std::string name = pair.substr(0, eq);
    out += (eq != std::string::npos && IsSecretParam(name)) ? name + "=REDACTED" : pair;
    if (amp == std::string::npos) break;
    out += '&';
    start = amp + 1;
  }
  return out;
}

struct HttpServer::Impl {
  std::unique_ptr<httplib::Server> server;
  int port = 0;
  bool tls = false;
  std::atomic<uint64_t> next_id{1};
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;
int HttpServer::BoundPort() const { return impl_->port; }
bool HttpServer::tls() const { return impl_->tls; }
void HttpServer::Stop() { impl_->server->stop(); }

Status HttpServer::Run() {
  if (!impl_->server->listen_after_bind()) return Status::IOError("listener stopped with an error");
  return Status::Ok();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(const ListenOptions& options,
                                                     const Router& router) {
  auto impl = std::make_unique<Impl>();
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty())
      return Status::InvalidArgument("--tls-cert and --tls-key must be given together");
    auto ssl = std::make_unique<httplib::SSLServer>(options.tls_cert.c_str(), options.tls_key.c_str());
    if (!ssl->is_valid())
      return Status::InvalidArgument("cannot load the TLS certificate or key (PEM expected)",
                                     options.tls_cert);
    impl->server = std::move(ssl);
    impl->tls = true;
  } else {
    impl->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& srv = *impl->server;
  const int threads = options.threads;
  srv.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  srv.set_keep_alive_max_count(100000);
  // The library writes headers and body separately; without TCP_NODELAY, Nagle's
  // algorithm and the client's delayed ACK add ~40 ms to every keep-alive response.
  srv.set_tcp_nodelay(true);
  // Bodies are read by the handlers (HttpRequest::Body enforces max_body; streaming
  // routes take any size), so the library's own limit is off.
  srv.set_payload_max_length(std::numeric_limits<size_t>::max());
  Impl* raw = impl.get();
  const bool access_log = options.access_log;
  const size_t max_body = options.max_body_bytes;

  auto handle = [raw, &router, access_log, max_body](const httplib::Request& hreq,
                                                     httplib::Response& hres,
                                                     const httplib::ContentReader* reader) {
    auto start = std::chrono::steady_clock::now();
    HttpRequest req;
    req.method = hreq.method;
    req.path = hreq.path;
    req.target = hreq.target;
    req.max_body = max_body;
    req.scheme = raw->tls ? "https" : "http";
    // A request with neither Content-Length nor Transfer-Encoding has no body (RFC 9112
    // §6.3); the library's reader would call it truncated (`curl -X POST` sends this).
    if (reader && (hreq.has_header("Content-Length") || hreq.has_header("Transfer-Encoding"))) {
      req.stream_body = [reader](const BodySink& sink) {
        return (*reader)([&](const char* data, size_t len) { return sink(data, len); });
      };
    }
    req.request_id = std::to_string(raw->next_id.fetch_add(1));
    for (const auto& [k, v] : hreq.headers) req.headers.emplace(k, v);
    for (const auto& [k, v] : hreq.params) req.query.emplace_back(k, v);
    HttpResponse res = router.Dispatch(req);
    hres.status = res.status;
    for (const auto& [k, v] : res.headers) hres.set_header(k.c_str(), v);
    hres.set_header("X-Request-Id", req.request_id);
    if (res.stream && res.stream_chunked) {
      auto stream = std::move(res.stream);
      hres.set_chunked_content_provider(res.content_type.c_str(), [stream](size_t, httplib::DataSink& sink) {
        if (!stream([&](const char* data, size_t len) { return sink.write(data, len); })) return false;
        sink.done();
        return true;
      });
    } else if (res.stream) {
      auto stream = std::move(res.stream);
      hres.set_content_provider(
          static_cast<size_t>(res.stream_length), res.content_type.c_str(),
          // A fixed-length provider: the library stops after stream_length bytes (its
          // DataSink::done is only set for chunked bodies, so it must not be called).
          [stream](size_t, size_t, httplib::DataSink& sink) {
            return stream([&](const char* data, size_t len) { return sink.write(data, len); });
          });
    } else if (req.method == "HEAD") {
      hres.set_header("Content-Type", res.content_type);
    } else {
      hres.set_content(std::move(res.body), res.content_type.c_str());
    }
    if (access_log) {
      auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::steady_clock::now() - start).count();
      spdlog::info("{} {} {} {} {}us", req.request_id, req.method, RedactTarget(req.target),
                   res.status, us);
    }
  };
  auto plain = [handle](const httplib::Request& q, httplib::Response& r) { handle(q, r, nullptr); };
  auto with_body = [handle](const httplib::Request& q, httplib::Response& r,
                            const httplib::ContentReader& reader) { handle(q, r, &reader); };
  srv.Get(".*", plain);
  srv.Options(".*", plain);
  srv.Post(".*", with_body);
  srv.Put(".*", with_body);
  srv.Patch(".*", with_body);
  srv.Delete(".*", with_body);
  // The library answers some errors itself (413 over the body limit, 400 for a malformed
  // request line); give those a JSON body like every other error.
  srv.set_error_handler([](const httplib::Request& hreq, httplib::Response& hres) {
    if (!hres.body.empty()) return;
    std::string msg = hres.status == 413 ? "request body is larger than the server accepts"
                                         : std::string(HttpReason(hres.status));
    std::string body = std::string("{\"@type\":[\"HTTPError\",\"Error\"],\"status\":\"error\",") +
                       "\"code\":" + std::to_string(hres.status) + ",\"title\":\"" +
                       HttpReason(hres.status) + "\",\"description\":\"" + msg + "\",\"detail\":\"" +
                       msg + " (" + hreq.method + ")\"}";
    hres.set_content(body, "application/json");
  });
  // The library listens with a backlog of 5 (a compile-time constant of Debian's build):
  // 16 clients connecting at once overflow it, and the kernel drops handshakes that the
  // clients then retry a second later or lose. Remember the socket and listen() on it
  // again with a real backlog, which Linux applies to a listening socket.
  int listen_fd = -1;
  srv.set_socket_options([&listen_fd](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });
  int port = options.port == 0 ? srv.bind_to_any_port(options.host)
                               : (srv.bind_to_port(options.host, options.port) ? options.port : -1);
  if (port > 0 && listen_fd >= 0 && ::listen(listen_fd, 1024) != 0) {
    spdlog::warn("could not raise the listen backlog: {}", std::strerror(errno));
  }
  if (port <= 0) {
    return Status::IOError("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                           " (address in use, or not a local address?)");
  }
  impl->port = port;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace dcc::server
