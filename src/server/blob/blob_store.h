// src/server/blob/blob_store.h: the blob-store interface: bytes by key, nothing else.
//
// A BlobStore stages, commits, reads ranges of, stats, lists and deletes blobs. It knows
// nothing of records, users or permissions: services own those. Every byte written is
// hashed while it streams (common/hashing.h), so Commit can check declared digests
// without reading the data again.
//
// Keys are relative '/'-separated paths such as "2026/11/21/<uuid>/DCCFF123ABC.bam".
// Empty segments, ".", "..", backslashes and NUL are refused (InvalidArgument), so no key
// escapes the store.
//
// The local implementation is local_blob_store.cc; an S3-backed one will implement the
// same interface and pass the same conformance suite (tests/conformance/).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/hashing.h"
#include "dcc/status.h"

namespace dcc::server {

// What a backend can do beyond the required calls; callers test these, never the type.
struct BlobCapabilities {
  bool server_side_copy = false;
  bool presigned_urls = false;
  // StageRange, OpenStaged, TruncateStaged and RemoveStaged work: one staged blob can be
  // written at offsets by concurrent writers, so multipart parts land in place and
  // CompleteMultipartUpload needs no copy. A store without it (an S3-backed one would use
  // S3's own multipart upload instead) answers those calls with Internal.
  bool ranged_staging = false;
};

struct BlobInfo {
  std::string key;
  uint64_t size = 0;
  int64_t modified = 0;  // seconds since the epoch; when the blob was committed
};

// What the bytes must match for Commit to succeed. Empty fields are not checked.
// `transport_sha256` (what the client said it sent) is checked first and fails with
// InvalidArgument: the bytes were damaged on the way. The rest describe what the bytes
// should be, and fail with ChecksumMismatch.
struct BlobExpectations {
  std::string transport_sha256;  // lower-case hex
  std::optional<uint64_t> size;
  std::string md5;     // lower-case hex
  std::string sha1;    // lower-case hex
  std::string sha256;  // lower-case hex
  std::optional<uint32_t> crc32c;
};

// A blob being written. Nothing is visible under its key until Commit returns OK.
// Destroying an uncommitted writer leaves its staged bytes for Resume (resumable uploads)
// or for the sweeper; call Abandon to remove them at once. Not thread-safe.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  // Appends bytes, hashing them. IOError on a disk failure (e.g. no space).
  virtual Status Write(const void* data, size_t len) = 0;
  // Makes the bytes written so far durable (fsync) without committing: a resumable
  // upload acknowledges a chunk only after this returns OK.
  virtual Status Sync() = 0;
  // Bytes staged so far (including any written before a Resume).
  virtual uint64_t size() const = 0;
  // Makes the staged bytes durable (fsync), checks them against `expect`, then publishes
  // them under `key` atomically (rename, directory fsync). On OK the blob survives a
  // power cut. InvalidArgument or ChecksumMismatch (see BlobExpectations) if they
  // differ, and then the staged bytes are removed and nothing is published. Replaces an
  // existing blob.
  virtual Result<Digests> Commit(const std::string& key, const BlobExpectations& expect) = 0;
  // Removes the staged bytes.
  virtual Status Abandon() = 0;
};

// Writes one byte range of a staged blob that several writers share (BlobStore::
// StageRange). Nothing is published and nothing is checked until Finish. Not thread-safe;
// writers of disjoint ranges of one staged blob may run at the same time.
class BlobRangeWriter {
 public:
  virtual ~BlobRangeWriter() = default;
  // Writes bytes at the range's next offset, hashing them. IOError on a disk failure.
  virtual Status Write(const void* data, size_t len) = 0;
  virtual uint64_t size() const = 0;  // bytes written so far
  // Makes the range durable (fsync), then checks its digests against `expect` as Commit
  // does. On OK the bytes survive a power cut. On an error the range's bytes are
  // unspecified: the caller must not count them.
  virtual Result<Digests> Finish(const BlobExpectations& expect) = 0;
};

// Reads one byte range of a committed blob. Not thread-safe.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Up to `len` bytes into `buf`; 0 at the end of the range.
  virtual Result<size_t> Read(void* buf, size_t len) = 0;
  virtual uint64_t length() const = 0;  // bytes in the range
};

// Thread-safe.
class BlobStore {
 public:
  virtual ~BlobStore() = default;
  virtual BlobCapabilities capabilities() const = 0;
  // Starts a staged upload named `staging_id` (letters, digits, '-' and '_' only).
  // Conflict if one with that id is already staged. With `md5_only`, Commit's digests
  // carry only the md5 (and expectations other than md5 and size are not checked): for
  // bytes whose full digests are computed later, such as multipart parts.
  virtual Result<std::unique_ptr<BlobWriter>> Stage(const std::string& staging_id,
                                                    bool md5_only = false) = 0;
  // Reopens a staged upload after a restart, re-hashing the bytes already staged.
  // NotFound if none.
  virtual Result<std::unique_ptr<BlobWriter>> Resume(const std::string& staging_id) = 0;
  // With capabilities().ranged_staging: opens the staged upload `staging_id` (created if
  // needed, never truncated) for writing at `offset` onward. Bytes never written read as
  // zeros. Resume (then Commit) publishes the whole staged blob; `md5_only` as for Stage.
  virtual Result<std::unique_ptr<BlobRangeWriter>> StageRange(const std::string& staging_id,
                                                              uint64_t offset, bool md5_only = false);
  // Reads [offset, offset + length) of a staged upload, clipped at its end. NotFound if
  // none; InvalidArgument if offset is past the end.
  virtual Result<std::unique_ptr<BlobReader>> OpenStaged(const std::string& staging_id,
                                                         uint64_t offset, uint64_t length);
  // Cuts (or zero-extends) a staged upload to `size` bytes; Commit makes that durable.
  virtual Status TruncateStaged(const std::string& staging_id, uint64_t size);
  // Removes a staged upload. NotFound if none.
  virtual Status RemoveStaged(const std::string& staging_id);
  // NotFound if the key has no committed blob.
  virtual Result<BlobInfo> Stat(const std::string& key) = 0;
  // A reader of [offset, offset + length); length is clipped at the end of the blob.
  // NotFound; InvalidArgument if offset is past the end (an empty blob allows offset 0).
  virtual Result<std::unique_ptr<BlobReader>> Open(const std::string& key, uint64_t offset,
                                                   uint64_t length) = 0;
  // NotFound if there is nothing to delete.
  virtual Status Delete(const std::string& key) = 0;
  // Committed blobs whose key starts with `prefix`, in key order.
  virtual Result<std::vector<BlobInfo>> List(const std::string& prefix) = 0;
  // Removes staged uploads untouched for longer than `max_age`; returns how many.
  virtual Result<int> SweepStaging(std::chrono::seconds max_age) = 0;
};

// InvalidArgument unless `key` is a safe relative key (see above).
Status ValidateBlobKey(const std::string& key);

// The whole committed blob `key` in memory: for small state files (tus upload state, the
// completion journal), never for uploaded bytes. NotFound if absent.
Result<std::string> ReadWholeBlob(BlobStore& blobs, const std::string& key);

// Opens (creating if needed) a store in `dir`: committed blobs under dir/objects/,
// staged uploads under dir/staging/.
Result<std::unique_ptr<BlobStore>> OpenLocalBlobStore(const std::string& dir);

}  // namespace dcc::server
