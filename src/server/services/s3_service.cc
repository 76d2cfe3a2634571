#include "server/services/s3_service.h"

#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <set>

#include "common/hashing.h"
#include "server/services/completion_journal.h"

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

// The staged file that parts of one size are written into, in place.
std::string PlacedId(const std::string& upload_id) { return "parts-" + upload_id; }

// Streams `body` into `writer` (a BlobWriter or BlobRangeWriter); checks the byte count
// against `content_length`.
template <typename Writer>
Status Receive(Writer& writer, const S3Service::BodyStream& body, std::optional<uint64_t> content_length) {
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
  DCC_RETURN_IF_ERROR(files_.CheckTakesBytes(c.grant));
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
  DCC_ASSIGN_OR_RETURN(uint64_t part_size, PartSize(upload_id, std::nullopt));
  std::vector<Part> parts;
  for (const auto& b : blobs_list) {
    // "NNNNN" (a part of its own) with "NNNNN.md5", "NNNNN.placed", "upload", "layout"
    std::string name = b.key.substr(b.key.rfind('/') + 1);
    std::string digits = name.substr(0, 5);
    if (digits.size() != 5 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
    const int n = std::stoi(digits);
    if (name.size() == 5) {
      auto md5 = ReadSmallBlob(blobs(), b.key + ".md5");
      if (!md5.ok()) continue;  // a part whose upload did not finish
      parts.push_back({n, *md5, b.size, false});
    } else if (name == digits + ".placed" && part_size > 0) {
      // "<md5> <size>", written once the part's bytes were durable in the staged file.
      auto text = ReadSmallBlob(blobs(), b.key);
      if (!text.ok() || text->size() < 34 || (*text)[32] != ' ') continue;
      Part p{n, text->substr(0, 32), std::strtoull(text->c_str() + 33, nullptr, 10), true};
      // The staged file must still hold the part (it is gone after a failed Complete).
      const uint64_t offset = static_cast<uint64_t>(n - 1) * part_size;
      auto held = blobs().OpenStaged(PlacedId(upload_id), offset, p.size);
      if (p.size > 0 && (!held.ok() || (*held)->length() != p.size)) continue;
      parts.push_back(p);
    }
  }
  // List is in key order ("NNNNN" < "NNNNN.md5" < "NNNNN.placed"), and a part number has
  // one record at a time, so parts are ascending.
  return parts;
}

Result<uint64_t> S3Service::PartSize(const std::string& upload_id, std::optional<uint64_t> claim_first) {
  std::lock_guard lock(layout_mu_);
  const std::string key = kPrefix + upload_id + "/layout";
  auto text = ReadSmallBlob(blobs(), key);
  if (text.ok()) return std::strtoull(text->c_str(), nullptr, 10);
  if (text.status().code() != Status::Code::kNotFound) return text.status();
  if (!claim_first || *claim_first < kMinPartSize) return uint64_t{0};
  DCC_RETURN_IF_ERROR(WriteSmallBlob(blobs(), "layout-" + RandomId(), key, std::to_string(*claim_first)));
  return *claim_first;
}

std::optional<uint64_t> S3Service::InPlaceOffset(const std::string& upload_id, int n,
                                                 std::optional<uint64_t> length) {
  // Without a declared length the part cannot be known to fit; chunked bodies carry one
  // in x-amz-decoded-content-length, which the caller passes here.
  if (!blobs().capabilities().ranged_staging || !length) return std::nullopt;
  // S3's largest part; it also keeps (n - 1) * P far from overflowing, so no claimed
  // length can place a part over another's bytes.
  constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;
  if (*length > kMaxPartSize) return std::nullopt;
  auto part_size = PartSize(upload_id, length);
  if (!part_size.ok() || *part_size == 0 || *length > *part_size) return std::nullopt;
  return static_cast<uint64_t>(n - 1) * *part_size;
}

Result<std::string> S3Service::UploadPart(const S3Caller& c, const std::string& bucket,
                                          const std::string& key, const std::string& upload_id,
                                          int n, const BodyStream& body,
                                          std::optional<uint64_t> content_length) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  if (n < 1 || n > 10000)
    return Status::InvalidArgument("partNumber must be 1 to 10000", "s3:InvalidArgument");
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  auto held = locks_.Part(upload_id, n);
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));  // Complete or Abort may have run meanwhile
  // A part needs only its md5 (its ETag), as Complete computes every digest of the whole,
  // unless the client signed the payload and its sha256 must be checked.
  const bool md5_only = TransportClaim(c).empty();
  BlobExpectations expect;
  expect.transport_sha256 = TransportClaim(c);
  // A part uploaded again replaces the earlier one: its record goes first, so a failure
  // from here on leaves the part missing, never the old ETag over new bytes. Each record
  // is written last: a part counts once its bytes are durable.
  (void)blobs().Delete(PartKey(upload_id, n) + ".md5");
  (void)blobs().Delete(PartKey(upload_id, n) + ".placed");
  if (auto offset = InPlaceOffset(upload_id, n, content_length)) {
    DCC_ASSIGN_OR_RETURN(auto writer, blobs().StageRange(PlacedId(upload_id), *offset, md5_only));
    DCC_RETURN_IF_ERROR(Receive(*writer, body, content_length));
    DCC_ASSIGN_OR_RETURN(Digests d, writer->Finish(expect));
    // Refused after the body is read (a reply before it would reset the connection): a
    // record already filled takes no more parts.
    DCC_RETURN_IF_ERROR(files_.CheckTakesBytes(c.grant));
    (void)blobs().Delete(PartKey(upload_id, n));  // an earlier upload of this part as its own blob
    DCC_RETURN_IF_ERROR(WriteSmallBlob(blobs(), "md5-" + RandomId(), PartKey(upload_id, n) + ".placed",
                                       d.md5 + " " + std::to_string(writer->size())));
    return d.md5;
  }
  DCC_ASSIGN_OR_RETURN(auto writer, blobs().Stage("part-" + RandomId(), md5_only));
  if (Status s = Receive(*writer, body, content_length); !s.ok()) {
    (void)writer->Abandon();
    return s;
  }
  if (Status s = files_.CheckTakesBytes(c.grant); !s.ok()) {
    (void)writer->Abandon();
    return s;
  }
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

