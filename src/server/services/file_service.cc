#include "server/services/file_service.h"

#include <ctime>

#include "common/ids.h"
#include "common/time_util.h"
#include "server/services/index_record.h"

namespace dcc::server {
using nlohmann::json;

namespace {

bool Uploadable(const std::string& status) {
  return status == "uploading" || status == "upload failed";
}

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

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
  std::map<std::string, std::string> params = {{"filename", name}, {"etag", object->hashes.value("md5", "")},
                                                {"size", std::to_string(object->size.value_or(0))}};
  return signer_.Sign("/_blobs/" + object->blob_key, params, Now() + options_.download_seconds);
}

Result<FileService::Download> FileService::OpenDownload(const std::string& path,
                                                        const std::map<std::string, std::string>& params) {
  DCC_RETURN_IF_ERROR(signer_.Verify(path, params, Now()));
  Download d;
  d.blob_key = path.substr(std::string("/_blobs/").size());
  DCC_ASSIGN_OR_RETURN(auto info, blobs_.Stat(d.blob_key));
  d.size = info.size;
  d.etag = params.count("etag") ? params.at("etag") : "";
  d.filename = params.count("filename") ? params.at("filename") : "";
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

Result<Digests> FileService::CompleteUpload(const UploadGrant& grant, BlobWriter& writer,
                                            const std::string& sha256_claim,
                                            const std::string& s3_etag) {
  if (grant.file_uuid.rfind(kIndexUploadPrefix, 0) == 0)
    return CompleteIndexUpload(grant, writer, sha256_claim, s3_etag);
  std::optional<StoredRecord> file;
  {
    DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
    DCC_ASSIGN_OR_RETURN(file, reader->Get(grant.file_uuid));
  }
  if (!file || file->type != "file") {
    (void)writer.Abandon();
    return Status::NotFound("the file record for this upload no longer exists");
  }
  if (!Uploadable(file->status)) {
    (void)writer.Abandon();
    return Status::PermissionDenied("file is \"" + file->status + "\", not \"uploading\"");
  }
  BlobExpectations expect;
  expect.md5 = file->properties.value("md5sum", "");
  for (auto& c : expect.md5) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (file->properties.contains("file_size") && file->properties["file_size"].is_number_unsigned())
    expect.size = file->properties["file_size"].get<uint64_t>();
  expect.transport_sha256 = sha256_claim;
  auto committed = writer.Commit(grant.key, expect);
  if (!committed.ok()) {
    // Declared versus received; nothing was published.
    if (committed.status().code() == Status::Code::kChecksumMismatch) {
      json changes = {{"status", "content error"},
                      {"content_error_detail", "upload rejected: " + committed.status().message()}};
      DCC_RETURN_IF_ERROR(records_.SystemPatch(file->uuid, changes, nullptr).status());
    }
    return committed.status();
  }
  const Digests& d = *committed;
  ObjectRow object;
  object.did = NewUuid4();
  object.file_uuid = file->uuid;
  object.size = d.size;
  object.hashes = {{"md5", d.md5}, {"sha1", d.sha1}, {"sha256", d.sha256},
                   {"crc32c", Crc32cBase64(d.crc32c)}, {"etag", s3_etag.empty() ? d.md5 : s3_etag}};
  object.urls = {"s3://" + grant.bucket + "/" + grant.key};
  object.blob_key = grant.key;
  object.baseid = NewUuid4();
  object.file_name = grant.key.substr(grant.key.rfind('/') + 1);  // the file's download name
  object.created = object.updated = IndexDateNow();
  json changes = {{"status", "in progress"}};
  if (!file->properties.contains("file_size")) changes["file_size"] = d.size;
  auto patched = records_.SystemPatch(file->uuid, changes, [&](RecordWriter& w) {
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
  if (!patched.ok()) return patched.status();
  return d;
}

Result<Digests> FileService::CompleteIndexUpload(const UploadGrant& grant, BlobWriter& writer,
                                                 const std::string& sha256_claim, const std::string& s3_etag) {
  const std::string did = grant.file_uuid.substr(kIndexUploadPrefix.size());
  BlobExpectations expect;  // an index record declares nothing to check against
  expect.transport_sha256 = sha256_claim;
  DCC_ASSIGN_OR_RETURN(Digests d, writer.Commit(grant.key, expect));
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
  return d;
}

}  // namespace dcc::server
