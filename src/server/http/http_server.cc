// The edge on Boost.Beast/Asio. A few io threads accept connections, run TLS handshakes,
// read request headers under a deadline and write buffered responses; none of that holds
// a worker, so idle, slow or half-sent connections cost a socket and a few KiB. A request
// whose header is complete goes to a bounded worker pool that runs the synchronous
// Router::Dispatch; its body is pulled through the connection as the handler reads it
// (so `Expect: 100-continue` is answered only then), and a streamed response is pushed
// out from the worker. Per-client caps bound what one address can hold: connections
// (503 past the cap) and requests running in workers (the rest wait at the edge).
// `GET /_status` is answered on the io thread, so it stays answerable when every worker
// is busy.
#include "server/http/http_server.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <limits>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <unordered_map>

#include "common/ids.h"
#include "server/http/request_target.h"
#include "server/http/status_map.h"

namespace dcc::server {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

bool IsSecretParam(const std::string& name) {
  static const char* const kSecret[] = {
      "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
      "Signature",       "signature",        "token",
      "access_token",    "api_key"};
  for (const char* s : kSecret)
    if (strcasecmp(name.c_str(), s) == 0) return true;
  return false;
}

// The JSON error body the edge answers with (the ENCODE error envelope, as before).
std::string EdgeErrorBody(int status, const std::string& message, const std::string& method) {
  nlohmann::json body = {{"@type", {"HTTPError", "Error"}},
                         {"status", "error"},
                         {"code", status},
                         {"title", HttpReason(status)},
                         {"description", message},
                         {"detail", message + " (" + (method.empty() ? "request" : method) + ")"}};
  return body.dump();
}

// Requests that are answered on the io thread: cheap, bodiless, and what a load balancer
// or an operator polls to see whether dccd is alive.
bool IsStatusProbe(const std::string& method, const std::string& path) {
  if (method != "GET" && method != "HEAD") return false;
  return path == "/_status" || path == "/_status/" || path == "/index/_status" ||
         path == "/index/_status/" || path == "/mds/_status" || path == "/mds/_status/";
}

// A fixed pool of threads running jobs in FIFO order.
class WorkerPool {
 public:
  explicit WorkerPool(int threads) {
    for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Loop(); });
  }
  ~WorkerPool() { Stop(); }
  void Post(std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;  // `job` is dropped (outside the lock)
      jobs_.push_back(std::move(job));
    }
    cv_.notify_one();
  }
  // Joins the workers and drops the jobs nobody ran.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard lock(mu_);
      dropped.swap(jobs_);
    }
  }

 private:
  void Loop() {
    while (true) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
        if (stopping_) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// Per-client counters: open connections, and requests running in (or queued for) workers.
class ClientTable {
 public:
  ClientTable(int max_connections, int max_running, WorkerPool& pool)
      : max_connections_(max_connections), max_running_(max_running), pool_(pool) {}

  bool AddConnection(const std::string& client) {
    std::lock_guard lock(mu_);
    Entry& e = clients_[client];
    if (e.connections >= max_connections_) {
      Forget(client, e);
      return false;
    }
    ++e.connections;
    return true;
  }
  void RemoveConnection(const std::string& client) {
    std::lock_guard lock(mu_);
    auto it = clients_.find(client);
    if (it == clients_.end()) return;
    --it->second.connections;
    Forget(client, it->second);
  }
  // Runs `job` in a worker now, or once one of the client's running requests ends.
  void Submit(const std::string& client, std::function<void()> job) {
    {
      std::lock_guard lock(mu_);
      Entry& e = clients_[client];
      if (e.running >= max_running_) {
        e.waiting.push_back(std::move(job));
        return;
      }
      ++e.running;
    }
    pool_.Post(std::move(job));
  }
  // Drops the waiting jobs (at shutdown, after the workers are joined).
  void DropWaiting() {
    std::vector<std::function<void()>> dropped;
    {
      std::lock_guard lock(mu_);
      for (auto& [name, e] : clients_)
        for (auto& job : e.waiting) dropped.push_back(std::move(job));
      for (auto& [name, e] : clients_) e.waiting.clear();
    }
  }
  void Finished(const std::string& client) {
    std::function<void()> next;
    {
      std::lock_guard lock(mu_);
      auto it = clients_.find(client);
      if (it == clients_.end()) return;
      Entry& e = it->second;
      if (e.waiting.empty()) {
        --e.running;
        Forget(client, e);
        return;
      }
      next = std::move(e.waiting.front());
      e.waiting.pop_front();
    }
    pool_.Post(std::move(next));
  }

 private:
  struct Entry {
    int connections = 0;
    int running = 0;
    std::deque<std::function<void()>> waiting;
  };
  void Forget(const std::string& client, const Entry& e) {
    if (e.connections == 0 && e.running == 0 && e.waiting.empty()) clients_.erase(client);
  }
  const int max_connections_;
  const int max_running_;
  WorkerPool& pool_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> clients_;
};

// What every connection of one listener shares.
// Destroyed in reverse order: the io_context first, because the handlers it still holds
// own sessions, which use the client table and the TLS context.
struct Edge {
  const Router& router;
  ListenOptions options;
  bool tls = false;
  std::optional<ssl::context> ssl_ctx;
  std::unique_ptr<WorkerPool> pool;
  std::unique_ptr<ClientTable> clients;
  std::atomic<int> connections{0};
  std::atomic<bool> stopping{false};
  asio::io_context ioc;

  Edge(const Router& r, const ListenOptions& o) : router(r), options(o) {}
};

// The result of an asynchronous operation that a worker thread waits for.
struct Waited {
  error_code ec;
  size_t bytes = 0;
};

// Starts an operation whose completion handler runs on an io thread and blocks the
// calling worker until it completes (or the server stops).
template <typename Initiate>
Waited Await(Edge& edge, Initiate&& initiate) {
  auto done = std::make_shared<std::promise<Waited>>();
  auto result = done->get_future();
  initiate([done](error_code ec, size_t n) { done->set_value(Waited{ec, n}); });
  while (result.wait_for(std::chrono::milliseconds(200)) != std::future_status::ready) {
    if (edge.stopping) return Waited{asio::error::operation_aborted, 0};
  }
  return result.get();
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  template <typename... Args>
  Session(Edge& edge, std::string peer, Args&&... args)
      : edge_(edge),
        stream_(std::forward<Args>(args)...),
        timer_(stream_.get_executor()),
        peer_(std::move(peer)) {}

  ~Session() {
    if (!conn_client_.empty()) edge_.clients->RemoveConnection(conn_client_);
    --edge_.connections;
  }

  // `client`: whom the connection counts against ("" when not counted: a trusted proxy).
  void Start(std::string client, bool over_cap) {
    conn_client_ = std::move(client);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      ArmHeaderTimer();
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this(), over_cap](error_code ec) {
                                self->DisarmTimer();
                                if (ec) return self->Close();
                                self->Begin(over_cap);
                              });
    } else {
      Begin(over_cap);
    }
  }

 private:
  void Begin(bool over_cap) {
    if (over_cap) {
      return WriteEdgeError(503, "too many connections from this client; retry later", "");
    }
    WaitForRequest();
  }

  auto& Socket() { return beast::get_lowest_layer(stream_).socket(); }

  // The header deadline runs on its own timer (not the stream's, which would close the
  // socket) so that a late client still gets its 408.
  // Both run on the connection's strand; the generation makes an expiry that was already
  // queued when the read finished harmless.
  void ArmHeaderTimer(int ms = -1) {
    timed_out_ = false;
    beast::get_lowest_layer(stream_).expires_never();
    timer_.expires_after(std::chrono::milliseconds(ms < 0 ? edge_.options.header_timeout_ms : ms));
    timer_.async_wait([self = this->shared_from_this(), gen = ++timer_gen_](error_code ec) {
      if (ec || gen != self->timer_gen_) return;  // cancelled: the read finished first
      self->timed_out_ = true;
      error_code ignored;
      self->Socket().cancel(ignored);
    });
  }
  void DisarmTimer() {
    ++timer_gen_;
    timer_.cancel();
  }

  // Between requests: wait (idle timeout) for the first byte of the next one.
  void WaitForRequest() {
    if (edge_.stopping) return Close();
    if (buffer_.size() > 0) return ReadHeader();
    ArmHeaderTimer(edge_.options.idle_timeout_ms);
    stream_.async_read_some(buffer_.prepare(16 << 10),
                            [self = this->shared_from_this()](error_code ec, size_t n) {
                              self->DisarmTimer();
                              if (ec) return self->Close();  // idle timeout, or the client left
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(edge_.options.max_header_bytes));
    // Handlers enforce body limits (HttpRequest::Body). Not boost::none: Beast 1.74 compares
    // the length with the optional, and every body would exceed "none".
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    ArmHeaderTimer();
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](error_code ec, size_t) {
                               self->DisarmTimer();
                               self->OnHeader(ec);
                             });
  }

  void OnHeader(error_code ec) {
    if (ec) {
      if (timed_out_)
        return WriteEdgeError(408,
                              "the request header did not arrive within " +
                                  std::to_string(edge_.options.header_timeout_ms / 1000) + " s",
                              "");
      if (ec == bhttp::error::header_limit)
        return WriteEdgeError(431,
                              "the request header is larger than " +
                                  std::to_string(edge_.options.max_header_bytes) + " bytes",
                              "");
      if (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
          ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
          ec == ssl::error::stream_truncated)
        return Close();
      return WriteEdgeError(400, "malformed request: " + ec.message(), "");
    }
    start_ = std::chrono::steady_clock::now();
    BuildRequest();
    if (IsStatusProbe(req_.method, req_.path) && parser_->is_done()) {
      HttpResponse res = edge_.router.Dispatch(req_);
      Log(res.status);
      return WriteBuffered(std::move(res));
    }
    const std::string& forwarded = req_.Header("X-Forwarded-For");
    client_ = ClientOf(peer_, forwarded, edge_.options.trusted_proxies);
    edge_.clients->Submit(client_, [self = this->shared_from_this()] { self->Handle(); });
  }

  void BuildRequest() {
    auto& msg = parser_->get();
    req_ = HttpRequest();
    req_.method = std::string(msg.method_string());
    req_.target = std::string(msg.target());
    auto q = req_.target.find('?');
    req_.path = PercentDecode(req_.target.substr(0, q), /*plus_is_space=*/false);
    if (q != std::string::npos) req_.query = ParseQuery(req_.target.substr(q + 1));
    for (const auto& f : msg)
      req_.headers.emplace(std::string(f.name_string()), std::string(f.value()));
    req_.max_body = edge_.options.max_body_bytes;
    req_.scheme = edge_.tls ? "https" : "http";
    req_.request_id = NewRequestId();  // unique across processes (common/ids.h)
    keep_alive_ = msg.keep_alive();
    expect_continue_ = beast::iequals(msg[bhttp::field::expect], "100-continue");
    if (!parser_->is_done()) {
      req_.stream_body = [this](const BodySink& sink) { return PullBody(sink); };
    }
  }

  // Worker side. Reads the body through the parser into a buffer, handing each piece to
  // `sink`; false if the client went away, stalled, or `sink` stopped.
  bool PullBody(const BodySink& sink) {
    if (expect_continue_) {
      expect_continue_ = false;
      static const char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
      beast::get_lowest_layer(stream_).expires_after(IoTimeout());
      Waited w = Await(edge_, [&](auto handler) {
        asio::async_write(stream_, asio::buffer(kContinue, sizeof kContinue - 1),
                          std::move(handler));
      });
      if (w.ec) return Broken();
    }
    std::vector<char> buf(256 << 10);
    while (!parser_->is_done()) {
      parser_->get().body().data = buf.data();
      parser_->get().body().size = buf.size();
      beast::get_lowest_layer(stream_).expires_after(IoTimeout());
      Waited w = Await(edge_, [&](auto handler) {
        bhttp::async_read(stream_, buffer_, *parser_, std::move(handler));
      });
      if (w.ec && w.ec != bhttp::error::need_buffer) return Broken();
      size_t got = buf.size() - parser_->get().body().size;
      if (got > 0 && !sink(buf.data(), got)) return false;
    }
    return true;
  }

  bool Broken() {
    broken_ = true;
    return false;
  }

  std::chrono::milliseconds IoTimeout() const {
    return std::chrono::milliseconds(edge_.options.io_timeout_ms);
  }

  // Worker side: run the route, then answer.
  void Handle() {
    HttpResponse res = edge_.router.Dispatch(req_);
    Log(res.status);
    if (res.stream && req_.method != "HEAD") {
      WriteStreamed(std::move(res));
      Finished();
      AfterResponse();
      return;
    }
    // Buffered: the io thread writes it and the worker is free at once.
    Finished();
    WriteBuffered(std::move(res));
  }

  void Finished() { edge_.clients->Finished(client_); }

  void Log(int status) {
    if (!edge_.options.access_log) return;
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start_)
                  .count();
    spdlog::info("{} {} {} {} {}us", req_.request_id, req_.method, RedactTarget(req_.target),
                 status, us);
  }

  // Whether the connection can carry another request: the client asked for it, and this
  // request's body was read to its end (otherwise its unread rest would be parsed as the
  // next request).
  bool Reusable() const {
    return keep_alive_ && !broken_ && parser_ && parser_->is_done() && !edge_.stopping;
  }

  template <typename Message>
  void CopyHeaders(Message& m, const HttpResponse& res) {
    for (const auto& [k, v] : res.headers) m.insert(k, v);
    m.set("X-Request-Id", req_.request_id);
    if (!res.content_type.empty() && m.find(bhttp::field::content_type) == m.end())
      m.set(bhttp::field::content_type, res.content_type);
  }

  void WriteBuffered(HttpResponse res) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(res.status));
    CopyHeaders(*msg, res);
    bool head = req_.method == "HEAD";
    if (head) {
      msg->content_length(res.stream ? res.stream_length : res.body.size());
      if (res.stream && res.stream_chunked) msg->erase(bhttp::field::content_length);
    } else {
      const int s = res.status;
      if (s != 204 && s != 304 && s >= 200) msg->body() = std::move(res.body);
      msg->prepare_payload();
    }
    const bool reuse = Reusable();
    msg->keep_alive(reuse);
    // A HEAD answer carries the GET's Content-Length but no body; tell the serializer.
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::string_body>>(*msg);
    if (head) sr->split(true);
    beast::get_lowest_layer(stream_).expires_after(IoTimeout());
    auto self = this->shared_from_this();
    if (head) {
      bhttp::async_write_header(stream_, *sr, [self, msg, sr, reuse](error_code ec, size_t) {
        if (ec) return self->Close();
        reuse ? self->WaitForRequest() : self->Linger();
      });
    } else {
      bhttp::async_write(stream_, *sr, [self, msg, sr, reuse](error_code ec, size_t) {
        if (ec) return self->Close();
        reuse ? self->WaitForRequest() : self->Linger();
      });
    }
  }

  // Worker side: header, then the handler's pieces, fixed-length or chunked.
  void WriteStreamed(HttpResponse res) {
    bhttp::response<bhttp::empty_body> msg;
    msg.version(11);
    msg.result(static_cast<unsigned>(res.status));
    CopyHeaders(msg, res);
    if (res.stream_chunked)
      msg.chunked(true);
    else
      msg.content_length(res.stream_length);
    msg.keep_alive(Reusable());
    bhttp::response_serializer<bhttp::empty_body> sr(msg);
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_after(IoTimeout());
    Waited w = Await(
        edge_, [&](auto handler) { bhttp::async_write_header(stream_, sr, std::move(handler)); });
    if (w.ec) {
      broken_ = true;
      return;
    }
    uint64_t sent = 0;
    const bool chunked = res.stream_chunked;
    const uint64_t limit = res.stream_length;
    bool ok = res.stream([&](const char* data, size_t len) {
      if (len == 0) return true;
      if (!chunked && sent + len > limit) return false;  // more than announced
      lowest.expires_after(IoTimeout());
      Waited wr = Await(edge_, [&](auto handler) {
        if (chunked)
          asio::async_write(stream_, bhttp::make_chunk(asio::const_buffer(data, len)),
                            std::move(handler));
        else
          asio::async_write(stream_, asio::const_buffer(data, len), std::move(handler));
      });
      if (wr.ec) return false;
      sent += len;
      return true;
    });
    if (ok && chunked) {
      lowest.expires_after(IoTimeout());
      Waited wl = Await(edge_, [&](auto handler) {
        asio::async_write(stream_, bhttp::make_chunk_last(), std::move(handler));
      });
      ok = !wl.ec;
    }
    if (!ok || (!chunked && sent != limit)) broken_ = true;  // the client sees a short body
  }

  // Worker side, after a streamed response: back to the io threads.
  void AfterResponse() {
    auto self = this->shared_from_this();
    asio::post(stream_.get_executor(), [self] {
      if (self->broken_) return self->Close();
      self->Reusable() ? self->WaitForRequest() : self->Linger();
    });
  }

  void WriteEdgeError(int status, const std::string& message, const std::string& method) {
    auto msg = std::make_shared<bhttp::response<bhttp::string_body>>();
    msg->version(11);
    msg->result(static_cast<unsigned>(status));
    msg->set(bhttp::field::content_type, "application/json");
    msg->body() = EdgeErrorBody(status, message, method);
    msg->keep_alive(false);
    msg->prepare_payload();
    spdlog::info("- {} {} from {}", status, message, peer_);
    beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
    bhttp::async_write(stream_, *msg,
                       [self = this->shared_from_this(), msg](error_code ec, size_t) {
                         if (ec) return self->Close();
                         self->Linger();
                       });
  }

  // Closing a socket with unread request bytes makes the kernel send a reset, which can
  // destroy the answer before the client reads it (a refused upload would see "connection
  // reset" instead of its 403). Stop sending, read and drop what the client still sends
  // for a short while, then close.
  void Linger() {
    error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_send, ignored);
    linger_buf_.resize(16 << 10);
    linger_deadline_ = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    DrainOnce();
  }
  void DrainOnce() {
    auto& lowest = beast::get_lowest_layer(stream_);
    lowest.expires_at(linger_deadline_);
    lowest.async_read_some(asio::buffer(linger_buf_),
                           [self = this->shared_from_this()](error_code ec, size_t) {
                             if (ec) return self->Close();
                             self->DrainOnce();
                           });
  }

  void Close() {
    error_code ignored;
    Socket().shutdown(tcp::socket::shutdown_both, ignored);
    Socket().close(ignored);
  }

  Edge& edge_;
  Stream stream_;
  asio::steady_timer timer_;
  std::string peer_;         // the peer's address
  std::string conn_client_;  // whom this connection counts against
  std::string client_;       // whom the current request counts against
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::buffer_body>> parser_;
  HttpRequest req_;
  std::chrono::steady_clock::time_point start_;
  bool keep_alive_ = false;
  bool expect_continue_ = false;
  bool broken_ = false;
  bool timed_out_ = false;
  uint64_t timer_gen_ = 0;
  std::vector<char> linger_buf_;
  std::chrono::steady_clock::time_point linger_deadline_;
};

