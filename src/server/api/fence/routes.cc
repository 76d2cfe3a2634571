#include "server/api/fence/routes.h"

#include <algorithm>
#include <sstream>

#include "server/api/fence/wire.h"
#include "server/api/json_reply.h"
#include "server/api/request_caller.h"
#include "server/auth/token_service.h"

namespace dcc::server::fence {
using nlohmann::json;

namespace {

// Who may manage API keys: an access key (HTTP Basic), or a bearer token with the
// "credentials" scope, as fence requires.
Result<Caller> KeyManager(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  if (caller.anonymous())
    return Status::Unauthenticated("authenticate with an access key (HTTP Basic) or a bearer access token");
  if (caller.by_token && std::find(caller.token_scope.begin(), caller.token_scope.end(), "credentials") ==
                             caller.token_scope.end())
    return Status::PermissionDenied("this access token lacks the 'credentials' scope needed to manage API keys");
  return caller;
}

Result<HttpResponse> Jwks(Services& s, HttpRequest&) { return JsonResponse(200, s.tokens.keys().Jwks()); }

Result<HttpResponse> OpenIdConfiguration(Services& s, HttpRequest&) {
  const std::string& iss = s.tokens.options().issuer;
  return JsonResponse(200, {{"issuer", iss},
                            {"jwks_uri", iss + "/.well-known/jwks"},
                            {"id_token_signing_alg_values_supported", {"RS256"}}});
}

Result<HttpResponse> CreateApiKey(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, KeyManager(s, req));
  DCC_ASSIGN_OR_RETURN(int64_t expires_in, ExpiresIn(req));
  DCC_ASSIGN_OR_RETURN(json body, ParseObjectBody(req));
  std::vector<std::string> scope;
  if (body.contains("scope")) {
    const json& sc = body["scope"];
    if (sc.is_string()) {  // fence accepts "a,b" as well as a list
      std::stringstream ss(sc.get<std::string>());
      std::string item;
      while (std::getline(ss, item, ','))
        if (!item.empty()) scope.push_back(item);
    } else if (sc.is_array() && std::all_of(sc.begin(), sc.end(), [](const json& v) { return v.is_string(); })) {
      scope = sc.get<std::vector<std::string>>();
    } else {
      return Status::InvalidArgument("scope must be a list of strings or a comma-separated string", "scope");
    }
  }
  DCC_ASSIGN_OR_RETURN(IssuedApiKey key, s.tokens.CreateApiKey(*caller.principal, expires_in, scope));
  return JsonResponse(200, {{"key_id", key.key_id}, {"api_key", key.api_key}});
}

Result<HttpResponse> ListApiKeys(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, KeyManager(s, req));
  DCC_ASSIGN_OR_RETURN(auto keys, s.tokens.ListApiKeys(caller.principal->email));
  json jtis = json::array();
  for (const auto& k : keys) jtis.push_back({{"jti", k.jti}, {"exp", k.expires}});
  return JsonResponse(200, {{"jtis", jtis}});
}

Result<HttpResponse> RevokeApiKey(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, KeyManager(s, req));
  DCC_RETURN_IF_ERROR(s.tokens.RevokeApiKey(caller.principal->email, req.captures[0]));
  return NoContentReply();
}

Result<HttpResponse> AccessToken(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(int64_t expires_in, ExpiresIn(req));
  DCC_ASSIGN_OR_RETURN(json body, ParseObjectBody(req));
  if (!body.contains("api_key") || !body["api_key"].is_string() || body["api_key"].get<std::string>().empty())
    return Status::InvalidArgument("Please provide an api_key in payload");
  DCC_ASSIGN_OR_RETURN(std::string token, s.tokens.ExchangeApiKey(body["api_key"], expires_in));
  return JsonResponse(200, {{"access_token", token}});
}

// Who the caller is, in the shape gen3-client reads from /user/user.
Result<HttpResponse> UserInfo(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  if (caller.anonymous()) return Status::Unauthenticated("authenticate to see who you are");
  return JsonResponse(200, {{"username", caller.principal->email},
                            {"sub", caller.principal->user_uuid},
                            {"is_admin", caller.principal->admin}});
}

Result<HttpResponse> Download(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(std::string url, s.data.DownloadUrl(caller, req.captures[0], req.Query("protocol")));
  if (req.HasQuery("redirect")) {
    HttpResponse r;
    r.status = 302;
    r.content_type = "text/plain";
    r.headers.emplace("Location", url);
    return r;
  }
  return JsonResponse(200, {{"url", url}});
}

// expires_in from the body (fence) or the query string.
Result<int64_t> BodyExpiresIn(const json& body, const HttpRequest& req) {
  if (!body.contains("expires_in")) return ExpiresIn(req);
  const json& v = body["expires_in"];
  if (!v.is_number_integer() || v.get<int64_t>() <= 0)
    return Status::InvalidArgument("expires_in must be a positive integer number of seconds", "expires_in");
  return v.get<int64_t>();
}

Result<HttpResponse> Upload(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseObjectBody(req));
  DCC_ASSIGN_OR_RETURN(int64_t expires_in, BodyExpiresIn(body, req));
  DCC_ASSIGN_OR_RETURN(auto upload, s.data.CreateUpload(caller, body, expires_in));
  return JsonResponse(201, {{"guid", upload.guid}, {"url", upload.url}});
}

