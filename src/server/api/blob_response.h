// src/server/api/blob_response.h: serving a blob over HTTP, shared by the dialects that
// hand out bytes (S3 GetObject, signed downloads): Range (206 + Content-Range), ETag,
// Accept-Ranges, and a streamed body in constant memory.
#pragma once

#include <string>

#include "server/blob/blob_store.h"
#include "server/http/http_types.h"

namespace dcc::server {

// InvalidArgument ("s3:InvalidRange") for an unsatisfiable Range; NotFound if the blob
// is gone. `etag` is sent quoted.
Result<HttpResponse> BlobResponse(BlobStore& blobs, const std::string& key, uint64_t size,
                                  const std::string& range_header, const std::string& etag);

}  // namespace dcc::server
