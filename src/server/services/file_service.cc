#include "server/services/file_service.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <vector>

#include "common/ids.h"
#include "common/time_util.h"
#include "server/services/index_record.h"
#include "server/services/test_crash_points.h"

namespace dcc::server {
using nlohmann::json;

namespace {

bool Uploadable(const std::string& status) {
  return status == "uploading" || status == "upload failed";
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// An index record takes bytes once: a blank record (no size, no urls) until then.
bool Filled(const ObjectRow& row) { return row.size.has_value() || !row.urls.empty(); }

Status Spent(const std::string& did) {
  return Status::PermissionDenied(
      "this upload is spent: index record " + did +
          " already holds its bytes, and an upload URL fills its record once",
      "s3:AccessDenied");
}

Status NotUploading(const StoredRecord& file) {
  return Status::PermissionDenied("file is \"" + file.status + "\", not \"uploading\"",
                                  "s3:AccessDenied");
}

}  // namespace

FileService::FileService(RecordService& records, BlobStore& blobs,
                         const UploadCredentialIssuer& issuer, const UrlSigner& signer,
                         FileServiceOptions options)
    : records_(records), blobs_(blobs), issuer_(issuer), signer_(signer), options_(std::move(options)) {}

Result<std::string> FileService::DownloadUrl(const Caller& caller, const std::string& id,
                                             const std::string& filename) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(StoredRecord file, records_.FindViewable(*reader, caller, id));
  if (file.type != "file") return Status::NotFound("'" + id + "' is not a file");
  std::string key = UploadKeyOf(file);
  std::string name = key.substr(key.rfind('/') + 1);
  if (filename != name) return Status::NotFound("this file downloads as '" + name + "', not '" + filename + "'");
  DCC_ASSIGN_OR_RETURN(auto object, reader->FindObjectOfFile(file.uuid));
  if (!object) return Status::NotFound("file " + name + " has no verified bytes yet (status \"" + file.status + "\")");
  SignedDownload fields{name, object->hashes.value("md5", ""), object->size.value_or(0),
                        Now() + options_.download_seconds};
  return signer_.Sign("/_blobs/" + object->blob_key, fields);
}

Result<FileService::Download> FileService::OpenDownload(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& query) {
  DCC_ASSIGN_OR_RETURN(SignedDownload signed_fields, signer_.Verify(path, query, Now()));
  Download d;
  d.blob_key = path.substr(std::string("/_blobs/").size());
  DCC_ASSIGN_OR_RETURN(auto info, blobs_.Stat(d.blob_key));
  d.size = info.size;
  d.etag = signed_fields.etag;
  d.filename = signed_fields.filename;
  return d;
}

std::string FileService::UploadKeyOf(const StoredRecord& file) const {
  const json& p = file.properties;
  std::string date = p.value("date_created", std::string("1970-01-01"));
  std::string ext;
  if (const auto* profile = records_.profiles().Find("file")) {
    const json& map = profile->schema->value("file_format_file_extension", json::object());
    ext = map.value(p.value("file_format", ""), "");
  }
  std::string name = p.value("accession", file.uuid);
  return date.substr(0, 4) + "/" + date.substr(5, 2) + "/" + date.substr(8, 2) + "/" + file.uuid +
         "/" + name + ext;
}

UploadCredentials FileService::Credentials(const StoredRecord& file) const {
  return issuer_.Issue({options_.bucket, UploadKeyOf(file), file.uuid, Now() + options_.credential_seconds});
}

void FileService::Decorate(RecordReader& reader, const Caller& caller, const StoredRecord& rec,
                           json& doc) const {
  if (rec.type != "file") return;
  const json& p = rec.properties;
  std::string name = p.value("accession", rec.uuid);
  std::string key = UploadKeyOf(rec);
  doc["href"] = rec.at_id + "@@download/" + key.substr(key.rfind('/') + 1);
  if (Uploadable(rec.status) && !caller.anonymous() && records_.CanEdit(reader, caller, rec)) {
    UploadCredentials c = Credentials(rec);
    doc["upload_credentials"] = {{"access_key", c.access_key},
                                 {"secret_key", c.secret_key},
                                 {"session_token", c.session_token},
                                 {"expiration", c.expiration},
                                 {"upload_url", c.upload_url}};
  }
}

Result<json> FileService::RenewCredentials(const Caller& caller, const std::string& id) {
  if (caller.anonymous()) return Status::Unauthenticated("credentials required");
  std::optional<StoredRecord> file;
  {
    DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
    DCC_ASSIGN_OR_RETURN(file, records_.Resolve(*reader, id));
    if (!file || file->type != "file" || !records_.CanView(caller, *file))
      return Status::NotFound("no file '" + id + "'");
    if (!records_.CanEdit(*reader, caller, *file))
      return Status::PermissionDenied("you may not upload to this file");
  }
  if (!Uploadable(file->status)) {
    return Status::PermissionDenied("status must be \"uploading\" to issue new credentials (it is \"" +
                                    file->status + "\")");
  }
  if (file->status == "upload failed") {
    DCC_RETURN_IF_ERROR(records_.SystemPatch(file->uuid, {{"status", "uploading"}}, nullptr).status());
  }
  DCC_ASSIGN_OR_RETURN(auto fetched, records_.Get(caller, file->uuid, Frame::kObject));
  return fetched.doc;
}

Result<FileService::Completed> FileService::Complete(const UploadGrant& grant, BlobWriter& writer,
                                                     const CompletionRequest& request) {
  // Durable before any lock is taken, so that publishing under the record's transaction
  // only renames.
  DCC_RETURN_IF_ERROR(writer.Sync());
  CompletionEntry entry;
  entry.grant = grant;
  entry.size = writer.size();
  entry.sha256 = request.sha256_claim;
  entry.s3_etag = request.s3_etag;
  entry.parts = request.parts;
  entry.tus_id = request.tus_id;
  entry.multipart_id = request.multipart_id;
  bool committing = false;
  // Runs under the record's lock, once the record is known to take these bytes.
  Publish publish = [&](const BlobExpectations& declared) -> Result<Digests> {
    BlobExpectations expect = declared;
    expect.transport_sha256 = request.sha256_claim;
    entry.md5 = expect.md5;
    DCC_RETURN_IF_ERROR(WriteCompletionEntry(blobs_, entry));
    TestCrashPoint("complete-before-publish");
    committing = true;  // from here on the writer owns its staged bytes' fate
    auto committed = writer.Commit(grant.key, expect);
    if (!committed.ok()) (void)RemoveCompletionEntry(blobs_, entry.id);  // nothing was published
    return committed;
  };
  auto filled = grant.file_uuid.rfind(kIndexUploadPrefix, 0) == 0
                    ? FillIndexRecord(grant, publish, request.s3_etag)
                    : FillFile(grant, entry.size, publish, request.s3_etag);
  if (!filled.ok()) {
    // A record that will never take these bytes: drop them. After any other failure
    // before publishing they stay staged, and the upload can be completed again.
    const auto code = filled.status().code();
    if (!committing && (code == Status::Code::kPermissionDenied || code == Status::Code::kNotFound))
      (void)writer.Abandon();
    return filled.status();
  }
  return Completed{*filled, entry.id};
}

void FileService::EndCompletion(const std::string& journal_entry) {
  (void)RemoveCompletionEntry(blobs_, journal_entry);  // a leftover is finished at the next start
}

Result<Digests> FileService::CompleteUpload(const UploadGrant& grant, BlobWriter& writer,
                                            const std::string& sha256_claim,
                                            const std::string& s3_etag) {
  CompletionRequest request;
  request.sha256_claim = sha256_claim;
  request.s3_etag = s3_etag;
  DCC_ASSIGN_OR_RETURN(Completed done, Complete(grant, writer, request));
  EndCompletion(done.journal_entry);
  return done.digests;
}

Result<Digests> FileService::FillFile(const UploadGrant& grant, uint64_t size,
                                      const Publish& publish, const std::string& s3_etag) {
  auto held = targets_.Whole(grant.file_uuid);
  std::optional<StoredRecord> file;
  {
    DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
    DCC_ASSIGN_OR_RETURN(file, reader->Get(grant.file_uuid));
  }
  if (!file || file->type != "file")
    return Status::NotFound("the file record for this upload no longer exists");
  // Only completions change a file's status from "uploading", and they hold its lock.
  if (!Uploadable(file->status)) return NotUploading(*file);
  BlobExpectations expect;
  expect.md5 = file->properties.value("md5sum", "");
  for (auto& c : expect.md5) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (file->properties.contains("file_size") && file->properties["file_size"].is_number_unsigned())
    expect.size = file->properties["file_size"].get<uint64_t>();
  json changes = {{"status", "in progress"}};
  if (!file->properties.contains("file_size")) changes["file_size"] = size;
  Digests d;
  Status publish_failed;
  // The bytes are published inside the record's transaction, after it validated: a
  // record that cannot take the change publishes nothing.
  auto patched = records_.SystemPatch(file->uuid, changes, [&](RecordWriter& w) -> Status {
    auto committed = publish(expect);
    if (!committed.ok()) {
      publish_failed = committed.status();
      return publish_failed;
    }
    d = *committed;
    TestCrashPoint("complete-after-publish");
    ObjectRow object;
    object.did = NewUuid4();
    object.file_uuid = file->uuid;
    object.size = d.size;
    object.hashes = {{"md5", d.md5},
                     {"sha1", d.sha1},
                     {"sha256", d.sha256},
                     {"crc32c", Crc32cBase64(d.crc32c)},
                     {"etag", s3_etag.empty() ? d.md5 : s3_etag}};
    object.urls = {"s3://" + grant.bucket + "/" + grant.key};
    object.blob_key = grant.key;
    object.baseid = NewUuid4();
    object.file_name = grant.key.substr(grant.key.rfind('/') + 1);  // the file's download name
    object.created = object.updated = IndexDateNow();
    DCC_ASSIGN_OR_RETURN(auto existing, w.FindObjectOfFile(file->uuid));
    if (existing) {  // a re-upload keeps the GUID, its version group and its index fields
      object.did = existing->did;
      object.baseid = existing->baseid;
      object.created = existing->created;
      object.acl = existing->acl;
      object.authz = existing->authz;
      object.metadata = existing->metadata;
    }
    object.rev = NewRev();
    RenderIndexDoc(object);
    return w.PutObject(object);
  });
  if (!patched.ok()) {
    // Declared versus received; nothing was published.
    if (publish_failed.code() == Status::Code::kChecksumMismatch) {
      json failed = {{"status", "content error"},
                     {"content_error_detail", "upload rejected: " + publish_failed.message()}};
      DCC_RETURN_IF_ERROR(records_.SystemPatch(file->uuid, failed, nullptr).status());
    }
    return patched.status();
  }
  TestCrashPoint("complete-after-record");
  return d;
}

Result<Digests> FileService::FillIndexRecord(const UploadGrant& grant, const Publish& publish,
                                             const std::string& s3_etag) {
  auto held = targets_.Whole(grant.file_uuid);
  const std::string did = grant.file_uuid.substr(kIndexUploadPrefix.size());
  {
    DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
    DCC_ASSIGN_OR_RETURN(auto row, reader->FindObject(did));
    if (!row)
      return Status::NotFound("the index record " + did + " of this upload no longer exists");
    if (Filled(*row)) return Spent(did);
  }
  BlobExpectations expect;  // an index record declares nothing to check against
  DCC_ASSIGN_OR_RETURN(Digests d, publish(expect));
  TestCrashPoint("complete-after-publish");
  DCC_ASSIGN_OR_RETURN(auto w, records_.store().Write());
  DCC_ASSIGN_OR_RETURN(auto row, w->FindObject(did));
  if (!row) return Status::NotFound("the index record " + did + " of this upload no longer exists");
  row->size = d.size;
  row->hashes = {{"md5", d.md5}, {"sha1", d.sha1}, {"sha256", d.sha256},
                 {"crc32c", Crc32cBase64(d.crc32c)}, {"etag", s3_etag.empty() ? d.md5 : s3_etag}};
  row->urls = {"s3://" + grant.bucket + "/" + grant.key};
  row->blob_key = grant.key;
  row->rev = NewRev();
  row->updated = IndexDateNow();
  RenderIndexDoc(*row);
  DCC_RETURN_IF_ERROR(w->PutObject(*row));
  DCC_RETURN_IF_ERROR(w->Commit());
  TestCrashPoint("complete-after-record");
  return d;
}

Status FileService::CheckTakesBytes(const UploadGrant& grant) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  if (grant.file_uuid.rfind(kIndexUploadPrefix, 0) == 0) {
    const std::string did = grant.file_uuid.substr(kIndexUploadPrefix.size());
    DCC_ASSIGN_OR_RETURN(auto row, reader->FindObject(did));
    if (!row)
      return Status::NotFound("the index record " + did + " of this upload no longer exists");
    if (Filled(*row)) return Spent(did);
    return Status::Ok();
  }
  DCC_ASSIGN_OR_RETURN(auto file, reader->Get(grant.file_uuid));
  if (!file || file->type != "file")
    return Status::NotFound("the file record for this upload no longer exists");
  if (!Uploadable(file->status)) return NotUploading(*file);
  return Status::Ok();
}

