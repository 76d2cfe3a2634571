// dccd: the dcc portal server. `dccd serve` runs it; `dccd admin ...` prepares a data
// directory (schema, users, access keys) without a running server.
#include <malloc.h>
#include <signal.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <thread>

#include "server/api/drs/routes.h"
#include "server/api/encode/routes.h"
#include "server/api/fence/routes.h"
#include "server/api/indexd/routes.h"
#include "server/api/mds/routes.h"
#include "server/api/s3/routes.h"
#include "server/api/tus/routes.h"
#include "server/auth/authenticator.h"
#include "server/auth/jwt_keys.h"
#include "server/auth/token_service.h"
#include "server/auth/upload_credentials.h"
#include "server/blob/blob_store.h"
#include "server/http/body_budget.h"
#include "server/http/http_server.h"
#include "server/services/admin_service.h"
#include "server/services/attachment_service.h"
#include "server/services/data_service.h"
#include "server/services/file_service.h"
#include "server/services/index_record.h"
#include "server/services/index_service.h"
#include "server/services/metadata_service.h"
#include "server/services/s3_service.h"
#include "server/services/search_service.h"
#include "server/services/services.h"
#include "server/services/test_crash_points.h"

#ifndef DCC_DEFAULT_PROFILES_DIR
#define DCC_DEFAULT_PROFILES_DIR "/usr/share/dcc/profiles"
#endif

