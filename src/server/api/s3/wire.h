// src/server/api/s3/wire.h: S3's XML responses and errors (hca_etiket_tus.md §5).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server::s3 {

// <Error><Code/><Message/><Resource/><RequestId/></Error>. The S3 code comes from a
// Status whose `where` is "s3:<Code>", else from the Status code (NotFound: NoSuchKey,
// ChecksumMismatch: BadDigest, ...).
HttpResponse RenderError(const Status& status, const HttpRequest& req);
// An XML document response: the declaration plus `body`.
HttpResponse XmlResponse(int status, const std::string& body);
std::string XmlEscape(const std::string& s);

// The (PartNumber, ETag) pairs of a CompleteMultipartUpload body, in document order.
// ETags are returned without quotes. InvalidArgument ("s3:MalformedXML") if unparsable.
Result<std::vector<std::pair<int, std::string>>> ParseCompleteParts(const std::string& xml);

}  // namespace dcc::server::s3
