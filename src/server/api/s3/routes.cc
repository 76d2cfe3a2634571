#include "server/api/s3/routes.h"

#include <cctype>
#include <ctime>
#include <memory>
#include <optional>

#include "common/aws_chunked.h"
#include "common/s3_checksum.h"
#include "common/time_util.h"
#include "server/api/blob_response.h"
#include "server/api/s3/wire.h"
#include "server/auth/s3_authenticator.h"

namespace dcc::server::s3 {
namespace {

constexpr const char* kSignedTrailer = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
constexpr const char* kUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

bool IsAwsChunked(const std::string& payload_hash) {
  return payload_hash == sigv4::kStreamingPayload || payload_hash == kSignedTrailer ||
         payload_hash == kUnsignedTrailer;
}

Result<S3Caller> CallerOf(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c,
                       AuthenticateS3(s.issuer, req, static_cast<int64_t>(std::time(nullptr))));
  req.credentials_verified = true;  // SigV4 checked: the route's whole body limit applies
  if (!IsAwsChunked(c.payload_hash) && c.payload_hash.rfind("STREAMING-", 0) == 0) {
    return Status::InvalidArgument("payload mode " + c.payload_hash +
                                       " is not supported; use a signed payload, UNSIGNED-PAYLOAD, "
                                       "STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER] or " +
                                       kUnsignedTrailer,
                                   "s3:NotImplemented");
  }
  return c;
}

std::optional<uint64_t> ContentLength(const HttpRequest& req, const char* name) {
  std::string v = req.Header(name);
  if (v.empty()) return std::nullopt;
  try {
    return std::stoull(v);
  } catch (...) {
    return std::nullopt;
  }
}

// The object bytes of a request: the body itself, or the decoded aws-chunked payload
// with every chunk signature checked, and the additional checksum the client sent (a
// header, or the aws-chunked trailer) checked against the bytes. A failure is kept in
// `error`, so that the handler reports it rather than a generic short body.
struct ObjectBody {
  S3Service::BodyStream stream;
  std::optional<uint64_t> length;
  std::shared_ptr<Status> error = std::make_shared<Status>();
  std::string checksum_header;  // x-amz-checksum-<algorithm> the client sent, if any
};

// The one x-amz-checksum-<algorithm> header of a plain body, if any ("" if none).
Result<std::string> ChecksumHeaderOf(const HttpRequest& req) {
  std::string found;
  for (const auto& [name, value] : req.headers) {
    std::string lower = name;
    for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!S3Checksum::IsChecksumHeader(lower)) continue;  // also skips -algorithm, -type, -mode
    if (!found.empty() && found != lower)
      return Status::InvalidArgument(
          "send one x-amz-checksum-* header, not " + found + " and " + lower, "s3:InvalidRequest");
    found = lower;
  }
  return found;
}

Result<ObjectBody> BodyOf(HttpRequest& req, const S3Caller& c) {
  ObjectBody body;
  auto raw = req.stream_body ? req.stream_body : [](const BodySink&) { return true; };
  auto error = body.error;
  if (!IsAwsChunked(c.payload_hash)) {
    body.length = ContentLength(req, "Content-Length");
    DCC_ASSIGN_OR_RETURN(body.checksum_header, ChecksumHeaderOf(req));
    if (body.checksum_header.empty()) {
      body.stream = raw;
      return body;
    }
    DCC_ASSIGN_OR_RETURN(std::shared_ptr<S3Checksum> checksum,
                         S3Checksum::For(body.checksum_header));
    const std::string claimed = req.Header(body.checksum_header);
    body.stream = [raw, checksum, claimed, error](const BodySink& sink) {
      bool ok = raw([&](const char* data, size_t len) {
        checksum->Update(data, len);
        return sink(data, len);
      });
      if (!ok) return false;
      const std::string actual = checksum->Base64();
      if (actual != claimed) {
        *error = Status::ChecksumMismatch(checksum->header() + " is '" + claimed.substr(0, 100) +
                                              "' but the bytes received have " + actual,
                                          "s3:BadDigest");
        return false;
      }
      return true;
    };
    return body;
  }
  body.length = ContentLength(req, "x-amz-decoded-content-length");
  sigv4::AwsChunkedOptions options;
  options.signed_chunks = c.payload_hash != kUnsignedTrailer;
  options.trailer = req.Header("x-amz-trailer");
  for (auto& ch : options.trailer)
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!options.trailer.empty()) {
    // Refused before the body is read (an unknown algorithm, or crc64nvme).
    DCC_ASSIGN_OR_RETURN(std::unique_ptr<S3Checksum> probe, S3Checksum::For(options.trailer));
    body.checksum_header = probe->header();
  }
  body.stream = [raw, c, options, error](const BodySink& sink) {
    sigv4::AwsChunkedDecoder decoder(c.signing_key, c.credential.signature, c.credential.amz_date,
                                     c.credential.Scope(), sink, options);
    bool ok = raw([&](const char* data, size_t len) {
      *error = decoder.Feed(data, len);
      return error->ok();
    });
    if (ok) *error = decoder.Finish();
    return ok && error->ok();
  };
  return body;
}