Result<std::optional<ObjectRow>> FileService::FilledObject(const UploadGrant& grant) {
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  std::optional<ObjectRow> row;
  if (grant.file_uuid.rfind(kIndexUploadPrefix, 0) == 0) {
    DCC_ASSIGN_OR_RETURN(row,
                         reader->FindObject(grant.file_uuid.substr(kIndexUploadPrefix.size())));
    if (row && !Filled(*row)) row.reset();
  } else {
    DCC_ASSIGN_OR_RETURN(auto file, reader->Get(grant.file_uuid));
    if (!file || Uploadable(file->status)) return std::optional<ObjectRow>();
    DCC_ASSIGN_OR_RETURN(row, reader->FindObjectOfFile(grant.file_uuid));
  }
  if (row && row->blob_key != grant.key) row.reset();
  return row;
}

Result<int> FileService::RecoverCompletions(const FollowUp& follow_up) {
  DCC_ASSIGN_OR_RETURN(auto entries, ListCompletionEntries(blobs_));
  int finished = 0;
  for (const auto& e : entries) {
    auto done = RecoverOne(e);
    if (!done.ok()) {
      spdlog::warn("upload completion {} (s3://{}/{}) not recovered: {}", e.id, e.grant.bucket,
                   e.grant.key, done.status().ToString());
    } else if (*done) {
      if (Status s = follow_up(e); !s.ok()) {
        spdlog::warn("upload completion {}: the upload's state not updated: {}", e.id,
                     s.ToString());
        continue;  // tried again at the next start
      }
      ++finished;
    }
    (void)RemoveCompletionEntry(blobs_, e.id);
  }
  return finished;
}