namespace {

// The digests an index record holds, for a completion answered from it.
Digests DigestsOf(const ObjectRow& row) {
  Digests d;
  d.size = row.size.value_or(0);
  d.md5 = row.hashes.value("md5", "");
  d.sha1 = row.hashes.value("sha1", "");
  d.sha256 = row.hashes.value("sha256", "");
  const std::string crc = row.hashes.value("crc32c", "");
  unsigned char raw[4];
  size_t len = 0;
  if (sodium_base642bin(raw, sizeof raw, crc.data(), crc.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) == 0 &&
      len == 4)
    d.crc32c =
        (uint32_t{raw[0]} << 24) | (uint32_t{raw[1]} << 16) | (uint32_t{raw[2]} << 8) | raw[3];
  return d;
}

}  // namespace

Result<S3Service::Put> S3Service::Complete(const S3Caller& c, const std::string& bucket,
                                           const std::string& key, const std::string& upload_id,
                                           const std::vector<std::pair<int, std::string>>& wanted) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  // A retry of a completion that finished (its reply was lost, or dccd died before
  // sending it) answers as the first did: the record holds this very list's ETag.
  std::vector<std::string> wanted_md5s;
  for (const auto& w : wanted) wanted_md5s.push_back(w.second);
  const std::string etag = MultipartEtag(wanted_md5s);
  DCC_ASSIGN_OR_RETURN(auto filled, files_.FilledObject(c.grant));
  if (filled && !etag.empty() && filled->hashes.value("etag", "") == etag) {
    if (CheckUpload(upload_id, key).ok()) {
      auto held = locks_.Whole(upload_id);
      (void)RemoveUpload(upload_id);  // what a completion cut short left behind
    }
    return Put{etag, DigestsOf(*filled)};
  }
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  auto held = locks_.Whole(upload_id);
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));  // a concurrent Complete or Abort may have won
  if (filled) {
    // Bytes of another upload fill the record: this one can never complete.
    if (Status refused = files_.CheckTakesBytes(c.grant); !refused.ok()) {
      (void)RemoveUpload(upload_id);
      return refused;
    }
  }
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
  DCC_ASSIGN_OR_RETURN(auto writer, Assemble(upload_id, chosen));
  FileService::CompletionRequest request;
  request.s3_etag = etag;
  request.multipart_id = upload_id;
  for (const auto& p : chosen) request.parts.emplace_back(p.size, p.etag);
  auto done = files_.Complete(c.grant, *writer, request);
  // The parts are no longer needed when the record took them, refused them, or can
  // never take any.
  const bool finished = done.ok() || done.status().code() == Status::Code::kChecksumMismatch ||
                        done.status().code() == Status::Code::kPermissionDenied;
  if (finished) (void)RemoveUpload(upload_id);
  if (!done.ok()) return done.status();
  files_.EndCompletion(done->journal_entry);
  return Put{etag, done->digests};
}

Status S3Service::ForgetCompleted(const std::string& upload_id) {
  auto held = locks_.Whole(upload_id);
  auto marker = blobs().Stat(kPrefix + upload_id + "/upload");
  if (!marker.ok())
    return marker.status().code() == Status::Code::kNotFound ? Status::Ok() : marker.status();
  return RemoveUpload(upload_id);
}

