// src/server/services/completion_journal.h: the record of one upload completion in
// flight. Completing an upload publishes its bytes (a rename in the blob store), then
// commits the index record or file record they fill, then the upload's own state (tus:
// "complete"; multipart: its parts removed). dccd dying between those steps used to leave
// the bytes published and the record unfilled, or the record filled and the upload state
// saying "incomplete", so a client that lost the last reply could neither finish nor
// learn that it had finished. An entry is written before the bytes are published and
// removed after the last step; at start-up FileService::RecoverCompletions finishes every
// entry it finds (docs/s3_multipart.md "Completion and crashes").
//
// Entries are small committed blobs ".completing/<id>.json" in the blob store, next to
// the bytes they describe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "server/auth/upload_credentials.h"
#include "server/blob/blob_store.h"

namespace dcc::server {

struct CompletionEntry {
  std::string id;     // set by WriteCompletionEntry
  UploadGrant grant;  // bucket, key and the record filled (file uuid or "index:<did>")
  // What identifies the bytes published under grant.key, checked again before a
  // recovery fills a record from them: the size always, the others when known.
  uint64_t size = 0;
  std::string md5;      // the record's declared md5sum (file records)
  std::string sha256;   // the client's signed payload hash (x-amz-content-sha256)
  std::string s3_etag;  // the multipart ETag ("" for a single PUT: its md5)
  std::vector<std::pair<uint64_t, std::string>> parts;  // multipart: size and md5 of each part
  // The upload whose state follows the record: a tus upload id or a multipart upload id.
  std::string tus_id;
  std::string multipart_id;
};

// Writes `entry` durably (fsync, rename) and sets its id.
Status WriteCompletionEntry(BlobStore& blobs, CompletionEntry& entry);
// Removes the entry `id`; OK if it is already gone.
Status RemoveCompletionEntry(BlobStore& blobs, const std::string& id);
// Every entry in the journal. An unreadable one is returned with only its id set.
Result<std::vector<CompletionEntry>> ListCompletionEntries(BlobStore& blobs);

// S3's ETag of a multipart upload of parts with these md5s (lower-case hex):
// "<hex md5 of the concatenated raw md5s>-<count>". "" if an md5 is not 32 hex digits.
std::string MultipartEtag(const std::vector<std::string>& part_md5s);

}  // namespace dcc::server
