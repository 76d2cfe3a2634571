// src/client/s3_source.h: reading an `s3://bucket/key` source object (a file record's
// submitted_file_name) through an S3-compatible endpoint, as the reference client does
// for md5sum/file_size and uploads (encode.md §1). Credentials come from the standard
// AWS environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN);
// the object is never held in memory whole: HEAD for its size, ranged GETs for its bytes.
#pragma once

#include <cstdint>
#include <string>

#include "client/s3_session.h"
#include "common/hashing.h"
#include "dcc/status.h"

namespace dcc::client {

inline bool IsS3Url(const std::string& s) { return s.rfind("s3://", 0) == 0; }

struct S3Source {
  std::string url;       // s3://bucket/key
  std::string endpoint;  // e.g. http://127.0.0.1:9000
  S3Credentials credentials;
  uint64_t size = 0;     // from HEAD
};

// Parses `url`, takes the credentials from the environment and HEADs the object.
// InvalidArgument for a malformed URL, no endpoint or no credentials; NotFound ("no such
// object s3://b/k"); PermissionDenied when the credentials are refused; Unavailable when
// the endpoint cannot be reached. Nothing is read but the HEAD.
Result<S3Source> OpenS3Source(const std::string& url, const std::string& endpoint);

// md5 and size of the object's bytes: `concurrency` ranged GETs of `chunk_size` in
// flight, hashed in order as each round lands (memory about concurrency × chunk_size).
Result<Digests> HashS3Object(const S3Source& source, uint64_t chunk_size = 8u << 20, int concurrency = 4);

}  // namespace dcc::client
