// src/server/services/s3_service.h: the S3 operations dccd supports for uploads, on top
// of the blob store and the file service: PutObject, multipart upload (create, upload
// part, list parts, complete, abort), and Head/GetObject of the granted key.
//
// Every call takes the verified S3Caller; its grant names the one bucket and key it may
// touch (AccessDenied otherwise). Multipart state lives in the blob store under the
// reserved prefix ".multipart/<upload id>/" (docs/s3_multipart.md): a marker holding the
// key, the part size P the upload's first big part set, and one record per finished part.
// Parts of size P (and a smaller last one) are written in place into one staged file at
// (n-1)*P, so Complete only truncates, hashes and publishes it; any other part is its own
// blob and Complete copies the parts, in order, into a new staged blob. Either way the file
// service verifies the whole against the record, as for a single PUT.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/auth/s3_authenticator.h"
#include "server/http/http_types.h"
#include "server/services/file_service.h"
#include "server/services/upload_locks.h"

namespace dcc::server {

// Smallest part S3 accepts, except for the last one.
inline constexpr uint64_t kMinPartSize = 5u << 20;

// Thread-safe.
class S3Service {
 public:
  S3Service(FileService& files, RecordStore& store) : files_(files), store_(store) {}

  using BodyStream = std::function<bool(const BodySink&)>;

  struct Put {
    std::string etag;  // unquoted
    Digests digests;
  };
  // `content_length` (if known) must equal the bytes received (IncompleteBody otherwise).
  Result<Put> PutObject(const S3Caller& caller, const std::string& bucket, const std::string& key,
                        const BodyStream& body, std::optional<uint64_t> content_length);
  Result<std::string> CreateMultipart(const S3Caller& caller, const std::string& bucket,
                                      const std::string& key);
  // Returns the part's ETag (its md5). A part uploaded again replaces the earlier one.
  Result<std::string> UploadPart(const S3Caller& caller, const std::string& bucket,
                                 const std::string& key, const std::string& upload_id,
                                 int part_number, const BodyStream& body,
                                 std::optional<uint64_t> content_length);
  struct Part {
    int number = 0;
    std::string etag;
    uint64_t size = 0;
    bool in_place = false;  // in the upload's staged file at (number - 1) * part size
  };
  Result<std::vector<Part>> ListParts(const S3Caller& caller, const std::string& bucket,
                                      const std::string& key, const std::string& upload_id);
  // `parts` as (number, etag) in the request's order. Returns the multipart ETag. A retry
  // of a completion that finished (the record holds this list's ETag) answers the same,
  // even after the upload's parts are gone; once the record holds other bytes, every
  // completion is refused (AccessDenied) and the upload removed.
  Result<Put> Complete(const S3Caller& caller, const std::string& bucket, const std::string& key,
                       const std::string& upload_id,
                       const std::vector<std::pair<int, std::string>>& parts);
  // After a restart, for a completion the journal finished: removes what is left of
  // `upload_id` (parts, marker). OK if nothing is.
  Status ForgetCompleted(const std::string& upload_id);
  Status Abort(const S3Caller& caller, const std::string& bucket, const std::string& key,
               const std::string& upload_id);

  struct ObjectView {
    std::string blob_key;
    uint64_t size = 0;
    std::string etag;      // unquoted; the multipart ETag for an object completed from parts
    int64_t modified = 0;  // when the bytes were committed (epoch seconds)
    std::string crc32c, sha1, sha256;  // base64 of the big-endian digests, "" if unknown
  };
  Result<ObjectView> Head(const S3Caller& caller, const std::string& bucket, const std::string& key);
  // The object at the granted key, if its bytes are there (nullopt before the upload).
  // AccessDenied for any bucket but the grant's.
  Result<std::optional<ObjectView>> Granted(const S3Caller& caller, const std::string& bucket);
  // OK for the caller's own bucket (the grant's), AccessDenied for any other.
  Status CheckBucket(const S3Caller& caller, const std::string& bucket) const;
  BlobStore& blobs() { return files_.blobs(); }
  // Removes multipart uploads created more than `max_age` ago and never completed or
  // aborted. Returns how many.
  Result<int> SweepAbandoned(std::chrono::seconds max_age);

 private:
  Status CheckGrant(const S3Caller& caller, const std::string& bucket, const std::string& key) const;
  Status CheckUpload(const std::string& upload_id, const std::string& key);
  Result<std::vector<Part>> Parts(const std::string& upload_id);
  // The upload's part size P, set by its first part of 5 MiB or more; 0 while unset.
  Result<uint64_t> PartSize(const std::string& upload_id, std::optional<uint64_t> claim_first);
  // Where part `n` of `length` bytes goes in the staged file, if it fits the layout.
  std::optional<uint64_t> InPlaceOffset(const std::string& upload_id, int n,
                                        std::optional<uint64_t> length);
  Result<std::unique_ptr<BlobWriter>> Assemble(const std::string& upload_id,
                                               const std::vector<Part>& chosen);
  Status RemoveUpload(const std::string& upload_id);

  FileService& files_;
  RecordStore& store_;
  UploadLocks locks_;
  std::mutex layout_mu_;  // the first part to claim the part size wins
};

}  // namespace dcc::server