Result<HttpResponse> UploadUrl(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(int64_t expires_in, ExpiresIn(req));
  DCC_ASSIGN_OR_RETURN(std::string url, s.data.UploadUrl(caller, req.captures[0], req.Query("file_name"), expires_in));
  return JsonResponse(200, {{"url", url}});
}

Result<HttpResponse> DeleteFile(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_RETURN_IF_ERROR(s.data.DeleteFile(caller, req.captures[0]));
  return NoContentReply();
}

Result<HttpResponse> MultipartInit(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseObjectBody(req));
  DCC_ASSIGN_OR_RETURN(auto started, s.data.InitMultipart(caller, body));
  return JsonResponse(201, {{"guid", started.guid}, {"uploadId", started.upload_id}});
}

Result<std::string> StringField(const json& body, const char* name) {
  if (!body.contains(name) || !body[name].is_string() || body[name].get<std::string>().empty())
    return Status::InvalidArgument(std::string(name) + " is required", name);
  return body[name].get<std::string>();
}

Result<HttpResponse> MultipartUpload(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseObjectBody(req));
  DCC_ASSIGN_OR_RETURN(std::string key, StringField(body, "key"));
  DCC_ASSIGN_OR_RETURN(std::string upload_id, StringField(body, "uploadId"));
  if (!body.contains("partNumber") || !body["partNumber"].is_number_integer())
    return Status::InvalidArgument("partNumber (an integer) is required", "partNumber");
  DCC_ASSIGN_OR_RETURN(int64_t expires_in, BodyExpiresIn(body, req));
  DCC_ASSIGN_OR_RETURN(std::string url, s.data.PartUrl(caller, key, upload_id, body["partNumber"].get<int>(),
                                                       expires_in));
  return JsonResponse(200, {{"presigned_url", url}});
}

Result<HttpResponse> MultipartComplete(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(Caller caller, AuthenticateRequest(s.auth, req));
  DCC_ASSIGN_OR_RETURN(json body, ParseObjectBody(req));
  DCC_ASSIGN_OR_RETURN(std::string key, StringField(body, "key"));
  DCC_ASSIGN_OR_RETURN(std::string upload_id, StringField(body, "uploadId"));
  if (!body.contains("parts") || !body["parts"].is_array())
    return Status::InvalidArgument("parts must be a list of {\"PartNumber\", \"ETag\"}", "parts");
  std::vector<std::pair<int, std::string>> parts;
  for (const auto& p : body["parts"]) {
    if (!p.is_object() || !p.contains("PartNumber") || !p["PartNumber"].is_number_integer() ||
        !p.contains("ETag") || !p["ETag"].is_string())
      return Status::InvalidArgument("each part needs PartNumber (integer) and ETag (string)", "parts");
    std::string etag = p["ETag"];
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    parts.emplace_back(p["PartNumber"].get<int>(), etag);
  }
  DCC_RETURN_IF_ERROR(s.data.CompleteMultipart(caller, key, upload_id, parts));
  return JsonResponse(200, {{"message", "OK"}});
}

const RouteEntry<Services> kRoutes[] = {
    {"GET", "/user/\\.well-known/jwks/?", Jwks, "the public keys that verify dccd's tokens (JWKS)"},
    {"GET", "/user/\\.well-known/openid-configuration/?", OpenIdConfiguration,
     "issuer and JWKS location"},
    {"POST", "/user/credentials/(?:api|cdis)/access_token/?", AccessToken,
     "exchange an API key for an access token (?expires_in= lowers its life)", BodyClass::kToken},
    {"GET", "/user/credentials/(?:api|cdis)/?", ListApiKeys, "the caller's live API keys"},
    {"POST", "/user/credentials/(?:api|cdis)/?", CreateApiKey, "a new API key for the caller"},
    {"DELETE", "/user/credentials/(?:api|cdis)/([^/]+)/?", RevokeApiKey,
     "revoke one of the caller's API keys"},
    {"GET", "/user/user/?", UserInfo, "the caller's identity"},
    {"GET", "/user/data/download/(.+?)/?", Download, "a signed, expiring URL for a record's bytes"},
    {"POST", "/user/data/upload/?", Upload, "a blank index record and a presigned S3 PUT URL"},
    {"POST", "/user/data/multipart/init/?", MultipartInit,
     "a blank index record and an S3 multipart upload"},
    {"POST", "/user/data/multipart/upload/?", MultipartUpload, "a presigned URL for one part"},
    {"POST", "/user/data/multipart/complete/?", MultipartComplete, "complete a multipart upload"},
    {"GET", "/user/data/upload/(.+?)/?", UploadUrl,
     "a fresh presigned PUT URL for an existing record"},
    {"DELETE", "/user/data/(.+?)/?", DeleteFile,
     "delete an index record and the bytes dccd holds for it"},
};

}  // namespace

void RegisterRoutes(Router& router, Services& services) { AddRoutes(router, services, kRoutes, RenderError); }

}  // namespace dcc::server::fence
