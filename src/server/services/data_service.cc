#include "server/services/data_service.h"

#include <ctime>

#include "server/auth/s3_presign.h"

namespace dcc::server {
using nlohmann::json;

namespace {
int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }
}  // namespace

int64_t DataService::Lifetime(int64_t expires_in) const {
  return expires_in <= 0 || expires_in > options_.max_url_seconds ? options_.max_url_seconds : expires_in;
}

Result<std::string> DataService::DownloadUrl(const Caller& caller, const std::string& guid,
                                             const std::string& protocol) {
  DCC_ASSIGN_OR_RETURN(ObjectRow row, index_.Get(guid));
  if (row.urls.empty()) return Status::NotFound("record " + guid + " has no bytes yet (blank record)");
  auto url = index_.AccessUrl(caller, row.did, protocol);  // "": the first servable url
  if (!url.ok()) return url.status();
  if (!url->empty() && url->front() == '/') return public_url_ + *url;  // a path on this server
  return std::move(url).value();
}

Result<std::pair<std::string, std::string>> DataService::NewBlank(const Caller& caller, const json& body) {
  if (s3_endpoint_.empty())
    return Status::Unavailable("uploads need dccd's S3 endpoint; start dccd serve with --s3-listen");
  if (caller.anonymous()) return Status::Unauthenticated("uploads need credentials (a bearer access token)");
  if (!body.contains("file_name") || !body["file_name"].is_string() || body["file_name"].get<std::string>().empty())
    return Status::InvalidArgument("file_name is required", "file_name");
  const std::string file_name = body["file_name"];
  if (file_name.find('/') != std::string::npos || file_name == "." || file_name == "..")
    return Status::InvalidArgument("file_name must not contain '/'", "file_name");
  json blank = {{"uploader", caller.principal->email}, {"file_name", file_name}};
  if (body.contains("authz")) blank["authz"] = body["authz"];
  if (body.contains("guid")) blank["did"] = body["guid"];
  DCC_ASSIGN_OR_RETURN(IndexWrite w, index_.CreateBlank(caller, blank));
  return std::make_pair(w.did, w.did + "/" + file_name);
}

Result<UploadGrant> DataService::GrantFor(const Caller& caller, const std::string& key, int64_t expires_in) {
  if (caller.anonymous()) return Status::Unauthenticated("uploads need credentials (a bearer access token)");
  const size_t slash = key.rfind('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == key.size())
    return Status::InvalidArgument("key must be <guid>/<file_name>", "key");
  DCC_ASSIGN_OR_RETURN(ObjectRow row, index_.Get(key.substr(0, slash)));
  if (!caller.admin() && row.uploader.value_or("") != caller.principal->email)
    return Status::PermissionDenied("only the uploader of " + row.did + " may upload its bytes");
  return UploadGrant{options_.bucket, key, std::string(kIndexUploadPrefix) + row.did, Now() + Lifetime(expires_in)};
}

Result<DataService::Upload> DataService::CreateUpload(const Caller& caller, const json& body, int64_t expires_in) {
  DCC_ASSIGN_OR_RETURN(auto blank, NewBlank(caller, body));
  DCC_ASSIGN_OR_RETURN(UploadGrant grant, GrantFor(caller, blank.second, expires_in));
  UploadCredentials creds = issuer_.Issue(grant);
  return Upload{blank.first, PresignS3Url(creds, s3_endpoint_, "PUT", grant.bucket, grant.key, {},
                                          Lifetime(expires_in), Now())};
}

Result<DataService::Multipart> DataService::InitMultipart(const Caller& caller, const json& body) {
  DCC_ASSIGN_OR_RETURN(auto blank, NewBlank(caller, body));
  DCC_ASSIGN_OR_RETURN(UploadGrant grant, GrantFor(caller, blank.second, 0));
  S3Caller s3_caller;
  s3_caller.grant = grant;
  DCC_ASSIGN_OR_RETURN(std::string id, s3_.CreateMultipart(s3_caller, grant.bucket, grant.key));
  return Multipart{blank.first, id};
}

Result<std::string> DataService::PartUrl(const Caller& caller, const std::string& key, const std::string& upload_id,
                                         int part_number, int64_t expires_in) {
  if (s3_endpoint_.empty())
    return Status::Unavailable("uploads need dccd's S3 endpoint; start dccd serve with --s3-listen");
  if (part_number < 1 || part_number > 10000)
    return Status::InvalidArgument("partNumber must be 1 to 10000", "partNumber");
  if (upload_id.empty()) return Status::InvalidArgument("uploadId is required", "uploadId");
  DCC_ASSIGN_OR_RETURN(UploadGrant grant, GrantFor(caller, key, expires_in));
  UploadCredentials creds = issuer_.Issue(grant);
  return PresignS3Url(creds, s3_endpoint_, "PUT", grant.bucket, grant.key,
                      {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
                      Lifetime(expires_in), Now());
}

Status DataService::CompleteMultipart(const Caller& caller, const std::string& key, const std::string& upload_id,
                                      const std::vector<std::pair<int, std::string>>& parts) {
  if (parts.empty()) return Status::InvalidArgument("parts must list at least one part", "parts");
  DCC_ASSIGN_OR_RETURN(UploadGrant grant, GrantFor(caller, key, 0));
  S3Caller s3_caller;
  s3_caller.grant = grant;
  return s3_.Complete(s3_caller, grant.bucket, grant.key, upload_id, parts).status();
}

Result<std::string> DataService::UploadUrl(const Caller& caller, const std::string& guid,
                                           const std::string& file_name, int64_t expires_in) {
  if (s3_endpoint_.empty())
    return Status::Unavailable("uploads need dccd's S3 endpoint; start dccd serve with --s3-listen");
  DCC_ASSIGN_OR_RETURN(ObjectRow row, index_.Get(guid));
  const std::string name = file_name.empty() ? row.file_name.value_or("") : file_name;
  if (name.empty() || name.find('/') != std::string::npos)
    return Status::InvalidArgument("file_name (without '/') is required: the record has none", "file_name");
  DCC_ASSIGN_OR_RETURN(UploadGrant grant, GrantFor(caller, row.did + "/" + name, expires_in));
  UploadCredentials creds = issuer_.Issue(grant);
  return PresignS3Url(creds, s3_endpoint_, "PUT", grant.bucket, grant.key, {}, Lifetime(expires_in), Now());
}

Status DataService::DeleteFile(const Caller& caller, const std::string& guid) {
  DCC_ASSIGN_OR_RETURN(ObjectRow row, index_.Get(guid));
  DCC_RETURN_IF_ERROR(index_.Delete(caller, row.did, row.rev));
  if (!row.blob_key.empty() && row.blob_key.rfind(row.did + "/", 0) == 0) {
    Status removed = s3_.blobs().Delete(row.blob_key);
    if (!removed.ok() && removed.code() != Status::Code::kNotFound) return removed;
  }
  return Status::Ok();
}

}  // namespace dcc::server