namespace dcc::server {
namespace {
namespace fs = std::filesystem;

constexpr const char* kDatabaseFile = "dcc.sqlite";

int Fail(const Status& s) {
  std::cerr << "dccd: " << s.ToString() << "\n";
  return s.code() == Status::Code::kInvalidArgument || s.code() == Status::Code::kNotFound ? 2 : 1;
}

struct CommonOptions {
  std::string data_dir;
  std::vector<std::string> profile_dirs;
  bool no_default_profiles = false;
  std::string accession_prefix = "DCC";
};

// What every subcommand needs: the store, the profiles and the records service.
struct Core {
  std::unique_ptr<RecordStore> store;
  std::unique_ptr<SearchIndex> index;
  std::shared_ptr<const schema::ProfileSet> profiles;
  std::unique_ptr<RecordService> records;
};

Result<Core> OpenCore(const CommonOptions& o, bool create) {
  fs::path db = fs::path(o.data_dir) / kDatabaseFile;
  std::error_code ec;
  if (!create && !fs::exists(db, ec)) {
    return Status::InvalidArgument("data directory is not initialised; run: dccd admin init --data-dir " +
                                       o.data_dir,
                                   o.data_dir);
  }
  if (create) {
    fs::create_directories(fs::path(o.data_dir) / "blobs", ec);
    if (ec) return Status::IOError("cannot create data directory: " + ec.message(), o.data_dir);
  }
  std::vector<std::string> dirs;
  if (!o.no_default_profiles) dirs.push_back(DCC_DEFAULT_PROFILES_DIR);
  dirs.insert(dirs.end(), o.profile_dirs.begin(), o.profile_dirs.end());
  Core core;
  DCC_ASSIGN_OR_RETURN(core.profiles, schema::ProfileSet::Load(dirs));
  DCC_ASSIGN_OR_RETURN(core.store, OpenSqliteRecordStore(db.string()));
  RecordsOptions ro;
  ro.accession_prefix = o.accession_prefix;
  core.index = std::make_unique<SearchIndex>();
  core.records = std::make_unique<RecordService>(*core.store, *core.index, core.profiles, ro);
  return core;
}

Status ValidatePrefix(const std::string& p) {
  if (p.size() < 2 || p.size() > 5 ||
      p.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string::npos)
    return Status::InvalidArgument("must be 2 to 5 upper-case letters, e.g. ENC", "--accession-prefix");
  return Status::Ok();
}

struct ServeOptions {
  std::string listen = "127.0.0.1:8000";
  std::string s3_listen;       // empty: no S3 endpoint
  std::string s3_port_file;
  std::string s3_bucket = "dcc-files";
  int64_t upload_credential_seconds = 36 * 3600;
  int64_t tus_expire_seconds = 24 * 3600;
  int64_t sweep_seconds = 600;
  std::string tls_cert, tls_key, port_file, log_level = "info";
  std::string public_url;  // empty: http(s)://<listen host>:<bound port>
  std::string s3_public_url;  // empty: http(s)://<s3 listen host>:<bound port>
  std::vector<std::string> trusted_proxies;
  int header_timeout_seconds = 10;
  int idle_timeout_seconds = 30;
  int max_connections_per_client = 128;
  int max_running_per_client = 0;
  int threads = 64;
  size_t max_body_mib = 64;              // record writes; bounds every other class
  size_t max_write_body_kib = 2048;      // ordinary JSON writes
  size_t max_bulk_body_mib = 16;         // /bulk/index, MDS batch create
  size_t max_anonymous_body_kib = 1024;  // any route, before credentials are verified
  size_t body_budget_mib = 256;          // all bodies and parsed documents held at once
  bool no_access_log = false;
  std::string did_prefix;  // prepended to minted index GUIDs, e.g. "dg.4242/"
  int64_t access_url_seconds = 3600;  // lifetime of DRS access URLs
  size_t bulk_max_records = 10000;    // records per POST /bulk/index
};

Status ParseListen(const std::string& value, const char* flag, ListenOptions& lo) {
  auto colon = value.rfind(':');
  if (colon == std::string::npos)
    return Status::InvalidArgument("expected HOST:PORT, e.g. 127.0.0.1:8000", flag);
  lo.host = value.substr(0, colon);
  try {
    lo.port = std::stoi(value.substr(colon + 1));
  } catch (...) {
    return Status::InvalidArgument("port is not a number", flag);
  }
  return Status::Ok();
}

// The public URL is recorded in the data dir so that `dccd admin api-key` can put the
// same issuer in the keys it makes offline.
constexpr const char* kPublicUrlFile = "public_url";

std::string RecordedPublicUrl(const std::string& data_dir) {
  std::ifstream in(fs::path(data_dir) / kPublicUrlFile);
  std::string url;
  std::getline(in, url);
  return url;
}

Status CheckPublicUrl(std::string& url, const char* flag = "--public-url") {
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Status::InvalidArgument("must start with http:// or https://, e.g. https://dcc.example.org", flag);
  return Status::Ok();
}

Result<TokenService> MakeTokenService(RecordStore& store, const std::string& data_dir,
                                      const std::string& public_url) {
  DCC_ASSIGN_OR_RETURN(JwtKeys keys, JwtKeys::LoadOrCreate(data_dir));
  TokenOptions to;
  to.issuer = public_url + "/user";
  return TokenService(store, std::move(keys), to);
}

void WritePortFile(const std::string& path, int port) {
  if (path.empty()) return;
  std::string tmp = path + ".tmp";
  std::ofstream(tmp) << port << "\n";
  fs::rename(tmp, path);  // readers never see a half-written file
}

int RunServe(const CommonOptions& common, const ServeOptions& o) {
  spdlog::set_level(spdlog::level::from_str(o.log_level));
  if (Status s = ValidatePrefix(common.accession_prefix); !s.ok()) return Fail(s);
  if (std::string n = CommonsLayoutNameOf(o.did_prefix + "x"); !n.empty())
    return Fail(Status::InvalidArgument("--did-prefix may not begin with '" + n +
                                        "/': that name is an indexd endpoint under /index/"));
  std::string given_public_url = o.public_url;  // checked before anything starts
  if (!given_public_url.empty()) {
    if (Status s = CheckPublicUrl(given_public_url); !s.ok()) return Fail(s);
  }
  std::string given_s3_public_url = o.s3_public_url;
  if (!given_s3_public_url.empty()) {
    if (Status s = CheckPublicUrl(given_s3_public_url, "--s3-public-url"); !s.ok()) return Fail(s);
  }
  ListenOptions lo;
  if (Status s = ParseListen(o.listen, "--listen", lo); !s.ok()) return Fail(s);
  lo.tls_cert = o.tls_cert;
  lo.tls_key = o.tls_key;
  lo.threads = o.threads;
  lo.max_body_bytes = o.max_body_mib << 20;
  lo.access_log = !o.no_access_log;
  lo.header_timeout_ms = o.header_timeout_seconds * 1000;
  lo.idle_timeout_ms = o.idle_timeout_seconds * 1000;
  lo.max_connections_per_client = o.max_connections_per_client;
  lo.max_running_per_client = o.max_running_per_client;
  for (const std::string& cidr : o.trusted_proxies) {
    auto block = ParseCidr(cidr);
    if (!block.ok()) return Fail(block.status());
    lo.trusted_proxies.push_back(*block);
  }

  LoadTestCrashPoint();  // DCC_TEST_CRASH_AT: test only, inert unless set
  auto core = OpenCore(common, /*create=*/false);
  if (!core.ok()) return Fail(core.status());
  auto index_start = std::chrono::steady_clock::now();
  if (Status s = core->records->BuildIndex(); !s.ok()) return Fail(s);
  spdlog::info("indexed {} records in {} ms", core->index->size(),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - index_start).count());
  auto blobs = OpenLocalBlobStore((fs::path(common.data_dir) / "blobs").string());
  if (!blobs.ok()) return Fail(blobs.status());
  auto server_key = LoadOrCreateServerKey(common.data_dir);
  if (!server_key.ok()) return Fail(server_key.status());
  UploadCredentialIssuer issuer(*server_key);
  UrlSigner signer(*server_key);
  FileServiceOptions fo;
  fo.bucket = o.s3_bucket;
  fo.credential_seconds = o.upload_credential_seconds;
  FileService files(*core->records, **blobs, issuer, signer, fo);
  core->records->SetDecorator([&files](RecordReader& r, const Caller& c, const StoredRecord& rec,
                                       nlohmann::json& doc) { files.Decorate(r, c, rec, doc); });
  S3Service s3_service(files, *core->store);
  AttachmentService attachments(*core->records, **blobs);
  core->records->SetPreparer([&attachments](const schema::Profile& p, nlohmann::json& doc,
                                            const nlohmann::json* old, std::vector<Status::Detail>& errors) {
    attachments.Process(p, doc, old, errors);
  });
  Authenticator auth(*core->store);
  SearchService search(*core->records);
  TusOptions tus_options;
  tus_options.expire_seconds = o.tus_expire_seconds;
  TusService tus_service(files, *core->records, tus_options);
  Authorizer authz(*core->store);
  // The token issuer needs the bound port, known only after Bind; the routes are
  // registered before Bind, so the service is built first and told its issuer below.
  auto keys = JwtKeys::LoadOrCreate(common.data_dir);
  if (!keys.ok()) return Fail(keys.status());
  TokenService tokens(*core->store, *keys, TokenOptions{});
  auth.SetTokenService(&tokens);
  MetadataService metadata(*core->store, authz);
  IndexOptions index_options;
  index_options.did_prefix = o.did_prefix;
  index_options.access_url_seconds = o.access_url_seconds;
  index_options.bulk_max_records = o.bulk_max_records;
  IndexService index(*core->records, files, authz, signer, index_options);
  DataOptions data_options;
  data_options.bucket = o.s3_bucket;
  DataService data(index, s3_service, issuer, data_options);
  // A completion that dccd died inside is finished before anything is served.
  auto recovered = files.RecoverCompletions([&](const CompletionEntry& e) {
    if (!e.tus_id.empty()) return tus_service.MarkCompleted(e.tus_id);
    if (!e.multipart_id.empty()) return s3_service.ForgetCompleted(e.multipart_id);
    return Status::Ok();
  });
  if (!recovered.ok()) return Fail(recovered.status());
  if (*recovered > 0)
    spdlog::info("finished {} upload completions cut short by the last stop", *recovered);
  Services services{auth, *core->records, search, *core->profiles, files, s3_service, issuer, attachments,
                    tus_service, authz, index, tokens, metadata, data};
  BodyLimits body_limits;
  body_limits.record = o.max_body_mib << 20;
  body_limits.write = o.max_write_body_kib << 10;
  body_limits.bulk = o.max_bulk_body_mib << 20;
  body_limits.anonymous = o.max_anonymous_body_kib << 10;
  BodyBudget::SetLimit(o.body_budget_mib << 20);
  Router router;
  router.MergeRepeatedSlashes(true);  // `//user/user` (the Gen3 SDK) is `/user/user`
  router.SetBodyLimits(body_limits);
  tus::RegisterRoutes(router, services);  // before the portal API's catch-all routes
  indexd::RegisterRoutes(router, services);
  drs::RegisterRoutes(router, services);
  fence::RegisterRoutes(router, services);
  mds::RegisterRoutes(router, services);
  encode::RegisterRoutes(router, services);
  Router s3_router;
  s3_router.SetBodyLimits(body_limits);
  s3::RegisterRoutes(s3_router, services);
  std::unique_ptr<HttpServer> s3_server;
  std::string s3_url;  // where clients reach the S3 listener: its own scheme, or --s3-public-url
  if (!o.s3_listen.empty()) {
    ListenOptions so = lo;  // the same certificate: upload credentials never cross in clear
    if (Status s = ParseListen(o.s3_listen, "--s3-listen", so); !s.ok()) return Fail(s);
    auto bound = HttpServer::Bind(so, s3_router);
    if (!bound.ok()) return Fail(bound.status());
    s3_server = std::move(bound).value();
    std::string bound_url = std::string(s3_server->tls() ? "https" : "http") + "://" + so.host + ":" +
                            std::to_string(s3_server->BoundPort());
    s3_url = given_s3_public_url.empty() ? bound_url : given_s3_public_url;
    WritePortFile(o.s3_port_file, s3_server->BoundPort());
    spdlog::info("S3 endpoint on {} (bucket {}; clients told {})", bound_url, o.s3_bucket, s3_url);
  }

