// include/dcc/client.h: a connection to a portal (dccd, or any server speaking the
// ENCODE-portal REST API), and the record calls of the reference client with its
// semantics (encode.md §1.4).
//
// One Client keeps its HTTP connection alive between calls. Idempotent requests (GET,
// PUT) are retried with exponential backoff and jitter on connection errors, 5xx and
// 429; POST and PATCH are never retried, and no other 4xx is. Not thread-safe: use one
// Client per thread.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/config.h"
#include "dcc/status.h"

namespace dcc {

// How writes behave (encode.md §1.5, §1.7); the defaults are the reference client's,
// without its bugs.
struct WriteOptions {
  bool dry_run = false;         // send nothing; return what would have been sent
  bool require_aliases = true;  // POST refuses a payload without aliases
  bool extend_arrays = true;    // PATCH appends to arrays (de-duplicated) instead of replacing
  std::string lab;              // default lab (and alias prefix) where the profile has `lab`
  std::string award;            // default award where the profile has `award`
  // Where an s3:// submitted_file_name is read (HEAD and ranged GETs, with the AWS_*
  // credentials in the environment) to compute a file record's md5sum and file_size.
  std::string s3_endpoint;
};

// Supplies bearer tokens to a Client (Gen3 access tokens: include/dcc/gen3_auth.h).
// Implementations must be thread-safe: one source is shared by the Clients of every
// worker thread, so a refresh happens once for all of them.
class TokenSource {
 public:
  virtual ~TokenSource() = default;
  // A token valid now (refreshed first if it is about to expire). Unauthenticated or
  // Unavailable when no token can be had.
  virtual Result<std::string> Token() = 0;
  // The server refused `rejected`: get a new token unless another thread already has
  // (then return that one). Called once per refused request, never in a loop.
  virtual Result<std::string> Refresh(const std::string& rejected) = 0;
};

struct ClientOptions {
  std::string url;         // e.g. "https://portal.example.org" (no trailing slash)
  std::string api_key;     // HTTP Basic user; empty: anonymous
  std::string secret_key;  // HTTP Basic password
  int max_retries = 4;     // for idempotent requests; backoff 0.5 s, 1 s, 2 s, 4 s (+ jitter)
  long timeout_seconds = 60;  // per request, as the reference's TIMEOUT
  std::string ca_file;     // trust this CA bundle too (a server with a private CA)
  // When set, every request carries `Authorization: bearer <token>` instead of Basic; a
  // 401 makes the Client ask for one refresh and resend once, then report the 401.
  std::shared_ptr<TokenSource> bearer;
  // Where the reference client's log files go (debug, error, posted; encode.md §1.2),
  // named per server host. Empty (the default): no log files. Set "log_dir" in the config
  // or DCC_LOG_DIR; "EU_Logs" gives the reference's layout.
  std::string log_dir;

  // From the layered configuration: `mode` (or `mode_override`) names a server in
  // "servers", or is a host[:port] (HTTPS, as the reference forces; unlike it, a host with
  // a port such as localhost:8000 works), or a full URL. Credentials from api_key/secret_key.
  // InvalidArgument if no server is configured.
  static Result<ClientOptions> FromConfig(const Config& config, const std::string& mode_override = "");
};

struct GetOptions {
  std::string frame;       // object, edit, embedded, page; empty: the server's default
  bool database = false;   // adds datastore=database (a no-op on dccd)
  bool ignore_404 = false; // all identifiers missing: return {} instead of NotFound
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> Open(const ClientOptions& options);
  virtual ~Client() = default;

  // Tries each identifier in turn (uuid, accession, alias, @id, md5:...); the first
  // found wins. NotFound if none exists (or {} with ignore_404); PermissionDenied on a
  // 403; Unauthenticated on a 401.
  virtual Result<nlohmann::json> Get(const std::vector<std::string>& ids, const GetOptions& options = {}) = 0;
  // Search with (key, value) pairs; a key ending in '!' means "not equal". `limit` 0 means
  // all. An empty result is an empty array, not an error.
  virtual Result<std::vector<nlohmann::json>> Search(
      const std::vector<std::pair<std::string, std::string>>& params, int limit = 0) = 0;
  // The same with a raw query string as a portal URL shows it ("type=Biosample&lab.name=x").
  virtual Result<std::vector<nlohmann::json>> SearchQuery(const std::string& query, int limit = 0) = 0;