// The body's own error, if it failed, else the service's.
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
    DCC_ASSIGN_OR_RETURN(ObjectBody body, BodyOf(req, c));
    DCC_ASSIGN_OR_RETURN(
        std::string etag,
        Explain(s.s3.UploadPart(c, bucket, key, req.Query("uploadId"), n, body.stream, body.length),
                body));
    return WithEtag(etag);
  }
  DCC_ASSIGN_OR_RETURN(ObjectBody body, BodyOf(req, c));
  DCC_ASSIGN_OR_RETURN(auto put,
                       Explain(s.s3.PutObject(c, bucket, key, body.stream, body.length), body));
  return WithEtag(put.etag);
}

// CreateBucket: the caller's bucket exists and is theirs, which S3 answers with 409
// BucketAlreadyOwnedByYou (rclone checks its bucket this way before an upload, and
// accepts that answer).
Result<HttpResponse> PutBucket(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  DCC_RETURN_IF_ERROR(s.s3.CheckBucket(c, req.captures[0]));
  return Status::Conflict("bucket " + req.captures[0] + " already exists and is yours",
                          "s3:BucketAlreadyOwnedByYou");
}

Result<HttpResponse> Post(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  const std::string& bucket = req.captures[0];
  const std::string& key = req.captures[1];
  if (req.HasQuery("uploads")) {
    DCC_ASSIGN_OR_RETURN(std::string id, s.s3.CreateMultipart(c, bucket, key));
    XmlElement result("InitiateMultipartUploadResult");
    result.Add("Bucket", bucket);
    result.Add("Key", key);
    result.Add("UploadId", id);
    return XmlResponse(200, result);
  }
  if (!req.HasQuery("uploadId"))
    return Status::InvalidArgument("POST needs ?uploads or ?uploadId", "s3:InvalidRequest");
  DCC_ASSIGN_OR_RETURN(const std::string* body, req.Body());
  DCC_ASSIGN_OR_RETURN(auto parts, ParseCompleteParts(*body));
  DCC_ASSIGN_OR_RETURN(auto put, s.s3.Complete(c, bucket, key, req.Query("uploadId"), parts));
  XmlElement result("CompleteMultipartUploadResult");
  result.Add("Location", "/" + bucket + "/" + key);
  result.Add("Bucket", bucket);
  result.Add("Key", key);
  result.Add("ETag", "\"" + put.etag + "\"");
  return XmlResponse(200, result);
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

// GetObject and HeadObject: what the AWS CLI and SDKs read (Last-Modified, ETag,
// Content-Length, Accept-Ranges) and the object's checksums, as S3 sends them.
Result<HttpResponse> GetObject(Services& s, HttpRequest& req, const S3Caller& c) {
  DCC_ASSIGN_OR_RETURN(auto object, s.s3.Head(c, req.captures[0], req.captures[1]));
  DCC_ASSIGN_OR_RETURN(HttpResponse r, BlobResponse(s.s3.blobs(), object.blob_key, object.size,
                                                    req.Header("Range"), object.etag));
  if (object.modified > 0) r.headers.emplace("Last-Modified", HttpDate(object.modified));
  // Whole-object digests: a range's bytes would not match them, so S3 sends none with 206.
  if (r.status == 200) {
    bool any = false;
    for (const auto& [name, value] : {std::pair{"x-amz-checksum-crc32c", &object.crc32c},
                                      std::pair{"x-amz-checksum-sha1", &object.sha1},
                                      std::pair{"x-amz-checksum-sha256", &object.sha256}}) {
      if (value->empty()) continue;
      r.headers.emplace(name, *value);
      any = true;
    }
    if (any) r.headers.emplace("x-amz-checksum-type", "FULL_OBJECT");
  }
  return r;
}

Result<HttpResponse> Get(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  const std::string& bucket = req.captures[0];
  const std::string& key = req.captures[1];
  if (!req.HasQuery("uploadId")) return GetObject(s, req, c);
  DCC_ASSIGN_OR_RETURN(auto parts, s.s3.ListParts(c, bucket, key, req.Query("uploadId")));
  XmlElement result("ListPartsResult");
  result.Add("Bucket", bucket);
  result.Add("Key", key);
  result.Add("UploadId", req.Query("uploadId"));
  result.Add("PartNumberMarker", "0");
  result.Add("MaxParts", "10000");
  result.Add("IsTruncated", "false");
  for (const auto& p : parts) {
    XmlElement& part = result.Add("Part");
    part.Add("PartNumber", std::to_string(p.number));
    part.Add("ETag", "\"" + p.etag + "\"");
    part.Add("Size", std::to_string(p.size));
  }
  return XmlResponse(200, result);
}

// HeadBucket, GetBucketLocation, and ListObjects (v1 and v2) of the caller's bucket:
// the listing holds the one object the credentials grant, when its bytes are there and
// it matches the prefix (rclone lists the key's directory to find what is there).
Result<HttpResponse> GetBucket(Services& s, HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(S3Caller c, CallerOf(s, req));
  const std::string& bucket = req.captures[0];
  DCC_ASSIGN_OR_RETURN(auto object, s.s3.Granted(c, bucket));
  if (req.method == "HEAD") {
    HttpResponse r;
    r.content_type = "application/xml";
    r.headers.emplace("x-amz-bucket-region", c.credential.region);
    return r;
  }
  if (req.HasQuery("location")) {
    // us-east-1 is S3's empty LocationConstraint.
    XmlElement result("LocationConstraint",
                      c.credential.region == "us-east-1" ? "" : c.credential.region);
    return XmlResponse(200, result);
  }
  for (const char* unsupported : {"acl", "policy", "versioning", "uploads", "versions", "cors",
                                  "lifecycle", "tagging", "encryption", "object-lock", "delete"}) {
    if (req.HasQuery(unsupported))
      return Status::PermissionDenied(
          std::string("bucket ?") + unsupported + " is not available with upload credentials",
          "s3:AccessDenied");
  }
  const bool v2 = req.Query("list-type") == "2";
  const std::string prefix = req.Query("prefix");
  const std::string delimiter = req.Query("delimiter");
  // The listing is one key long, so any marker or start-after at or past it ends it.
  const std::string after =
      v2 ? (req.HasQuery("continuation-token") ? req.Query("continuation-token")
                                               : req.Query("start-after"))
         : req.Query("marker");
  bool listed = object && object->blob_key.compare(0, prefix.size(), prefix) == 0 &&
                (after.empty() || object->blob_key > after) && req.Query("max-keys") != "0";
  std::string common_prefix;  // under a delimiter, a key with one after the prefix is a prefix
  if (listed && !delimiter.empty()) {
    auto cut = object->blob_key.find(delimiter, prefix.size());
    if (cut != std::string::npos)
      common_prefix = object->blob_key.substr(0, cut + delimiter.size());
  }
  XmlElement result("ListBucketResult");
  result.Add("Name", bucket);
  result.Add("Prefix", prefix);
  if (v2) {
    result.Add("KeyCount", listed ? "1" : "0");
  } else {
    result.Add("Marker", req.Query("marker"));
  }
  result.Add("MaxKeys", req.HasQuery("max-keys") ? req.Query("max-keys") : "1000");
  if (!delimiter.empty()) result.Add("Delimiter", delimiter);
  result.Add("IsTruncated", "false");
  if (listed && common_prefix.empty()) {
    XmlElement& content = result.Add("Contents");
    content.Add("Key", object->blob_key);
    content.Add("LastModified", IsoUtc(object->modified));
    content.Add("ETag", "\"" + object->etag + "\"");
    content.Add("Size", std::to_string(object->size));
    content.Add("StorageClass", "STANDARD");
  } else if (listed) {
    result.Add("CommonPrefixes").Add("Prefix", common_prefix);
  }
  return XmlResponse(200, result);
}

Result<HttpResponse> NotSupported(Services&, HttpRequest&) {
  return Status::PermissionDenied("listing buckets is not available with upload credentials",
                                  "s3:AccessDenied");
}

}  // namespace

void RegisterRoutes(Router& router, Services& s) {
  static const RouteEntry<Services> kRoutes[] = {
      {"PUT", "/([^/]+)/(.+)", Put, "PutObject, or UploadPart with ?partNumber&uploadId",
       BodyClass::kStream},
      {"PUT", "/([^/]+)/?", PutBucket,
       "CreateBucket: 409 BucketAlreadyOwnedByYou for the grant's bucket"},
      {"POST", "/([^/]+)/(.+)", Post, "CreateMultipartUpload (?uploads) or Complete (?uploadId)",
       BodyClass::kBulk},  // 10,000 parts with checksums can pass 2 MiB of XML
      {"DELETE", "/([^/]+)/(.+)", Delete, "AbortMultipartUpload (?uploadId)"},
      {"GET", "/([^/]+)/(.+)", Get, "GetObject / HeadObject (Range), or ListParts (?uploadId)"},
      {"GET", "/([^/]+)/?", GetBucket,
       "HeadBucket, GetBucketLocation, ListObjects(V2) of the granted key"},
      {"GET", "/", NotSupported, "ListBuckets: not offered"},
  };
  AddRoutes(router, s, kRoutes, RenderError);
}

}  // namespace dcc::server::s3