// True once the entry's record holds the entry's bytes; false if they were never
// published (the upload's staged bytes are still there).
Result<bool> FileService::RecoverOne(const CompletionEntry& e) {
  if (e.grant.key.empty() || e.grant.file_uuid.empty())
    return Status::Internal("the journal entry is unreadable");
  auto info = blobs_.Stat(e.grant.key);
  if (!info.ok()) {
    if (info.status().code() == Status::Code::kNotFound) return false;
    return info.status();
  }
  // Recognise the published bytes by their size and every digest the entry knows.
  if (info->size != e.size)
    return Status::Conflict("the blob holds " + std::to_string(info->size) + " bytes, not " +
                            std::to_string(e.size));
  uint64_t in_parts = 0;
  for (const auto& p : e.parts) in_parts += p.first;
  if (!e.parts.empty() && in_parts != e.size)
    return Status::Conflict("the journaled parts do not add up to the size");
  DCC_ASSIGN_OR_RETURN(auto reader, blobs_.Open(e.grant.key, 0, UINT64_MAX));
  MultiHasher whole;
  std::vector<char> buf(1 << 20);
  // Reads `length` bytes into `whole` and, if given, `part` too.
  auto feed = [&](uint64_t length, MultiHasher* part) -> Status {
    while (length > 0) {
      DCC_ASSIGN_OR_RETURN(
          size_t n,
          reader->Read(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), length))));
      if (n == 0) return Status::Conflict("the blob ended early");
      whole.Update(buf.data(), n);
      if (part) part->Update(buf.data(), n);
      length -= n;
    }
    return Status::Ok();
  };
  std::vector<std::string> part_md5s;
  for (const auto& p : e.parts) {
    MultiHasher part(MultiHasher::Options{0, 1, true});
    DCC_RETURN_IF_ERROR(feed(p.first, &part));
    part_md5s.push_back(part.Finish().md5);
  }
  if (e.parts.empty()) DCC_RETURN_IF_ERROR(feed(e.size, nullptr));
  const Digests d = whole.Finish();
  if ((!e.md5.empty() && d.md5 != e.md5) || (!e.sha256.empty() && d.sha256 != e.sha256) ||
      (!e.parts.empty() && MultipartEtag(part_md5s) != e.s3_etag))
    return Status::Conflict("the blob's digests are not those of the journaled upload");
  DCC_ASSIGN_OR_RETURN(auto filled, FilledObject(e.grant));
  if (filled && filled->hashes.value("md5", "") == d.md5) return true;  // the record was committed
  Publish already_published = [&](const BlobExpectations& expect) -> Result<Digests> {
    if ((expect.size && *expect.size != d.size) || (!expect.md5.empty() && expect.md5 != d.md5))
      return Status::Conflict(
          "the published bytes no longer match the record's declared md5sum or file_size");
    return d;
  };
  DCC_RETURN_IF_ERROR((e.grant.file_uuid.rfind(kIndexUploadPrefix, 0) == 0
                           ? FillIndexRecord(e.grant, already_published, e.s3_etag)
                           : FillFile(e.grant, d.size, already_published, e.s3_etag))
                          .status());
  return true;
}

}  // namespace dcc::server
