#include "server/api/s3/wire.h"

#include <cctype>
#include <cstring>
#include <pugixml.hpp>
#include <sstream>

namespace dcc::server::s3 {
namespace {

// XML 1.0 allows tab, LF and CR among the C0 controls, nothing else (not even as &#1;).
std::string XmlSafe(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') c = '?';
  }
  return out;
}

void Append(pugi::xml_node parent, const XmlElement& e) {
  pugi::xml_node node = parent.append_child(XmlSafe(e.name).c_str());
  if (!e.text.empty()) node.text().set(XmlSafe(e.text).c_str());
  for (const auto& child : e.children) Append(node, child);
}

// "s3:Part" and "Part" are both Part: S3 clients send the namespace as the default one,
// with a prefix, or not at all.
std::string LocalName(const pugi::xml_node& n) {
  const char* name = n.name();
  const char* colon = std::strrchr(name, ':');
  return colon ? colon + 1 : name;
}

pugi::xml_node Child(const pugi::xml_node& parent, const char* local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_element && LocalName(c) == local) return c;
  return {};
}

// The element's character data (text and CDATA children), trimmed of XML whitespace.
std::string TextOf(const pugi::xml_node& n) {
  std::string v;
  for (pugi::xml_node c = n.first_child(); c; c = c.next_sibling())
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) v += c.value();
  size_t b = v.find_first_not_of(" \t\r\n"), e = v.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
}

Status Malformed(const std::string& why) {
  return Status::InvalidArgument("CompleteMultipartUpload body: " + why, "s3:MalformedXML");
}

}  // namespace

std::string RenderXml(const XmlElement& root, const std::string& xmlns) {
  pugi::xml_document doc;
  pugi::xml_node decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  Append(doc, root);
  if (!xmlns.empty()) doc.document_element().prepend_attribute("xmlns") = xmlns.c_str();
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

HttpResponse XmlResponse(int status, const XmlElement& root, const std::string& xmlns) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/xml";
  r.body = RenderXml(root, xmlns);
  return r;
}

HttpResponse RenderError(const Status& status, const HttpRequest& req) {
  int http = 500;
  std::string code = "InternalError";
  switch (status.code()) {
    case Status::Code::kInvalidArgument:
      http = 400;
      code = "InvalidArgument";
      break;
    case Status::Code::kValidation:
      http = 400;
      code = "InvalidRequest";
      break;
    case Status::Code::kNotFound:
      http = 404;
      code = "NoSuchKey";
      break;
    case Status::Code::kMethodNotAllowed:
      http = 405;
      code = "MethodNotAllowed";
      break;
    case Status::Code::kConflict:
      http = 409;
      code = "OperationAborted";
      break;
    case Status::Code::kUnauthenticated:
      http = 403;
      code = "AccessDenied";
      break;
    case Status::Code::kPermissionDenied:
      http = 403;
      code = "AccessDenied";
      break;
    case Status::Code::kTooLarge:
      http = 400;
      code = "EntityTooLarge";
      break;
    case Status::Code::kChecksumMismatch:
      http = 400;
      code = "BadDigest";
      break;
    case Status::Code::kPreconditionFailed:
      http = 412;
      code = "PreconditionFailed";
      break;
    case Status::Code::kUnavailable:
      http = 503;
      code = "SlowDown";
      break;
    default:
      break;
  }
  if (status.where().rfind("s3:", 0) == 0) code = status.where().substr(3);
  if (code == "ExpiredToken") http = 400;
  if (code == "InvalidRange") http = 416;
  if (code == "NoSuchUpload" || code == "NoSuchBucket") http = 404;
  if (code == "BucketAlreadyOwnedByYou") http = 409;
  XmlElement error("Error");
  error.Add("Code", code);
  error.Add("Message", status.message());
  error.Add("Resource", req.path);
  error.Add("RequestId", req.request_id);
  return XmlResponse(http, error, "");  // S3's errors carry no namespace
}

Result<std::vector<std::pair<int, std::string>>> ParseCompleteParts(const std::string& xml) {
  pugi::xml_document doc;
  // parse_default: entities (&#34; &quot; ...) decoded, CDATA kept; a DOCTYPE is skipped,
  // so no entity it declares is ever expanded.
  pugi::xml_parse_result parsed =
      doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    return Malformed(std::string("not well-formed XML (") + parsed.description() + " at byte " +
                     std::to_string(parsed.offset) + ")");
  }
  pugi::xml_node root = doc.document_element();
  if (LocalName(root) != "CompleteMultipartUpload")
    return Malformed("the root element is <" + std::string(root.name()) +
                     ">, expected <CompleteMultipartUpload>");
  std::vector<std::pair<int, std::string>> parts;
  for (pugi::xml_node part = root.first_child(); part; part = part.next_sibling()) {
    if (part.type() != pugi::node_element || LocalName(part) != "Part") continue;
    pugi::xml_node number_node = Child(part, "PartNumber"), etag_node = Child(part, "ETag");
    if (!number_node || !etag_node)
      return Malformed("Part " + std::to_string(parts.size() + 1) +
                       " lacks <PartNumber> or <ETag>");
    std::string number = TextOf(number_node);
    if (number.empty() || number.size() > 5 ||
        number.find_first_not_of("0123456789") != std::string::npos)
      return Malformed("PartNumber '" + number.substr(0, 20) +
                       "' is not a number of 1 to 5 digits");
    std::string etag = TextOf(etag_node);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
      etag = etag.substr(1, etag.size() - 2);
    for (auto& ch : etag) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    parts.emplace_back(std::stoi(number), etag);
  }
  if (parts.empty()) return Malformed("no <Part> element");
  return parts;
}

}  // namespace dcc::server::s3
