// src/server/services/data_service.h: fence's data endpoints (gen3.md §4) over the index
// and dccd's own S3 endpoint: signed download URLs for index records, and uploads that
// make a blank index record and hand out presigned S3 PUT URLs for "<guid>/<file_name>"
// (single PUT or multipart). Unlike the reference, no bucket listener is needed: when the
// bytes land, FileService fills the blank record (size, hashes, urls) at once.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/services/index_service.h"
#include "server/services/s3_service.h"

namespace dcc::server {

struct DataOptions {
  std::string bucket = "dcc-files";  // --s3-bucket
  int64_t max_url_seconds = 3600;    // fence MAX_PRESIGNED_URL_TTL
};

// Thread-safe once serving (SetEndpoints is called before).
class DataService {
 public:
  DataService(IndexService& index, S3Service& s3, const UploadCredentialIssuer& issuer, DataOptions options)
      : index_(index), s3_(s3), issuer_(issuer), options_(std::move(options)) {}

  // `public_url`: where clients reach the main listener (download URLs are made
  // absolute with it); `s3_endpoint`: "http://host:port" of the S3 listener, or "" when
  // dccd serves none (uploads then answer Unavailable). REQUIRES: not serving yet.
  void SetEndpoints(std::string public_url, std::string s3_endpoint) {
    public_url_ = std::move(public_url);
    s3_endpoint_ = std::move(s3_endpoint);
  }

  // A signed, expiring URL for the bytes of `guid` (protocol: the url scheme, default
  // the record's first url's). Needs "read" on the record's authz. NotFound for an
  // unknown guid or a record without bytes yet.
  Result<std::string> DownloadUrl(const Caller& caller, const std::string& guid, const std::string& protocol);

  struct Upload {
    std::string guid;
    std::string url;  // presigned S3 PUT URL
  };
  // `body`: {"file_name" (required), "authz"?, "guid"?}. Makes the blank index record
  // (IndexService::CreateBlank's permissions: "create" on authz, else "file_upload" on
  // /data_file) and a PUT URL valid min(expires_in or the maximum, the maximum).
  Result<Upload> CreateUpload(const Caller& caller, const nlohmann::json& body, int64_t expires_in);

  // A fresh PUT URL for the existing record `guid` (a retry after an expired URL), for
  // "<guid>/<file_name>" (default: the record's file_name). Only its uploader (or an
  // admin) gets one. InvalidArgument without a file name.
  Result<std::string> UploadUrl(const Caller& caller, const std::string& guid, const std::string& file_name,
                                int64_t expires_in);
  // Deletes the index record (IndexService::Delete's permissions: "delete" on its authz)
  // and then the bytes dccd holds for it under "<guid>/" (an orphan blob is harmless; a
  // record without its bytes would not be).
  Status DeleteFile(const Caller& caller, const std::string& guid);

  struct Multipart {
    std::string guid;
    std::string upload_id;
  };
  // As CreateUpload, then starts an S3 multipart upload of "<guid>/<file_name>".
  Result<Multipart> InitMultipart(const Caller& caller, const nlohmann::json& body);
  // A presigned URL to PUT part `part_number` of `upload_id`. The caller must be the
  // record's uploader (or an admin).
  Result<std::string> PartUrl(const Caller& caller, const std::string& key, const std::string& upload_id,
                              int part_number, int64_t expires_in);
  // Completes `upload_id` from `parts` (number, ETag); the record is filled.
  Status CompleteMultipart(const Caller& caller, const std::string& key, const std::string& upload_id,
                           const std::vector<std::pair<int, std::string>>& parts);

 private:
  // The grant for "<guid>/<file_name>" after checking the caller may write it.
  Result<UploadGrant> GrantFor(const Caller& caller, const std::string& key, int64_t expires_in);
  Result<std::pair<std::string, std::string>> NewBlank(const Caller& caller, const nlohmann::json& body);
  int64_t Lifetime(int64_t expires_in) const;

  IndexService& index_;
  S3Service& s3_;
  const UploadCredentialIssuer& issuer_;
  DataOptions options_;
  std::string public_url_;
  std::string s3_endpoint_;
};

}  // namespace dcc::server
