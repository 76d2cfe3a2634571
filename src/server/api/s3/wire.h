// src/server/api/s3/wire.h: S3's XML on the wire (hca_etiket_tus.md §5). Every request
// body is parsed and every reply written by pugixml (wire.cc), so entities, namespaces,
// whitespace and element order are handled as XML defines them, not by string search.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "dcc/status.h"
#include "server/http/http_types.h"

namespace dcc::server::s3 {

// S3's document namespace, set on the root of every reply but errors (as S3 does).
inline constexpr const char* kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

// An element of a reply: text, or children (not both). Kept free of pugixml so that
// handlers can build replies without its header.
struct XmlElement {
  std::string name;
  std::string text;
  std::vector<XmlElement> children;

  XmlElement(std::string n, std::string t = {}) : name(std::move(n)), text(std::move(t)) {}
  XmlElement& Add(std::string n, std::string t = {}) {
    children.emplace_back(std::move(n), std::move(t));
    return children.back();
  }
};

// The document `root` rendered with its declaration; `xmlns` (if not empty) is set on
// the root. Characters XML 1.0 cannot carry (C0 controls but tab, CR, LF) become '?'.
std::string RenderXml(const XmlElement& root, const std::string& xmlns = kS3Namespace);
// An application/xml response of RenderXml(root, xmlns).
HttpResponse XmlResponse(int status, const XmlElement& root,
                         const std::string& xmlns = kS3Namespace);

// <Error><Code/><Message/><Resource/><RequestId/></Error>. The S3 code comes from a
// Status whose `where` is "s3:<Code>", else from the Status code (NotFound: NoSuchKey,
// ChecksumMismatch: BadDigest, ...).
HttpResponse RenderError(const Status& status, const HttpRequest& req);

// The (PartNumber, ETag) pairs of a CompleteMultipartUpload body, in document order.
// Element names match by local name, so the S3 namespace may be the default one, a
// prefixed one, or absent. ETags are returned without their quotes, lower-case.
// InvalidArgument ("s3:MalformedXML") if the body is not well-formed XML or lists no
// part with a numeric PartNumber and an ETag.
Result<std::vector<std::pair<int, std::string>>> ParseCompleteParts(const std::string& xml);

}  // namespace dcc::server::s3