// A staged blob of the chosen parts, in order. When they are parts 1..k of the upload's
// part size P, all in place (the common case: every client uses one part size), that is
// the upload's staged file cut to (k-1)*P + the last part's size, and nothing is copied.
// Otherwise the parts are copied, in order, from wherever each one is. Either way the
// writer hashes every byte, so the record's md5 is checked against what is published.
Result<std::unique_ptr<BlobWriter>> S3Service::Assemble(const std::string& upload_id,
                                                        const std::vector<Part>& chosen) {
  DCC_ASSIGN_OR_RETURN(uint64_t part_size, PartSize(upload_id, std::nullopt));
  bool laid_out = part_size > 0 && !chosen.empty();
  for (size_t i = 0; laid_out && i < chosen.size(); ++i) {
    const Part& p = chosen[i];
    laid_out = p.in_place && p.number == static_cast<int>(i + 1) &&
               (i + 1 == chosen.size() ? p.size <= part_size : p.size == part_size);
  }
  if (laid_out) {
    const uint64_t total = (chosen.size() - 1) * part_size + chosen.back().size;
    DCC_RETURN_IF_ERROR(blobs().TruncateStaged(PlacedId(upload_id), total));
    return blobs().Resume(PlacedId(upload_id));
  }
  DCC_ASSIGN_OR_RETURN(auto writer, blobs().Stage("complete-" + RandomId()));
  std::vector<char> buf(1 << 20);
  for (const auto& p : chosen) {
    if (p.size == 0) continue;  // an empty last part
    auto reader = p.in_place ? blobs().OpenStaged(PlacedId(upload_id), (p.number - 1) * part_size, p.size)
                             : blobs().Open(PartKey(upload_id, p.number), 0, UINT64_MAX);
    if (!reader.ok()) {
      (void)writer->Abandon();
      return reader.status();
    }
    uint64_t copied = 0;
    while (true) {
      auto got = (*reader)->Read(buf.data(), buf.size());
      Status s = got.ok() ? writer->Write(buf.data(), *got) : got.status();
      if (!s.ok()) {
        (void)writer->Abandon();
        return s;
      }
      if (*got == 0) break;
      copied += *got;
    }
    if (copied != p.size) {
      (void)writer->Abandon();
      return Status::Internal("part " + std::to_string(p.number) + " holds " + std::to_string(copied) +
                              " bytes, its record says " + std::to_string(p.size));
    }
  }
  return writer;
}

Status S3Service::Abort(const S3Caller& c, const std::string& bucket, const std::string& key,
                        const std::string& upload_id) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_RETURN_IF_ERROR(CheckUpload(upload_id, key));
  auto held = locks_.Whole(upload_id);
  return RemoveUpload(upload_id);
}

// The marker goes last: while it exists, the upload's records and staged file are its.
Status S3Service::RemoveUpload(const std::string& upload_id) {
  DCC_ASSIGN_OR_RETURN(auto all, blobs().List(kPrefix + upload_id + "/"));
  for (const auto& b : all)
    if (b.key != kPrefix + upload_id + "/upload") (void)blobs().Delete(b.key);
  if (blobs().capabilities().ranged_staging) (void)blobs().RemoveStaged(PlacedId(upload_id));
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
    std::string upload_id = dir.substr(kPrefix.size(), dir.size() - kPrefix.size() - 1);
    auto held = locks_.Whole(upload_id);
    for (const auto& b : all)
      if (b.key.compare(0, dir.size(), dir) == 0) (void)blobs().Delete(b.key);
    if (blobs().capabilities().ranged_staging) (void)blobs().RemoveStaged(PlacedId(upload_id));
    ++removed;
  }
  return removed;
}

Status S3Service::CheckBucket(const S3Caller& c, const std::string& bucket) const {
  if (c.grant.bucket != bucket) {
    return Status::PermissionDenied("these credentials may use bucket " + c.grant.bucket + " only",
                                    "s3:AccessDenied");
  }
  return Status::Ok();
}

Result<std::optional<S3Service::ObjectView>> S3Service::Granted(const S3Caller& c,
                                                                const std::string& bucket) {
  DCC_RETURN_IF_ERROR(CheckBucket(c, bucket));
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(auto object, reader->FindObjectOfFile(c.grant.file_uuid));
  if (!object || object->blob_key != c.grant.key) return std::optional<ObjectView>();
  // The hashes are the file service's (strings), but an admin may edit them through /index.
  auto hash = [&](const char* name) {
    auto it = object->hashes.find(name);
    return it != object->hashes.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  ObjectView v;
  v.blob_key = object->blob_key;
  v.size = object->size.value_or(0);
  v.etag = hash("etag");
  // `updated` is indexd's naive UTC isoformat ("2026-01-02T03:04:05.123456"), written
  // when the upload committed the bytes.
  std::tm tm{};
  const std::string& when = object->updated.empty() ? object->created : object->updated;
  if (strptime(when.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) v.modified = static_cast<int64_t>(timegm(&tm));
  v.crc32c = hash("crc32c");
  v.sha1 = HexToBase64(hash("sha1"));
  v.sha256 = HexToBase64(hash("sha256"));
  return std::optional<ObjectView>(std::move(v));
}

Result<S3Service::ObjectView> S3Service::Head(const S3Caller& c, const std::string& bucket,
                                              const std::string& key) {
  DCC_RETURN_IF_ERROR(CheckGrant(c, bucket, key));
  DCC_ASSIGN_OR_RETURN(auto object, Granted(c, bucket));
  if (!object) return Status::NotFound("no object at s3://" + bucket + "/" + key, "s3:NoSuchKey");
  return *object;
}

}  // namespace dcc::server