  struct Written {
    nlohmann::json record;  // the object frame; in a dry run, the payload that would be sent
    std::string method;     // "POST", "PATCH", "PUT", or "" in a dry run
    std::string path;       // where it was (or would be) sent
    bool existed = false;   // POST answered 409 and `record` is the existing record
  };
  // POST a record. The profile comes from "_profile" (or "@id"): a type name, TypeName or
  // collection ("biosample", "Biosample", "biosamples", "/biosamples/x/"). Lab and award
  // defaults apply where the profile has those properties; aliases are cleaned ('/' and
  // '\' become '_', '#' is dropped), prefixed with the lab when they have no prefix, and
  // de-duplicated. A value {"path": "/local/file"} becomes an attachment (a data URI, the
  // mime type from the extension). File records: md5sum and file_size are computed from a
  // local or s3:// (read via WriteOptions::s3_endpoint) submitted_file_name when absent,
  // and paired_end is dropped when run_type is "single-ended" (encode.md §1.5); the bytes are not uploaded here (UploadFile, or
  // UploadSubmittedFile in dcc/transfer.h). A 409 returns the existing record (found by alias) with existed=true:
  // posting the same input twice is idempotent. Validation: 422 with the server's errors.
  virtual Result<Written> Post(nlohmann::json payload, const WriteOptions& options = {}) = 0;
  // PATCH the record named by "_enc_id" (any identifier). With extend_arrays, array
  // properties are merged with the stored ones, keeping order and dropping duplicates.
  // NotFound if the record does not exist.
  virtual Result<Written> Patch(nlohmann::json payload, const WriteOptions& options = {}) = 0;

  // Removes properties from a record by PUT of its edit frame without them (encode.md
  // §1.8), conditional on the frame's ETag (If-Match), so a concurrent edit is never
  // overwritten: PreconditionFailed if the record changed in between. InvalidArgument,
  // before anything is sent, for a property that is required, readonly, admin-only
  // ("permission"), calculated ("notSubmittable") or not in the profile; a property the
  // record does not have is ignored. With `patch` (remove_and_patch), the patch is then
  // merged in (arrays extended unless !options.extend_arrays; aliases prefixed) and sent
  // in the same PUT. Dry run: returns the PUT body, sends nothing.
  virtual Result<Written> RemoveProps(const std::string& id, const std::vector<std::string>& props,
                                      const nlohmann::json& patch = nlohmann::json::object(),
                                      const WriteOptions& options = {}) = 0;

  // The server's schema of a profile, by any of its names ("biosample", "Biosample",
  // "biosamples"); its "id" is "/profiles/<id>.json". InvalidArgument if unknown.
  virtual Result<nlohmann::json> Schema(const std::string& profile) = 0;

  // The HTTP status and JSON body of one request; the building block of the calls above.
  struct Response {
    long status = 0;
    nlohmann::json body;
    std::string location;  // the Location header of a redirect, if any
    std::string etag;      // the ETag header, if any (the edit frame's, for If-Match)
  };
  // The server's base URL, e.g. "https://portal.example.org".
  virtual const std::string& base_url() const = 0;
  virtual Result<Response> Request(const std::string& method, const std::string& path,
                                   const nlohmann::json* body = nullptr) = 0;
};

// Whether `props` may be removed from records of the profile `schema` (Client::Schema):
// InvalidArgument (where = the property) for one that is not in the profile, or is
// required, readonly, admin-only ("permission") or calculated ("notSubmittable"), as the
// reference's remove_props refuses them (encode.md §1.8). RemoveProps checks this too;
// call it first to refuse a whole batch before anything is sent.
Status CheckRemovableProps(const nlohmann::json& schema, const std::vector<std::string>& props);

}  // namespace dcc
