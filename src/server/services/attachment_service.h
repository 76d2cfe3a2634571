// src/server/services/attachment_service.h: attachments (encode.md §2.10). A property
// whose schema says `"attachment": true` accepts {"download", "href": "data:<mime>[;base64],
// <data>", "type"}. The bytes are checked (mime type against the file extension, md5
// against a declared md5sum), stored as a blob, and the value becomes
// {"download", "type", "href": "@@download/<prop>/<download>", "md5sum", "size"}. An
// update must send a new data URI or the unchanged existing href.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/profile.h"
#include "server/blob/blob_store.h"
#include "server/services/records_service.h"

namespace dcc::server {

// Thread-safe.
class AttachmentService {
 public:
  AttachmentService(RecordService& records, BlobStore& blobs) : records_(records), blobs_(blobs) {}

  // Rewrites the attachments of `doc` (a record about to be written), storing new bytes.
  // Problems are appended to `errors` with their path; the record is then not written
  // (stored bytes are content-addressed, so a retry reuses them).
  void Process(const schema::Profile& profile, nlohmann::json& doc, const nlohmann::json* old,
               std::vector<Status::Detail>& errors);

  struct Download {
    std::string blob_key;
    uint64_t size = 0;
    std::string mime;
    std::string md5;
    std::string filename;
  };
  // GET /<id>/@@download/<prop>/<filename>: the record's view permissions apply.
  Result<Download> Open(const Caller& caller, const std::string& id, const std::string& prop,
                        const std::string& filename);

 private:
  RecordService& records_;
  BlobStore& blobs_;
};

}  // namespace dcc::server