  // Signals go to one waiting thread, which stops the listener; block them everywhere else.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = HttpServer::Bind(lo, router);
  if (!server.ok()) return Fail(server.status());
  int port = (*server)->BoundPort();
  std::string url = std::string((*server)->tls() ? "https" : "http") + "://" + lo.host + ":" +
                    std::to_string(port);
  std::string public_url = given_public_url.empty() ? url : given_public_url;
  tokens.SetIssuer(public_url + "/user");
  data.SetEndpoints(public_url, s3_url);
  {
    std::string tmp = (fs::path(common.data_dir) / kPublicUrlFile).string() + ".tmp";
    std::ofstream(tmp) << public_url << "\n";
    fs::rename(tmp, fs::path(common.data_dir) / kPublicUrlFile);
  }
  WritePortFile(o.port_file, port);
  spdlog::info("dccd listening on {} (data dir {}, {} profiles)", url, common.data_dir,
               core->profiles->all().size());
  std::thread s3_thread;
  if (s3_server) s3_thread = std::thread([&] { (void)s3_server->Run(); });
  // Staged uploads nobody resumed within a credential's lifetime are orphans.
  std::mutex sweep_mu;
  std::condition_variable sweep_cv;
  bool stopping = false;
  std::thread sweeper([&] {
    std::unique_lock lock(sweep_mu);
    while (!sweep_cv.wait_for(lock, std::chrono::seconds(o.sweep_seconds), [&] { return stopping; })) {
      const auto max_age = std::chrono::seconds(fo.credential_seconds + 3600);
      auto staged = (*blobs)->SweepStaging(max_age);
      auto multipart = s3_service.SweepAbandoned(max_age);
      auto tus = tus_service.SweepExpired();
      int n = (staged.ok() ? *staged : 0) + (multipart.ok() ? *multipart : 0) + (tus.ok() ? *tus : 0);
      if (n > 0) spdlog::info("swept {} abandoned uploads", n);
    }
  });
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    spdlog::info("signal {}: stopping", sig);
    (*server)->Stop();
    if (s3_server) s3_server->Stop();
  });
  Status s = (*server)->Run();
  pthread_kill(waiter.native_handle(), SIGTERM);  // wake the waiter if Run ended by itself
  waiter.join();
  if (s3_thread.joinable()) s3_thread.join();
  {
    std::lock_guard lock(sweep_mu);
    stopping = true;
  }
  sweep_cv.notify_all();
  sweeper.join();
  return s.ok() ? 0 : Fail(s);
}

}  // namespace
}  // namespace dcc::server

