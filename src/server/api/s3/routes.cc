#include "server/api/s3/routes.h"

#include <ctime>
#include <memory>
#include <optional>

#include "common/aws_chunked.h"
#include "server/api/s3/wire.h"
#include "server/auth/s3_authenticator.h"
#include "server/api/blob_response.h"

namespace dcc::server::s3 {
namespace {

constexpr const char* kNs = "http://s3.amazonaws.com/doc/2006-03-01/";

Result<S3Caller> CallerOf(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, AuthenticateS3(s.issuer, req, static_cast<int64_t>(std::time(nullptr))));
  req.credentials_verified = true;  // SigV4 checked: the route's whole body limit applies
  if (c.payload_hash != sigv4::kStreamingPayload && c.payload_hash.rfind("STREAMING-", 0) == 0) {
    return Status::InvalidArgument("payload mode " + c.payload_hash + " is not supported; use a signed payload, "
                                   "UNSIGNED-PAYLOAD or STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
                                   "s3:NotImplemented");
  }
  return c;
}

std::optional<uint64_t> ContentLength(const HttpRequest& req) {
  std::string v = req.Header("Content-Length");
  if (v.empty()) return std::nullopt;
  try {
    return std::stoull(v);
  } catch (...) {
    return std::nullopt;
  }
}

// The object bytes of a request: the body itself, or the decoded aws-chunked payload
// with every chunk signature checked. A decoding failure is kept in `error`, so that the
// handler reports it rather than a generic short body.
struct ObjectBody {
  S3Service::BodyStream stream;
  std::optional<uint64_t> length;
  std::shared_ptr<Status> error = std::make_shared<Status>();
};

ObjectBody BodyOf(HttpRequest& req, const S3Caller& c) {
  ObjectBody body;
  auto raw = req.stream_body ? req.stream_body : [](const BodySink&) { return true; };
  if (c.payload_hash != sigv4::kStreamingPayload) {
    body.stream = raw;
    body.length = ContentLength(req);
    return body;
  }
  try {
    body.length = std::stoull(req.Header("x-amz-decoded-content-length"));
  } catch (...) {
    body.length = std::nullopt;
  }
  auto error = body.error;
  body.stream = [raw, c, error](const BodySink& sink) {
    sigv4::AwsChunkedDecoder decoder(c.signing_key, c.credential.signature, c.credential.amz_date,
                                     c.credential.Scope(), sink);
    bool ok = raw([&](const char* data, size_t len) {
      *error = decoder.Feed(data, len);
      return error->ok();
    });
    if (ok) *error = decoder.Finish();
    return ok && error->ok();
  };
  return body;
}

// The decoder's own error, if it failed, else the service's.
template <typename T>
Result<T> Explain(Result<T> result, const ObjectBody& body) {
  if (!result.ok() && !body.error->ok()) return *body.error;
  return result;
}

HttpResponse WithEtag(const std::string& etag) {
  HttpResponse r;
  r.content_type = "application/xml";
  r.headers.emplace("ETag", "\"" + etag + "\"");
  return r;
}

Result<HttpResponse> Put(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  const std::string& bucket = req.captures[0];
  const std::string& key = req.captures[1];
  if (req.HasQuery("uploadId")) {
    int n = 0;
    try {
      n = std::stoi(req.Query("partNumber"));
    } catch (...) {
      return Status::InvalidArgument("partNumber must be a number", "s3:InvalidArgument");
    }
    ObjectBody body = BodyOf(req, c);
    DCC_ASSIGN_OR_RETURN(std::string etag, Explain(s.s3.UploadPart(c, bucket, key, req.Query("uploadId"), n,
                                                                   body.stream, body.length), body));
    return WithEtag(etag);
  }
  ObjectBody body = BodyOf(req, c);
  DCC_ASSIGN_OR_RETURN(auto put, Explain(s.s3.PutObject(c, bucket, key, body.stream, body.length), body));
  return WithEtag(put.etag);
}

Result<HttpResponse> Post(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  const std::string& bucket = req.captures[0];
  const std::string& key = req.captures[1];
  // Built by appending: GCC 12 misreports chained std::string operator+ (-Warray-bounds).
  std::string head;
  head.append("<Bucket>").append(XmlEscape(bucket)).append("</Bucket><Key>").append(XmlEscape(key)).append("</Key>");
  if (req.HasQuery("uploads")) {
    DCC_ASSIGN_OR_RETURN(std::string id, s.s3.CreateMultipart(c, bucket, key));
    std::string xml;
    xml.append("<InitiateMultipartUploadResult xmlns=\"").append(kNs).append("\">").append(head);
    xml.append("<UploadId>").append(id).append("</UploadId></InitiateMultipartUploadResult>");
    return XmlResponse(200, xml);
  }
  if (!req.HasQuery("uploadId"))
    return Status::InvalidArgument("POST needs ?uploads or ?uploadId", "s3:InvalidRequest");
  DCC_ASSIGN_OR_RETURN(const std::string* body, req.Body());
  DCC_ASSIGN_OR_RETURN(auto parts, ParseCompleteParts(*body));
  DCC_ASSIGN_OR_RETURN(auto put, s.s3.Complete(c, bucket, key, req.Query("uploadId"), parts));
  std::string xml;
  xml.append("<CompleteMultipartUploadResult xmlns=\"").append(kNs).append("\"><Location>/");
  xml.append(XmlEscape(bucket + "/" + key)).append("</Location>").append(head);
  xml.append("<ETag>\"").append(put.etag).append("\"</ETag></CompleteMultipartUploadResult>");
  return XmlResponse(200, xml);
}

Result<HttpResponse> Delete(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  if (!req.HasQuery("uploadId"))
    return Status::PermissionDenied("upload credentials may not delete objects", "s3:AccessDenied");
  DCC_RETURN_IF_ERROR(s.s3.Abort(c, req.captures[0], req.captures[1], req.Query("uploadId")));
  HttpResponse r;
  r.status = 204;
  r.content_type = "application/xml";
  return r;
}

Result<HttpResponse> Get(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  const std::string& bucket = req.captures[0];
  const std::string& key = req.captures[1];
  if (req.HasQuery("uploadId")) {
    DCC_ASSIGN_OR_RETURN(auto parts, s.s3.ListParts(c, bucket, key, req.Query("uploadId")));
    std::string xml;
    xml.append("<ListPartsResult xmlns=\"").append(kNs).append("\"><Bucket>").append(XmlEscape(bucket));
    xml.append("</Bucket><Key>").append(XmlEscape(key)).append("</Key><UploadId>").append(req.Query("uploadId"));
    xml.append("</UploadId><PartNumberMarker>0</PartNumberMarker><MaxParts>10000</MaxParts>");
    xml.append("<IsTruncated>false</IsTruncated>");
    for (const auto& p : parts) {
      xml.append("<Part><PartNumber>").append(std::to_string(p.number)).append("</PartNumber><ETag>\"");
      xml.append(p.etag).append("\"</ETag><Size>").append(std::to_string(p.size)).append("</Size></Part>");
    }
    return XmlResponse(200, xml + "</ListPartsResult>");
  }
  DCC_ASSIGN_OR_RETURN(auto object, s.s3.Head(c, bucket, key));
  return BlobResponse(s.s3.blobs(), object.blob_key, object.size, req.Header("Range"), object.etag);
}

Result<HttpResponse> NotSupported(Services&, HttpRequest&) {
  return Status::PermissionDenied("bucket operations are not available with upload credentials",
                                  "s3:AccessDenied");
}

}  // namespace

void RegisterRoutes(Router& router, Services& s) {
  static const RouteEntry<Services> kRoutes[] = {
      {"PUT", "/([^/]+)/(.+)", Put, "PutObject, or UploadPart with ?partNumber&uploadId",
       BodyClass::kStream},
      {"POST", "/([^/]+)/(.+)", Post, "CreateMultipartUpload (?uploads) or Complete (?uploadId)",
       BodyClass::kBulk},  // 10,000 parts with checksums can pass 2 MiB of XML
      {"DELETE", "/([^/]+)/(.+)", Delete, "AbortMultipartUpload (?uploadId)"},
      {"GET", "/([^/]+)/(.+)", Get, "GetObject / HeadObject (Range), or ListParts (?uploadId)"},
      {"GET", "/[^/]*/?", NotSupported, "bucket listings: not offered"},
  };
  AddRoutes(router, s, kRoutes, RenderError);
}

}  // namespace dcc::server::s3
