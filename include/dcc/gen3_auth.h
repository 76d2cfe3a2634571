// include/dcc/gen3_auth.h: Gen3 API-key authentication (gen3.md §1): find credentials.json
// as the Gen3 SDK does, learn the commons URL from the key's `iss`, exchange the key for
// access tokens and refresh them before they expire, once for all worker threads.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "dcc/client.h"
#include "dcc/status.h"

namespace dcc {

// The portal's credentials.json: {"api_key": "<JWT>", "key_id": "<jti>"}.
struct Gen3Credentials {
  std::string api_key;  // the API key, itself a JWT signed by fence
  std::string key_id;   // its jti; may be empty (the SDK only requires api_key)
  std::string path;     // the file it was read from
};

// Finds and reads credentials.json. `name` as the SDK's refresh_file: empty means
// $GEN3_API_KEY, else "credentials"; a name without '/' is looked up as ~/.gen3/<name>,
// then ~/.gen3/<name>.json, then as a path relative to the working directory; a name with
// '/' is a path. NotFound (naming every place tried) if there is no such file;
// InvalidArgument (with the path) if it is not JSON or has no string "api_key".
Result<Gen3Credentials> LoadGen3Credentials(const std::string& name);

// The payload of a JWT, decoded WITHOUT checking the signature (the client only reads
// `iss` and `exp`; the server verifies). InvalidArgument if it is not three base64url
// segments with a JSON object in the middle.
Result<nlohmann::json> DecodeJwtPayloadUnverified(const std::string& jwt);

// scheme://host[:port] of the token's `iss` (gen3.md §1.3: "https://x.org/user" gives
// "https://x.org"). InvalidArgument if there is no `iss` or it is not a URL.
Result<std::string> CommonsUrlFromToken(const std::string& jwt);

// True when a token expiring at `exp` (seconds since the epoch) should be replaced at
// `now`: the SDK's rule, now + margin > exp, with a 300 s margin by default.
bool TokenNeedsRefresh(int64_t exp, int64_t now, int64_t margin_seconds = 300);

struct Gen3AuthOptions {
  std::string endpoint;          // the commons URL; empty: from the key's iss
  int expires_in = 0;            // ask fence for tokens this short (s); 0: fence's default (≤ 3600)
  // Refresh this many seconds before exp (the SDK's margin), or at half the token's
  // remaining life when that is shorter (so very short tokens are not fetched per request).
  int64_t refresh_margin = 300;
  std::string ca_file;           // trust this CA bundle too
  // Seconds since the epoch; tests move the clock. Default: the system clock.
  std::function<int64_t()> now;
  // Exchanges the key for an access token; tests replace it. Default: POST
  // {endpoint}/user/credentials/api/access_token[?expires_in=] with {"api_key"}.
  std::function<Result<std::string>(const Gen3Credentials&)> exchange;
};

// Access tokens for one API key, shared by every Client of a run (ClientOptions::bearer).
// Thread-safe. Single flight: when several threads need a new token at once, one of them
// asks fence and the others wait for its answer.
class Gen3TokenSource final : public TokenSource {
 public:
  // InvalidArgument if the API key is not a JWT or no endpoint can be found.
  static Result<std::shared_ptr<Gen3TokenSource>> Create(Gen3Credentials credentials, Gen3AuthOptions options);

  // A token not within refresh_margin of its exp; fetched if needed. Unauthenticated (with
  // fence's answer) if the exchange is refused, Unavailable if fence cannot be reached.
  Result<std::string> Token() override;
  // Forces one exchange unless the current token already differs from `rejected`.
  Result<std::string> Refresh(const std::string& rejected) override;

  const std::string& endpoint() const { return options_.endpoint; }
  // How many exchanges were made (tests and progress lines read it).
  int exchanges() const;

 private:
  Gen3TokenSource(Gen3Credentials c, Gen3AuthOptions o);
  Result<std::string> ExchangeLocked();

  Gen3Credentials credentials_;
  Gen3AuthOptions options_;
  struct State;
  std::unique_ptr<State> state_;

 public:
  ~Gen3TokenSource() override;
};

}  // namespace dcc
