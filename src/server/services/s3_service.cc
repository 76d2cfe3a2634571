#include "server/services/s3_service.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <cstdio>
#include <set>

#include "common/hashing.h"

namespace dcc::server {
namespace {

const std::string kPrefix = ".multipart/";

std::string TransportClaim(const S3Caller& c) {
  const std::string& h = c.payload_hash;
  bool hex = h.size() == 64 && std::all_of(h.begin(), h.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
  return hex ? h : std::string();
}

std::string RandomId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  return ToHex(b, sizeof b);
}

std::string PartKey(const std::string& upload_id, int n) {
  char num[8];
  std::snprintf(num, sizeof num, "%05d", n);
  return kPrefix + upload_id + "/" + num;
}

Result<std::string> ReadSmallBlob(BlobStore& blobs, const std::string& key) {
  DCC_ASSIGN_OR_RETURN(auto reader, blobs.Open(key, 0, 4096));
  std::string out(4096, '\0');
  DCC_ASSIGN_OR_RETURN(size_t n, reader->Read(out.data(), out.size()));
  out.resize(n);
  return out;
}

Status WriteSmallBlob(BlobStore& blobs, const std::string& staging_id, const std::string& key,
                      const std::string& text) {
  DCC_ASSIGN_OR_RETURN(auto w, blobs.Stage(staging_id));
  DCC_RETURN_IF_ERROR(w->Write(text.data(), text.size()));
  return w->Commit(key, {}).status();
}

Status NoSuchUpload(const std::string& id) {
  return Status::NotFound("no multipart upload '" + id + "' (completed, aborted, or never created)",
                          "s3:NoSuchUpload");
}

}  // namespace

Status S3Service::CheckGrant(const S3Caller& c, const std::string& bucket, const std::string& key) const {
  if (c.grant.bucket != bucket || c.grant.key != key) {
    return Status::PermissionDenied("these credentials may write s3://" + c.grant.bucket + "/" +
                                    c.grant.key + " only", "s3:AccessDenied");
  }
  return ValidateBlobKey(key);
}

Status S3Service::Receive(BlobWriter& writer, const BodyStream& body,
                          std::optional<uint64_t> content_length) {
  Status write_error;
  bool complete = body([&](const char* data, size_t len) {
    write_error = writer.Write(data, len);
    return write_error.ok();
  });
  if (!write_error.ok()) return write_error;
  if (!complete || (content_length && writer.size() != *content_length)) {
    return Status::InvalidArgument("received " + std::to_string(writer.size()) +
                                       " bytes, fewer than Content-Length",
                                   "s3:IncompleteBody");
  }
  return Status::Ok();
}

Result<S3Service::Put> S3Service::PutObject(const S3Caller& c, const std::string& bucket,
                                            const std::string& key, const BodyStream& body,
                                            std::optional<uint64_t> content_length) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_ASSIGN_OR_RETURN(auto writer, blobs().Stage("put-" + RandomId()));
  if (Status s = Receive(*writer, body, content_length); !s.ok()) {
    (void)writer->Abandon();
    return s;
  }
  DCC_ASSIGN_OR_RETURN(Digests d, files_.CompleteUpload(c.grant, *writer, TransportClaim(c)));
  return Put{d.md5, d};
}

Result<std::string> S3Service::CreateMultipart(const S3Caller& c, const std::string& bucket,
                                               const std::string& key) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  std::string id = RandomId();
  DCC_RETURN_IF_ERROR(WriteSmallBlob(blobs(), "mpu-" + id, kPrefix + id + "/upload", key));
  return id;
}

Status S3Service::CheckUpload(const std::string& upload_id, const std::string& key) {
  if (upload_id.size() != 32 || upload_id.find_first_not_of("0123456789abcdef") != std::string::npos)
    return NoSuchUpload(upload_id);
  auto stored = ReadSmallBlob(blobs(), kPrefix + upload_id + "/upload");
  if (!stored.ok() || *stored != key) return NoSuchUpload(upload_id);
  return Status::Ok();
}

Result<std::vector<S3Service::Part>> S3Service::Parts(const std::string& upload_id) {
  DCC_ASSIGN_OR_RETURN(auto blobs_list, blobs().List(kPrefix + upload_id + "/"));
  std::vector<Part> parts;
  for (const auto& b : blobs_list) {
    std::string name = b.key.substr(b.key.rfind('/') + 1);  // "NNNNN", "NNNNN.md5", "upload"
    if (name.size() != 5 || name.find_first_not_of("0123456789") != std::string::npos) continue;
    auto md5 = ReadSmallBlob(blobs(), b.key + ".md5");
    if (!md5.ok()) continue;  // a part whose upload did not finish
    parts.push_back({std::stoi(name), *md5, b.size});
  }
  return parts;  // List is in key order, so parts are ascending
}

