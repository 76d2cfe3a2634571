// include/dcc/transfer.h: moving file bytes to and from a portal, verified.
//
// UploadFile sends a local file, or an s3://bucket/key object (read by ranged GETs part by
// part, never whole in memory), to a file record's upload_url through the portal's
// S3-compatible endpoint: multipart, parts in parallel, each request SigV4-signed with
// the record's temporary credentials (renewed first, as the reference client does). The
// portal checks the whole file against the record's md5sum and file_size; the result says
// what it found. An interrupted upload resumes: parts already stored (ListParts, same
// size and md5) are not sent again (for an s3:// source the resume state is kept in
// $TMPDIR, keyed by the source URL).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "dcc/client.h"
#include "dcc/status.h"

namespace dcc {

struct UploadOptions {
  // The S3 endpoint serving upload_url's bucket, e.g. "http://127.0.0.1:9000"
  // (dccd --s3-listen). Required: s3:// URLs do not say where the endpoint is.
  std::string s3_endpoint;
  // Where an s3:// source is read from (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
  // AWS_SESSION_TOKEN from the environment); empty: s3_endpoint.
  std::string source_s3_endpoint;
  uint64_t part_size = 8u << 20;  // grown as needed to stay within 10,000 parts
  int concurrency = 4;            // parts in flight; memory is about concurrency × part_size
  std::function<void(uint64_t sent, uint64_t total)> progress;  // may be empty
};

struct UploadResult {
  std::string upload_url;
  uint64_t size = 0;
  int parts = 0;
  int parts_resumed = 0;  // parts found already stored and skipped
  std::string status;     // the file record's status afterwards ("in progress" if verified)
  std::string content_error_detail;  // why not, when the portal rejected the bytes
};

// `file_id` is any identifier of the file record. Unauthenticated/PermissionDenied if
// the caller may not upload; ChecksumMismatch when the portal rejected the bytes (the
// record is then "content error" and the result explains); IOError for the local file.
// An s3:// source: NotFound "no such object s3://b/k", PermissionDenied when its
// credentials are refused, InvalidArgument when no endpoint or AWS credentials are set;
// each before anything is sent to the portal.
Result<UploadResult> UploadFile(Client& client, const std::string& file_id, const std::string& path,
                                const UploadOptions& options);

// Fresh upload credentials for a file record awaiting bytes: POST @@upload (encode.md
// §1.10). Returns the file record (object frame) with its new "upload_credentials"
// (access_key, secret_key, session_token, upload_url, expiration). NotFound for an
// unknown record; PermissionDenied if its status is not "uploading"/"upload failed" or the
// caller may not edit it; Unauthenticated for bad credentials.
Result<nlohmann::json> RenewUploadCredentials(Client& client, const std::string& file_id);

// The reference's after-POST hook: when `written` is a newly created file record whose
// submitted_file_name is a local file or an s3:// object, uploads it (UploadFile).
// Returns nullopt when there is nothing to upload (not a new file record, dry run, or
// another remote source such as gs:// or https://).
Result<std::optional<UploadResult>> UploadSubmittedFile(Client& client, const Client::Written& written,
                                                        const UploadOptions& options);

struct DownloadOptions {
  uint64_t chunk_size = 8u << 20;  // bytes per ranged request
  int concurrency = 4;             // ranges in flight
  uint64_t max_bytes_per_second = 0;  // per range in flight; 0: unlimited
  std::function<void(uint64_t received, uint64_t total)> progress;  // may be empty
};

struct DownloadResult {
  std::string path;
  uint64_t size = 0;
  std::string md5;  // verified equal to the record's md5sum
  uint64_t resumed_bytes = 0;  // bytes found already downloaded in <dest>.part and not fetched again
};

// Downloads a file record's bytes to `dest` (the record's file name in the current
// directory if empty): follows @@download to its signed URL, fetches ranges in parallel
// into `<dest>.part`, hashes them in file order as they land (no second pass), checks the
// md5 against the record, and only then renames it into place. Finished ranges are listed
// in `<dest>.part.json`; if the download is interrupted (an error, a kill), the same call
// later fetches only the missing ranges (when the record's uuid, size and md5 are
// unchanged; otherwise it starts over). ChecksumMismatch if the bytes differ (nothing is
// left at `dest`, and the .part is removed); NotFound if the record has no bytes yet;
// Unavailable when a range fails (the .part and its state are kept for a resume).
Result<DownloadResult> DownloadFile(Client& client, const std::string& file_id, const std::string& dest,
                                    const DownloadOptions& options);

}  // namespace dcc
