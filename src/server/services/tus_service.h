// src/server/services/tus_service.h: resumable uploads by tus 1.0.0 (hca_etiket_tus.md §4)
// with the creation, creation-with-upload, creation-defer-length, termination,
// checksum, concatenation and expiration extensions.
//
// An upload fills a file record: its Upload-Metadata names the record under the key
// `file` (any identifier), and when the last byte arrives the file service verifies the
// bytes against the record exactly as for an S3 upload. Partial uploads (for parallel
// clients) need no record; the final concatenation names it.
//
// State lives in the blob store next to the bytes: ".tus/<id>.json" (what the upload is)
// and the staged bytes (staging id "tus-<id>"), so the offset after a restart is simply
// the number of staged bytes. A PATCH makes its bytes durable before it answers.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/http/http_types.h"
#include "server/services/file_service.h"

namespace dcc::server {

struct TusOptions {
  int64_t expire_seconds = 24 * 3600;  // an unfinished upload is dropped after this
};

struct TusUpload {
  std::string id;
  std::string owner;      // email of the principal that created it
  std::string file_uuid;  // the record it fills; empty for partial uploads
  std::string metadata;   // Upload-Metadata as received, echoed by HEAD
  int64_t length = -1;    // -1 while deferred
  bool partial = false;
  std::vector<std::string> parts;  // a final upload's partial upload ids, in order
  int64_t expires = 0;             // seconds since the epoch
  bool complete = false;
  uint64_t offset = 0;  // not stored: the staged (or completed) byte count
};

// The `file` value of an Upload-Metadata header ("key base64,key base64,..."), decoded.
// InvalidArgument when it is missing or not base64. Pure: the fuzz target calls it.
Result<std::string> UploadMetadataFile(const std::string& metadata);

// Thread-safe. Failures carry the tus status in `where` when no Status code fits:
// "tus:409" (offset mismatch), "tus:410" (expired), "tus:415", "tus:423" (locked),
// "tus:460" (checksum mismatch).
class TusService {
 public:
  TusService(FileService& files, RecordService& records, TusOptions options = {});
  ~TusService();

  struct CreateRequest {
    std::optional<int64_t> length;  // Upload-Length
    bool defer_length = false;      // Upload-Defer-Length: 1
    std::string metadata;           // Upload-Metadata
    std::string concat;             // Upload-Concat: "partial" or "final;<url> <url>"
  };
  // POST. Creation-with-upload: `body` (may be null) streams the first bytes.
  Result<TusUpload> Create(const Caller& caller, const CreateRequest& req,
                           const std::function<bool(const BodySink&)>& body);
  // HEAD. An upload whose bytes all arrived but whose completion was cut short (dccd
  // died before publishing them) completes here.
  Result<TusUpload> Head(const Caller& caller, const std::string& id);
  struct PatchRequest {
    uint64_t offset = 0;             // Upload-Offset
    std::optional<int64_t> length;   // Upload-Length, to end a deferral
    std::string checksum;            // Upload-Checksum: "<algorithm> <base64>"
  };
  Result<TusUpload> Patch(const Caller& caller, const std::string& id, const PatchRequest& req,
                          const std::function<bool(const BodySink&)>& body);
  // After a restart, for a completion the journal finished: marks upload `id` complete
  // and drops its staged bytes. OK if it no longer exists.
  Status MarkCompleted(const std::string& id);
  // DELETE (termination).
  Status Terminate(const Caller& caller, const std::string& id);

  // Removes uploads past their expiry (state, staged bytes, finished partial data) that
  // no request holds. Returns how many.
  Result<int> SweepExpired();

  static constexpr const char* kChecksumAlgorithms = "md5,sha1,sha256,crc32c";

 private:
  struct Live;  // an upload's lock and open writer
  Result<std::shared_ptr<Live>> Acquire(const std::string& id);
  void Forget(const std::string& id);
  Status Discard(const std::string& id, Live& live);
  Result<TusUpload> Load(const std::string& id);  // NotFound "tus:410" once expired unfinished
  Result<TusUpload> LoadState(const std::string& id);
  Status Save(const TusUpload& upload);
  Status CheckAccess(const Caller& caller, const TusUpload& upload) const;
  Result<std::string> FileFromMetadata(const Caller& caller, const std::string& metadata);
  // Appends `body` to the upload, verifying `checksum` first if given.
  Status Append(TusUpload& upload, Live& live, const std::function<bool(const BodySink&)>& body,
                const std::string& checksum);
  // When the last byte is in: verify and publish (single), keep for concatenation
  // (partial).
  Status MaybeFinish(TusUpload& upload, Live& live);
  Status Concatenate(TusUpload& final_upload);

  FileService& files_;
  RecordService& records_;
  TusOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Live>> live_;
};

}  // namespace dcc::server
