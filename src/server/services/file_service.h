// src/server/services/file_service.h: the life of a file record's bytes (encode.md
// §2.12). Where an upload goes (`<YYYY>/<MM>/<DD>/<uuid>/<ACCESSION><ext>`), who may
// write it (temporary credentials scoped to that key), and what happens when it arrives:
// the bytes are checked against the record's md5sum and file_size while they are
// committed; a match records the object and moves the file to "in progress", a mismatch
// keeps nothing and moves it to "content error" with the reason.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/auth/upload_credentials.h"
#include "server/auth/url_signer.h"
#include "server/blob/blob_store.h"
#include "server/services/completion_journal.h"
#include "server/services/records_service.h"
#include "server/services/upload_locks.h"

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

  // What completing an upload needs beyond the staged bytes.
  struct CompletionRequest {
    std::string sha256_claim;  // the client's x-amz-content-sha256 for the body, or ""
    std::string s3_etag;       // the ETag S3 would give the object ("": its md5, a single PUT)
    std::vector<std::pair<uint64_t, std::string>> parts;  // multipart: size and md5 of each
    std::string tus_id;                                   // the tus upload completed, if any
    std::string multipart_id;                             // the multipart upload completed, if any
  };
  struct Completed {
    Digests digests;
    std::string journal_entry;  // pass to EndCompletion once the upload's own state is done
  };
  // Checks what a writer staged against the record the grant names, then publishes it
  // under the grant's key and fills the record (see the file comment), as one step
  // against any other completion for that record: of two at once, exactly one fills it.
  // A file record must be "uploading" or "upload failed" and its declared md5sum and
  // file_size must match (ChecksumMismatch, and the record says why, otherwise). A grant
  // on an index record (kIndexUploadPrefix) fills that record's size, hashes and urls
  // once: a record already filled refuses every later upload (PermissionDenied,
  // s3:AccessDenied), so an upload URL cannot be replayed. The completion is journaled
  // (completion_journal.h) until EndCompletion.
  Result<Completed> Complete(const UploadGrant& grant, BlobWriter& writer,
                             const CompletionRequest& request);
  // Removes a completion's journal entry: the caller's upload state now says done.
  void EndCompletion(const std::string& journal_entry);
  // Complete then EndCompletion, for uploads with no state of their own (a single PUT).
  Result<Digests> CompleteUpload(const UploadGrant& grant, BlobWriter& writer,
                                 const std::string& sha256_claim, const std::string& s3_etag = "");
  // Whether the grant's record still takes bytes, checked before receiving any (and again,
  // atomically, by Complete): NotFound if it is gone; PermissionDenied (s3:AccessDenied)
  // for a file record not "uploading" or an index record already filled.
  Status CheckTakesBytes(const UploadGrant& grant);
  // The object the grant's record holds, if its bytes are the ones published under the
  // grant's key: what a retried completion of a finished upload answers with.
  Result<std::optional<ObjectRow>> FilledObject(const UploadGrant& grant);
  // At start-up, before serving: finishes every completion the journal holds. Bytes
  // published under an entry's key whose size and known digests match the entry fill
  // the entry's record if it is not filled yet; then `follow_up` brings the upload's own
  // state up to date (tus: complete; multipart: removed) and the entry is removed. An
  // entry whose bytes were never published is dropped: the upload's staged bytes are
  // still there and it completes again when retried. Returns how many were finished.
  using FollowUp = std::function<Status(const CompletionEntry&)>;
  Result<int> RecoverCompletions(const FollowUp& follow_up);

  // GET /files/<id>/@@download/<name>: a signed, expiring URL for the bytes. NotFound
  // for a wrong name or a file without verified bytes; the record's view permissions
  // apply (released files are public).
  Result<std::string> DownloadUrl(const Caller& caller, const std::string& id,
                                  const std::string& filename);

  // What a signed download URL serves. PermissionDenied if the signature is wrong or
  // expired, InvalidArgument for an unsigned parameter (UrlSigner::Verify); NotFound if
  // the blob is gone.
  struct Download {
    std::string blob_key;
    uint64_t size = 0;
    std::string etag;
    std::string filename;
  };
  Result<Download> OpenDownload(const std::string& path,
                                const std::vector<std::pair<std::string, std::string>>& query);

  // The upload key of a file record, from its date_created, uuid, accession and format.
  std::string UploadKeyOf(const StoredRecord& file) const;
  const FileServiceOptions& options() const { return options_; }
  BlobStore& blobs() { return blobs_; }

 private:
  // Checks that the record `grant` names takes bytes, publishes them (`publish`, given what
  // the record declares) and fills the record, holding that record's lock throughout.
  using Publish = std::function<Result<Digests>(const BlobExpectations&)>;
  Result<Digests> FillFile(const UploadGrant& grant, uint64_t size, const Publish& publish,
                           const std::string& s3_etag);
  Result<Digests> FillIndexRecord(const UploadGrant& grant, const Publish& publish,
                                  const std::string& s3_etag);
  Result<bool> RecoverOne(const CompletionEntry& entry);
  UploadCredentials Credentials(const StoredRecord& file) const;

  RecordService& records_;
  BlobStore& blobs_;
  const UploadCredentialIssuer& issuer_;
  const UrlSigner& signer_;
  FileServiceOptions options_;
  UploadLocks targets_;  // one completion per record at a time (keyed by grant.file_uuid)
};

}  // namespace dcc::server