Result<std::string> S3Service::UploadPart(const S3Caller& c, const std::string& bucket,
                                          const std::string& key, const std::string& upload_id,
                                          int n, const BodyStream& body,
                                          std::optional<uint64_t> content_length) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  if (n < 1 || n > 10000)
    return Status::InvalidArgument("partNumber must be 1 to 10000", "s3:InvalidArgument");
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  // A part needs only its md5 (its ETag), as Complete computes every digest of the whole,
  // unless the client signed the payload and its sha256 must be checked.
  const bool md5_only = TransportClaim(c).empty();
  DCC_ASSIGN_OR_RETURN(auto writer, blobs().Stage("part-" + RandomId(), md5_only));
  if (Status s = Receive(*writer, body, content_length); !s.ok()) {
    (void)writer->Abandon();
    return s;
  }
  BlobExpectations expect;
  expect.transport_sha256 = TransportClaim(c);
  // The md5 sidecar is written last: a part counts once both are there.
  (void)blobs().Delete(PartKey(upload_id, n) + ".md5");
  DCC_ASSIGN_OR_RETURN(Digests d, writer->Commit(PartKey(upload_id, n), expect));
  DCC_RETURN_IF_ERROR(WriteSmallBlob(blobs(), "md5-" + RandomId(), PartKey(upload_id, n) + ".md5", d.md5));
  return d.md5;
}

Result<std::vector<S3Service::Part>> S3Service::ListParts(const S3Caller& c, const std::string& bucket,
                                                          const std::string& key,
                                                          const std::string& upload_id) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  return Parts(upload_id);
}

Result<S3Service::Put> S3Service::Complete(const S3Caller& c, const std::string& bucket,
                                           const std::string& key, const std::string& upload_id,
                                           const std::vector<std::pair<int, std::string>>& wanted) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  DCC_ASSIGN_OR_RETURN(auto stored, Parts(upload_id));
  std::vector<Part> chosen;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (i > 0 && wanted[i].first <= wanted[i - 1].first)
      return Status::InvalidArgument("parts must be listed in ascending order", "s3:InvalidPartOrder");
    auto it = std::find_if(stored.begin(), stored.end(), [&](const Part& p) {
      return p.number == wanted[i].first && p.etag == wanted[i].second;
    });
    if (it == stored.end()) {
      return Status::InvalidArgument("part " + std::to_string(wanted[i].first) + " with ETag " +
                                         wanted[i].second + " was not uploaded",
                                     "s3:InvalidPart");
    }
    chosen.push_back(*it);
  }
  for (size_t i = 0; i + 1 < chosen.size(); ++i) {
    if (chosen[i].size < kMinPartSize)
      return Status::InvalidArgument("part " + std::to_string(chosen[i].number) +
                                         " is smaller than 5 MiB and is not the last part",
                                     "s3:EntityTooSmall");
  }
  DCC_ASSIGN_OR_RETURN(auto writer, blobs().Stage("complete-" + RandomId()));
  std::string part_md5s;
  std::vector<char> buf(1 << 20);
  for (const auto& p : chosen) {
    DCC_ASSIGN_OR_RETURN(auto reader, blobs().Open(PartKey(upload_id, p.number), 0, UINT64_MAX));
    while (true) {
      DCC_ASSIGN_OR_RETURN(size_t got, reader->Read(buf.data(), buf.size()));
      if (got == 0) break;
      DCC_RETURN_IF_ERROR(writer->Write(buf.data(), got));
    }
    unsigned char raw[16];
    size_t len = 0;
    sodium_hex2bin(raw, sizeof raw, p.etag.data(), p.etag.size(), nullptr, &len, nullptr);
    part_md5s.append(reinterpret_cast<char*>(raw), len);
  }
  std::string md5_of_parts = Md5Raw(part_md5s.data(), part_md5s.size());
  std::string etag = ToHex(reinterpret_cast<const unsigned char*>(md5_of_parts.data()), 16) + "-" +
                     std::to_string(chosen.size());
  auto done = files_.CompleteUpload(c.grant, *writer, "", etag);
  if (done.ok() || done.status().code() == Status::Code::kChecksumMismatch) {
    (void)Abort(c, bucket, key, upload_id);  // the parts are no longer needed either way
  }
  if (!done.ok()) return done.status();
  return Put{etag, *done};
}

Status S3Service::Abort(const S3Caller& c, const std::string& bucket, const std::string& key,
                        const std::string& upload_id) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  DCC_ASSIGN_OR_RETURN(auto all, blobs().List(kPrefix + upload_id + "/"));
  for (const auto& b : all)
    if (b.key != kPrefix + upload_id + "/upload") (void)blobs().Delete(b.key);
  return blobs().Delete(kPrefix + upload_id + "/upload");
}

Result<int> S3Service::SweepAbandoned(std::chrono::seconds max_age) {
  DCC_ASSIGN_OR_RETURN(auto all, blobs().List(kPrefix));
  const int64_t cutoff = static_cast<int64_t>(std::time(nullptr)) - max_age.count();
  int removed = 0;
  for (const auto& marker : all) {
    if (marker.key.size() < 7 || marker.key.compare(marker.key.size() - 7, 7, "/upload") != 0) continue;
    if (marker.modified > cutoff) continue;
    std::string dir = marker.key.substr(0, marker.key.size() - 6);  // ".multipart/<id>/"
    for (const auto& b : all)
      if (b.key.compare(0, dir.size(), dir) == 0) (void)blobs().Delete(b.key);
    ++removed;
  }
  return removed;
}

Result<S3Service::ObjectView> S3Service::Head(const S3Caller& c, const std::string& bucket,
                                              const std::string& key) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto object, reader->FindObjectOfFile(c.grant.file_uuid));
  if (!object || object->blob_key != key)
    return Status::NotFound("no object at s3://" + bucket + "/" + key, "s3:NoSuchKey");
  return ObjectView{object->blob_key, object->size.value_or(0), object->hashes.value("etag", "")};
}

}  // namespace dcc::server