int main(int argc, char** argv) {
  using namespace dcc::server;
  // Workers are many (one per connection) and cores few. glibc's default of 8 arenas per
  // core strands freed memory in per-thread arenas; 4 per core measured as fast (GET
  // throughput within noise) with a bounded heap (bench/records, docs/PERFORMANCE.md).
  mallopt(M_ARENA_MAX, 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  if (sodium_init() < 0) {
    std::cerr << "dccd: libsodium failed to initialise\n";
    return 1;
  }
  CLI::App app{
      "dccd: the dcc portal server. Records under JSON-Schema profiles, search and access keys,\n"
      "behind the ENCODE-portal REST API, on SQLite in one data directory.\n\n"
      "Example:\n"
      "  dccd admin init --data-dir /srv/dcc\n"
      "  dccd admin add-user --data-dir /srv/dcc --email me@lab.org --admin\n"
      "  dccd admin add-key --data-dir /srv/dcc --email me@lab.org   # prints the secret once\n"
      "  dccd serve --data-dir /srv/dcc --listen 127.0.0.1:8000\n",
      "dccd"};
  app.require_subcommand(1);
  CommonOptions common;
  auto add_common = [&](CLI::App* cmd) {
    cmd->add_option("--data-dir", common.data_dir, "data directory (database and blobs)")->required();
    cmd->add_option("--profiles", common.profile_dirs,
                    "extra profile directory; adds types or replaces same-named ones (repeatable)");
    cmd->add_flag("--no-default-profiles", common.no_default_profiles,
                  "load only the --profiles directories, not the shipped defaults");
    cmd->add_option("--accession-prefix", common.accession_prefix,
                    "accession prefix, 2-5 upper-case letters (default DCC; ENC mimics the reference)");
  };

  ServeOptions serve;
  auto* serve_cmd = app.add_subcommand("serve", "run the server until SIGINT or SIGTERM");
  add_common(serve_cmd);
  serve_cmd->add_option("--listen", serve.listen, "HOST:PORT to listen on; port 0 picks a free one")
      ->capture_default_str();
  serve_cmd->add_option("--tls-cert", serve.tls_cert, "PEM certificate; with --tls-key serves HTTPS");
  serve_cmd->add_option("--tls-key", serve.tls_key, "PEM private key");
  serve_cmd->add_option("--port-file", serve.port_file, "write the bound port to this file");
  serve_cmd->add_option("--s3-listen", serve.s3_listen,
                        "HOST:PORT of the S3-compatible upload endpoint (off when not given)");
  serve_cmd->add_option("--s3-port-file", serve.s3_port_file, "write the S3 endpoint's port here");
  serve_cmd->add_option("--s3-bucket", serve.s3_bucket, "bucket name in upload URLs (s3://BUCKET/...)")
      ->capture_default_str();
  serve_cmd->add_option("--upload-credential-seconds", serve.upload_credential_seconds,
                        "lifetime of issued upload credentials (the reference's is 36 h)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--tus-expire-seconds", serve.tus_expire_seconds,
                        "an unfinished tus upload expires after this")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--sweep-seconds", serve.sweep_seconds,
                        "how often abandoned and expired uploads are removed")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--threads", serve.threads,
                        "worker threads running requests (idle and slow connections hold none)")
      ->capture_default_str()
      ->check(CLI::Range(1, 4096));
  serve_cmd->add_option("--trusted-proxy", serve.trusted_proxies,
                        "CIDR of a reverse proxy whose X-Forwarded-For names the client for the "
                        "per-client caps, e.g. 127.0.0.1/32 (repeatable)");
  serve_cmd->add_option("--header-timeout-seconds", serve.header_timeout_seconds,
                        "a request header must arrive whole within this (else 408)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve_cmd->add_option("--idle-timeout-seconds", serve.idle_timeout_seconds,
                        "an idle keep-alive connection is closed after this")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  serve_cmd->add_option("--max-connections-per-client", serve.max_connections_per_client,
                        "open connections one client address may hold (more: 503)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  serve_cmd->add_option("--max-running-per-client", serve.max_running_per_client,
                        "requests of one client running at once; more wait (0: half of --threads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 4096));
  // Body limits (docs/operations.md "Body limits"): each route has a class; a request
  // whose credentials are not verified gets at most the anonymous size on any route.
  serve_cmd
      ->add_option(
          "--max-body-mib", serve.max_body_mib,
          "largest request body accepted: a record write (ENCODE POST/PATCH/PUT, MDS entry), "
          "which may carry data-URI attachments; bounds every limit below (more: 413)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd
      ->add_option("--max-write-body-kib", serve.max_write_body_kib,
                   "largest body of an ordinary JSON write (index records, aliases, fence, DRS); "
                   "a token exchange takes at most 8 KiB")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd
      ->add_option("--max-bulk-body-mib", serve.max_bulk_body_mib,
                   "largest body of a bulk write (/bulk/index, MDS batch create, S3 "
                   "CompleteMultipartUpload)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd
      ->add_option("--max-anonymous-body-kib", serve.max_anonymous_body_kib,
                   "largest body on any route before the caller's credentials are verified "
                   "(S3 and tus byte uploads stream, unlimited, once authenticated)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd
      ->add_option("--body-budget-mib", serve.body_budget_mib,
                   "bytes all requests together may hold in bodies and parsed JSON (64 B a value); "
                   "past it a request gets 503 with Retry-After. JSON nests at most 64 deep; "
                   "a number beyond a double (1e400) is a 400")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--log-level", serve.log_level, "trace, debug, info, warn, error")
      ->capture_default_str();
  serve_cmd->add_option("--public-url", serve.public_url,
                        "the URL clients reach dccd at; tokens' issuer is it + /user "
                        "(default http(s)://<listen host>:<bound port>)");
  serve_cmd->add_option("--s3-public-url", serve.s3_public_url,
                        "the URL clients reach the S3 listener at, used in presigned upload URLs "
                        "(default http(s)://<s3 listen host>:<bound port>)");
  serve_cmd->add_flag("--no-access-log", serve.no_access_log, "do not log one line per request");
  serve_cmd->add_option("--did-prefix", serve.did_prefix,
                        "prefix of minted index GUIDs, e.g. dg.4242/ (default none)");
  serve_cmd->add_option("--access-url-seconds", serve.access_url_seconds,
                        "lifetime of the signed URLs DRS access answers")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  serve_cmd->add_option("--bulk-max-records", serve.bulk_max_records,
                        "most records one POST /bulk/index may carry (more: 413)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);

  auto* admin = app.add_subcommand("admin", "prepare a data directory: init, users, keys");
  admin->require_subcommand(1);
  auto* init_cmd = admin->add_subcommand("init", "create (or migrate) a data directory");
  add_common(init_cmd);
  NewUser user;
  auto* user_cmd = admin->add_subcommand(
      "add-user", "add a user (or update its --admin and --lab); prints the user's @id");
  add_common(user_cmd);
  user_cmd->add_option("--email", user.email, "the user's email, their identity")->required();
  user_cmd->add_flag("--admin", user.admin, "may do everything");
  user_cmd->add_option("--lab", user.labs, "lab name the user submits for (repeatable)");
  user_cmd->add_option("--first-name", user.first_name, "default: the email's local part");
  user_cmd->add_option("--last-name", user.last_name, "default: User");
  std::string key_email;
  auto* key_cmd = admin->add_subcommand(
      "add-key", "issue an access key; prints {\"access_key_id\",\"secret_access_key\"} once");
  add_common(key_cmd);
  key_cmd->add_option("--email", key_email, "an existing user's email")->required();

  std::string api_key_user, api_key_url;
  int64_t api_key_days = 30;
  auto* api_key_cmd = admin->add_subcommand(
      "api-key", "issue a fence-style API key; prints credentials.json {\"api_key\",\"key_id\"}");
  add_common(api_key_cmd);
  api_key_cmd->add_option("--user", api_key_user, "an existing user's email")->required();
  api_key_cmd->add_option("--expires-days", api_key_days, "lifetime in days, at most 30")
      ->capture_default_str()
      ->check(CLI::Range(1, 30));
  api_key_cmd->add_option("--public-url", api_key_url,
                          "the server's public URL, for the key's issuer (default: the URL the server "
                          "last served at, recorded in the data dir)");
  Policy grant;
  std::string grant_methods;
  auto* grant_cmd = admin->add_subcommand(
      "grant", "let a user do --methods on a resource path and every path below it");
  add_common(grant_cmd);
  grant_cmd->add_option("--user", grant.email, "an existing user's email")->required();
  grant_cmd->add_option("--resource", grant.resource, "a resource path, e.g. /programs/p/projects/q")
      ->required();
  grant_cmd->add_option("--methods", grant_methods,
                        "comma-separated: read, create, update, delete, file_upload, or *")
      ->required();
  Policy revoke;
  auto* revoke_cmd = admin->add_subcommand("revoke", "remove a user's policy on a resource path");
  add_common(revoke_cmd);
  revoke_cmd->add_option("--user", revoke.email, "the user's email")->required();
  revoke_cmd->add_option("--resource", revoke.resource, "the resource path granted")->required();

  CLI11_PARSE(app, argc, argv);

  if (serve_cmd->parsed()) return RunServe(common, serve);
  if (dcc::Status s = ValidatePrefix(common.accession_prefix); !s.ok()) return Fail(s);
  auto core = OpenCore(common, /*create=*/init_cmd->parsed());
  if (!core.ok()) return Fail(core.status());
  AdminService admin_service(*core->records);
  if (init_cmd->parsed()) {
    if (auto key = LoadOrCreateServerKey(common.data_dir); !key.ok()) return Fail(key.status());
    std::cout << "initialised " << common.data_dir << "\n";
    return 0;
  }
  if (user_cmd->parsed()) {
    auto at_id = admin_service.AddUser(user);
    if (!at_id.ok()) return Fail(at_id.status());
    std::cout << *at_id << "\n";
    return 0;
  }
  if (api_key_cmd->parsed()) {
    std::string url = api_key_url.empty() ? RecordedPublicUrl(common.data_dir) : api_key_url;
    if (url.empty()) url = "http://127.0.0.1:8000";
    if (dcc::Status s = CheckPublicUrl(url); !s.ok()) return Fail(s);
    auto tokens = MakeTokenService(*core->store, common.data_dir, url);
    if (!tokens.ok()) return Fail(tokens.status());
    auto principal = admin_service.FindUser(api_key_user);
    if (!principal.ok()) return Fail(principal.status());
    auto key = tokens->CreateApiKey(*principal, api_key_days * 24 * 3600, {});
    if (!key.ok()) return Fail(key.status());
    std::cout << nlohmann::json{{"api_key", key->api_key}, {"key_id", key->key_id}}.dump() << "\n";
    return 0;
  }
  if (grant_cmd->parsed()) {
    dcc::Status s = admin_service.Grant(grant, grant_methods);
    if (!s.ok()) return Fail(s);
    std::cout << "granted " << grant_methods << " on " << grant.resource << " to " << grant.email << "\n";
    return 0;
  }
  if (revoke_cmd->parsed()) {
    dcc::Status s = admin_service.Revoke(revoke.email, revoke.resource);
    if (!s.ok()) return Fail(s);
    std::cout << "revoked " << revoke.email << "'s policy on " << revoke.resource << "\n";
    return 0;
  }
  if (key_cmd->parsed()) {
    auto key = admin_service.AddKey(key_email);
    if (!key.ok()) return Fail(key.status());
    std::cout << nlohmann::json{{"access_key_id", key->access_key_id},
                                {"secret_access_key", key->secret_access_key}}
                     .dump()
              << "\n";
    return 0;
  }
  return 0;
}
