// src/server/services/file_service.h: the life of a file record's bytes (encode.md
// §2.12). Where an upload goes (`<YYYY>/<MM>/<DD>/<uuid>/<ACCESSION><ext>`), who may
// write it (temporary credentials scoped to that key), and what happens when it arrives:
// the bytes are checked against the record's md5sum and file_size while they are
// committed; a match records the object and moves the file to "in progress", a mismatch
// keeps nothing and moves it to "content error" with the reason.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/auth/upload_credentials.h"
#include "server/auth/url_signer.h"
#include "server/blob/blob_store.h"
#include "server/services/records_service.h"

namespace dcc::server {

// Upload grants for fence-style uploads (/user/data/upload) name an index record, not a
// file record: their file_uuid is this prefix + the record's did.
inline constexpr std::string_view kIndexUploadPrefix = "index:";

struct FileServiceOptions {
  std::string bucket = "dcc-files";  // the bucket name in upload_url (s3://<bucket>/<key>)
  int64_t credential_seconds = 36 * 3600;  // as the reference's STS federation tokens
  int64_t download_seconds = 36 * 3600;    // as the reference's presigned download URLs
};

// Thread-safe.
class FileService {
 public:
  FileService(RecordService& records, BlobStore& blobs, const UploadCredentialIssuer& issuer,
              const UrlSigner& signer, FileServiceOptions options);

  // Adds `href` and, for an uploading file the caller may edit, `upload_credentials` to a
  // rendered file record. Installed as the records service's decorator.
  void Decorate(RecordReader& reader, const Caller& caller, const StoredRecord& rec,
                nlohmann::json& doc) const;

  // POST /files/<id>/@@upload: fresh credentials. PermissionDenied unless the file is
  // "uploading" or "upload failed" (which moves back to "uploading") and the caller may
  // edit it. Returns the file's object frame, with the credentials.
  Result<nlohmann::json> RenewCredentials(const Caller& caller, const std::string& id);

  // Checks what a writer staged against the file the grant names, then commits it under
  // the grant's key and updates the record (see the file comment). ChecksumMismatch or
  // InvalidArgument when the bytes differ from the record; the record then says why.
  // `sha256_claim` (may be empty) is the client's x-amz-content-sha256 for the body;
  // `s3_etag` the ETag S3 would give the object (default: its md5, as for a single PUT).
  // For a grant on an index record (kIndexUploadPrefix), the bytes are committed as sent
  // and fill that record's size, hashes and urls, so it never stays blank.
  Result<Digests> CompleteUpload(const UploadGrant& grant, BlobWriter& writer,
                                 const std::string& sha256_claim, const std::string& s3_etag = "");

  // GET /files/<id>/@@download/<name>: a signed, expiring URL for the bytes. NotFound
  // for a wrong name or a file without verified bytes; the record's view permissions
  // apply (released files are public).
  Result<std::string> DownloadUrl(const Caller& caller, const std::string& id,
                                  const std::string& filename);

  // What a signed download URL serves. PermissionDenied if the signature is wrong or
  // expired; NotFound if the blob is gone.
  struct Download {
    std::string blob_key;
    uint64_t size = 0;
    std::string etag;
    std::string filename;
  };
  Result<Download> OpenDownload(const std::string& path,
                                const std::map<std::string, std::string>& params);

  // The upload key of a file record, from its date_created, uuid, accession and format.
  std::string UploadKeyOf(const StoredRecord& file) const;
  const FileServiceOptions& options() const { return options_; }
  BlobStore& blobs() { return blobs_; }

 private:
  Result<Digests> CompleteIndexUpload(const UploadGrant& grant, BlobWriter& writer,
                                      const std::string& sha256_claim, const std::string& s3_etag);
  UploadCredentials Credentials(const StoredRecord& file) const;

  RecordService& records_;
  BlobStore& blobs_;
  const UploadCredentialIssuer& issuer_;
  const UrlSigner& signer_;
  FileServiceOptions options_;
};

}  // namespace dcc::server
