// src/common/mime_types.h: the mime type a file name implies. The server checks an
// attachment's declared type against it (reference §2.10) and the client builds an
// attachment's data URI with it (§1.9), so both sides agree by construction.
#pragma once

#include <string>

namespace dcc {

// The mime type a file name's extension implies, or "" if unknown ("x.tsv" ->
// "text/tab-separated-values"; "x.txt.gz" -> "application/gzip", as the reference
// forces for a gzip encoding).
std::string MimeOfFilename(const std::string& filename);

}  // namespace dcc