// Connections past what the open-files limit allows would make accept() fail in a loop.
int ConnectionLimit(int configured) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    int room = static_cast<int>(rl.rlim_cur) - 128;  // the store, blobs and logs need some
    if (room > 0 && room < configured) return room;
  }
  return configured;
}

}  // namespace

std::string RedactTarget(const std::string& target) {
  auto q = target.find('?');
  if (q == std::string::npos) return target;
  std::string out = target.substr(0, q + 1);
  size_t start = q + 1;
  while (start <= target.size()) {
    size_t amp = target.find('&', start);
    std::string pair =
        target.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
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
  std::unique_ptr<Edge> edge;
  std::optional<tcp::acceptor> acceptor;
  std::optional<asio::steady_timer> retry;  // re-arms accept after a failure (EMFILE)
  int port = 0;
  int max_connections = 0;

  ~Impl() {
    if (!edge) return;
    edge->stopping = true;
    edge->pool->Stop();  // workers first: they use sessions owned by io handlers
    edge->clients->DropWaiting();
    acceptor.reset();
    retry.reset();
  }

  void Accept() {
    acceptor->async_accept(asio::make_strand(edge->ioc), [this](error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || edge->stopping) return;
        spdlog::warn("accept failed: {}", ec.message());
        retry->expires_after(std::chrono::milliseconds(100));
        retry->async_wait([this](error_code e) {
          if (!e) Accept();
        });
        return;
      }
      Admit(std::move(socket));
      Accept();
    });
  }

  void Admit(tcp::socket socket) {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    auto remote = socket.remote_endpoint(ec);
    if (ec) return;
    std::string peer =
        remote.address().is_v6() && remote.address().to_v6().is_v4_mapped()
            ? asio::ip::make_address_v4(asio::ip::v4_mapped, remote.address().to_v6()).to_string()
            : remote.address().to_string();
    if (edge->connections.load() >= max_connections) {
      spdlog::warn("connection from {} refused: {} connections open", peer, max_connections);
      return;  // the socket closes; past this many there is no room to even answer
    }
    ++edge->connections;
    const bool proxy = InAny(edge->options.trusted_proxies, peer);
    bool over_cap = false;
    std::string counted;
    if (!proxy) {
      if (edge->clients->AddConnection(peer))
        counted = peer;
      else
        over_cap = true;
    }
    if (edge->tls) {
      auto s = std::make_shared<Session<TlsStream>>(*edge, peer, std::move(socket), *edge->ssl_ctx);
      s->Start(counted, over_cap);
    } else {
      auto s = std::make_shared<Session<PlainStream>>(*edge, peer, std::move(socket));
      s->Start(counted, over_cap);
    }
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;
int HttpServer::BoundPort() const { return impl_->port; }
bool HttpServer::tls() const { return impl_->edge->tls; }

void HttpServer::Stop() {
  Edge& edge = *impl_->edge;
  edge.stopping = true;
  asio::post(edge.ioc, [this] {
    error_code ignored;
    impl_->acceptor->close(ignored);
  });
  edge.ioc.stop();
}

Status HttpServer::Run() {
  Edge& edge = *impl_->edge;
  impl_->Accept();
  std::vector<std::thread> io;
  for (int i = 1; i < std::max(1, edge.options.io_threads); ++i)
    io.emplace_back([&edge] { edge.ioc.run(); });
  edge.ioc.run();
  for (auto& t : io) t.join();
  return Status::Ok();
}

Result<std::unique_ptr<HttpServer>> HttpServer::Bind(const ListenOptions& options,
                                                     const Router& router) {
  auto impl = std::make_unique<Impl>();
  impl->edge = std::make_unique<Edge>(router, options);
  Edge& edge = *impl->edge;
  if (!options.tls_cert.empty() || !options.tls_key.empty()) {
    if (options.tls_cert.empty() || options.tls_key.empty())
      return Status::InvalidArgument("--tls-cert and --tls-key must be given together");
    edge.ssl_ctx.emplace(ssl::context::tls_server);
    edge.ssl_ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1);
    error_code ec;
    edge.ssl_ctx->use_certificate_chain_file(options.tls_cert, ec);
    if (!ec) edge.ssl_ctx->use_private_key_file(options.tls_key, ssl::context::pem, ec);
    if (ec)
      return Status::InvalidArgument(
          "cannot load the TLS certificate or key (PEM expected): " + ec.message(),
          options.tls_cert);
    edge.tls = true;
  }
  const int running = options.max_running_per_client > 0 ? options.max_running_per_client
                                                         : std::max(1, options.threads / 2);
  edge.pool = std::make_unique<WorkerPool>(options.threads);
  edge.clients =
      std::make_unique<ClientTable>(options.max_connections_per_client, running, *edge.pool);
  impl->max_connections = ConnectionLimit(options.max_connections);
  impl->retry.emplace(edge.ioc);

  const Status cannot =
      Status::IOError("cannot listen on " + options.host + ":" + std::to_string(options.port) +
                      " (address in use, or not a local address?)");
  error_code ec;
  tcp::resolver resolver(edge.ioc);
  auto endpoints = resolver.resolve(options.host, std::to_string(options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) return cannot;
  for (const auto& entry : endpoints) {
    tcp::acceptor acceptor(edge.ioc);
    acceptor.open(entry.endpoint().protocol(), ec);
    if (ec) continue;
    acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor.bind(entry.endpoint(), ec);
    if (ec) continue;
    // A real backlog: 16 clients connecting at once must not overflow it.
    acceptor.listen(1024, ec);
    if (ec) continue;
    impl->port = acceptor.local_endpoint().port();
    impl->acceptor.emplace(std::move(acceptor));
    break;
  }
  if (!impl->acceptor) return cannot;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

}  // namespace dcc::server
