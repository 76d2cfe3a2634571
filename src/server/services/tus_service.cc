#include "server/services/tus_service.h"

#include <sodium.h>

#include <ctime>
#include <nlohmann/json.hpp>

#include "common/hashing.h"

namespace dcc::server {
using nlohmann::json;

namespace {

const std::string kDir = ".tus/";

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string RandomId() {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  return ToHex(b, sizeof b);
}

bool ValidId(const std::string& id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string StateKey(const std::string& id) { return kDir + id + ".json"; }
std::string DataKey(const std::string& id) { return kDir + id + ".data"; }
std::string StagingId(const std::string& id) { return "tus-" + id; }

Status NotFound(const std::string& id) { return Status::NotFound("no upload '" + id + "'"); }

// Copies a committed blob onto the end of a writer.
Status CopyInto(BlobStore& blobs, const std::string& key, BlobWriter& w) {
  DCC_ASSIGN_OR_RETURN(auto r, blobs.Open(key, 0, UINT64_MAX));
  std::vector<char> buf(1 << 20);
  while (true) {
    DCC_ASSIGN_OR_RETURN(size_t n, r->Read(buf.data(), buf.size()));
    if (n == 0) return Status::Ok();
    DCC_RETURN_IF_ERROR(w.Write(buf.data(), n));
  }
}

}  // namespace

struct TusService::Live {
  std::mutex mu;  // held for the length of one request on this upload
  std::unique_ptr<BlobWriter> writer;
};

TusService::TusService(FileService& files, RecordService& records, TusOptions options)
    : files_(files), records_(records), options_(options) {}
TusService::~TusService() = default;

Result<std::shared_ptr<TusService::Live>> TusService::Acquire(const std::string& id) {
  std::lock_guard lock(mu_);
  auto& slot = live_[id];
  if (!slot) slot = std::make_shared<Live>();
  return slot;
}

void TusService::Forget(const std::string& id) {
  std::lock_guard lock(mu_);
  live_.erase(id);  // a request still holding the Live keeps it alive until it ends
}

Status TusService::Save(const TusUpload& u) {
  json j = {{"id", u.id}, {"owner", u.owner}, {"file", u.file_uuid}, {"metadata", u.metadata},
            {"length", u.length}, {"partial", u.partial}, {"parts", u.parts},
            {"expires", u.expires}, {"complete", u.complete}};
  std::string text = j.dump();
  DCC_ASSIGN_OR_RETURN(auto w, files_.blobs().Stage("tusstate-" + RandomId()));
  DCC_RETURN_IF_ERROR(w->Write(text.data(), text.size()));
  return w->Commit(StateKey(u.id), {}).status();
}

Result<TusUpload> TusService::LoadState(const std::string& id) {
  if (!ValidId(id)) return NotFound(id);
  auto text = ReadWholeBlob(files_.blobs(), StateKey(id));
  if (!text.ok()) return NotFound(id);
  json j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Status::Internal("upload state of '" + id + "' is corrupt");
  TusUpload u;
  u.id = id;
  u.owner = j.value("owner", "");
  u.file_uuid = j.value("file", "");
  u.metadata = j.value("metadata", "");
  u.length = j.value("length", int64_t{-1});
  u.partial = j.value("partial", false);
  u.parts = j.value("parts", std::vector<std::string>{});
  u.expires = j.value("expires", int64_t{0});
  u.complete = j.value("complete", false);
  return u;
}

Result<TusUpload> TusService::Load(const std::string& id) {
  DCC_ASSIGN_OR_RETURN(TusUpload u, LoadState(id));
  if (!u.complete && u.expires <= Now()) {
    return Status::NotFound("upload '" + id + "' expired", "tus:410");
  }
  return u;
}

Status TusService::CheckAccess(const Caller& caller, const TusUpload& u) const {
  if (caller.anonymous()) return Status::Unauthenticated("credentials required to upload");
  if (!caller.admin() && caller.principal->email != u.owner)
    return Status::PermissionDenied("this upload belongs to another user");
  return Status::Ok();
}

Result<std::string> UploadMetadataFile(const std::string& metadata) {
  std::string value;
  bool found = false;
  size_t start = 0;
  while (start <= metadata.size() && !metadata.empty()) {
    size_t comma = metadata.find(',', start);
    std::string pair = metadata.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!pair.empty() && pair.front() == ' ') pair.erase(0, 1);
    auto space = pair.find(' ');
    std::string key = pair.substr(0, space);
    if (key == "file" && space != std::string::npos) {
      std::string b64 = pair.substr(space + 1);
      value.assign(b64.size(), '\0');
      size_t len = 0;
      if (sodium_base642bin(reinterpret_cast<unsigned char*>(value.data()), value.size(), b64.data(), b64.size(),
                            nullptr, &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
        return Status::InvalidArgument("Upload-Metadata: the value of 'file' is not base64");
      value.resize(len);
      found = true;
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (!found) {
    return Status::InvalidArgument(
        "Upload-Metadata must name the file record to fill: file <base64 of its accession, uuid or alias>");
  }
  return value;
}

// The `file` key of Upload-Metadata names the record to fill: it must be a file record
// the caller may edit, waiting for its bytes.
Result<std::string> TusService::FileFromMetadata(const Caller& caller, const std::string& metadata) {
  DCC_ASSIGN_OR_RETURN(std::string value, UploadMetadataFile(metadata));
  DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
  DCC_ASSIGN_OR_RETURN(auto file, records_.Resolve(*reader, value));
  if (!file || file->type != "file" || !records_.CanView(caller, *file))
    return Status::NotFound("Upload-Metadata names '" + value + "', which is not a file record");
  if (!records_.CanEdit(*reader, caller, *file))
    return Status::PermissionDenied("you may not upload to file '" + value + "'");
  if (file->status != "uploading" && file->status != "upload failed")
    return Status::PermissionDenied("file '" + value + "' is \"" + file->status + "\", not \"uploading\"");
  return file->uuid;
}

Result<TusUpload> TusService::Create(const Caller& caller, const CreateRequest& req,
                                     const std::function<bool(const BodySink&)>& body) {
  if (caller.anonymous()) return Status::Unauthenticated("credentials required to upload");
  if (req.length && req.defer_length)
    return Status::InvalidArgument("send Upload-Length or Upload-Defer-Length, not both");
  TusUpload u;
  u.id = RandomId();
  u.owner = caller.principal->email;
  u.metadata = req.metadata;
  u.expires = Now() + options_.expire_seconds;
  if (req.concat.rfind("final;", 0) == 0) {
    if (req.length) return Status::InvalidArgument("a final upload takes no Upload-Length (it is the sum of its parts)");
    std::string urls = req.concat.substr(6);
    size_t start = 0;
    while (start < urls.size()) {
      size_t space = urls.find(' ', start);
      std::string url = urls.substr(start, space == std::string::npos ? std::string::npos : space - start);
      if (!url.empty()) u.parts.push_back(url.substr(url.rfind('/') + 1));
      if (space == std::string::npos) break;
      start = space + 1;
    }
    if (u.parts.empty()) return Status::InvalidArgument("Upload-Concat: final needs at least one partial upload URL");
    DCC_ASSIGN_OR_RETURN(u.file_uuid, FileFromMetadata(caller, req.metadata));
    DCC_RETURN_IF_ERROR(Concatenate(u));
    return u;
  }
  u.partial = req.concat == "partial";
  if (!req.concat.empty() && !u.partial)
    return Status::InvalidArgument("Upload-Concat must be 'partial' or 'final;<urls>'");
  if (!req.length && !req.defer_length)
    return Status::InvalidArgument("send Upload-Length, or Upload-Defer-Length: 1");
  if (req.length && *req.length < 0) return Status::InvalidArgument("Upload-Length must not be negative");
  u.length = req.length ? *req.length : -1;
  if (!u.partial) {
    DCC_ASSIGN_OR_RETURN(u.file_uuid, FileFromMetadata(caller, req.metadata));
  }
  DCC_ASSIGN_OR_RETURN(auto live, Acquire(u.id));
  std::lock_guard lock(live->mu);
  DCC_ASSIGN_OR_RETURN(live->writer, files_.blobs().Stage(StagingId(u.id)));
  DCC_RETURN_IF_ERROR(Save(u));
  if (body) {
    DCC_RETURN_IF_ERROR(Append(u, *live, body, ""));
    DCC_RETURN_IF_ERROR(live->writer->Sync());
  }
  DCC_RETURN_IF_ERROR(MaybeFinish(u, *live));
  if (u.complete) Forget(u.id);
  return u;
}

Result<TusUpload> TusService::Head(const Caller& caller, const std::string& id) {
  DCC_ASSIGN_OR_RETURN(TusUpload u, Load(id));
  DCC_RETURN_IF_ERROR(CheckAccess(caller, u));
  DCC_ASSIGN_OR_RETURN(auto live, Acquire(id));
  std::unique_lock lock(live->mu, std::try_to_lock);
  if (!lock) return Status::Conflict("upload '" + id + "' is receiving data; retry", "tus:423");
  if (u.complete) {
    u.offset = static_cast<uint64_t>(u.length);
  } else if (!u.parts.empty()) {
    u.offset = 0;
  } else {
    if (!live->writer) {
      // After a restart: reopen the staged bytes (re-hashing them).
      DCC_ASSIGN_OR_RETURN(live->writer, files_.blobs().Resume(StagingId(id)));
    }
    u.offset = live->writer->size();
    // Every byte arrived but the completion did not finish (dccd died before publishing):
    // finish it now, so that a client that sees the full offset and stops is done.
    DCC_RETURN_IF_ERROR(MaybeFinish(u, *live));
    if (u.complete) Forget(id);
  }
  return u;
}

Status TusService::Append(TusUpload& u, Live& live, const std::function<bool(const BodySink&)>& body,
                          const std::string& checksum) {
  const uint64_t limit = u.length >= 0 ? static_cast<uint64_t>(u.length) : UINT64_MAX;
  if (checksum.empty()) {
    Status error;
    bool ok = body([&](const char* data, size_t len) {
      if (live.writer->size() + len > limit) {
        error = Status::TooLarge("the body goes past Upload-Length " + std::to_string(limit));
        return false;
      }
      error = live.writer->Write(data, len);
      return error.ok();
    });
    DCC_RETURN_IF_ERROR(error);
    (void)ok;  // a body cut short keeps what arrived (the client resumes from the offset)
    return Status::Ok();
  }
  // Checksummed: stage this request's bytes apart, verify, then append.
  auto space = checksum.find(' ');
  std::string algorithm = checksum.substr(0, space);
  std::string want = space == std::string::npos ? "" : checksum.substr(space + 1);
  if (algorithm != "md5" && algorithm != "sha1" && algorithm != "sha256" && algorithm != "crc32c")
    return Status::InvalidArgument("unsupported Upload-Checksum algorithm '" + algorithm + "'; use one of " +
                                   kChecksumAlgorithms);
  DCC_ASSIGN_OR_RETURN(auto chunk, files_.blobs().Stage("tuschunk-" + RandomId()));
  Status error;
  bool complete = body([&](const char* data, size_t len) {
    if (live.writer->size() + chunk->size() + len > limit) {
      error = Status::TooLarge("the body goes past Upload-Length " + std::to_string(limit));
      return false;
    }
    error = chunk->Write(data, len);
    return error.ok();
  });
  if (!error.ok() || !complete) {
    (void)chunk->Abandon();
    return error.ok() ? Status::InvalidArgument("the request body ended early; checksummed chunks must arrive whole")
                      : error;
  }
  const std::string tmp = kDir + "chunk-" + RandomId();
  DCC_ASSIGN_OR_RETURN(Digests d, chunk->Commit(tmp, {}));
  std::string got = algorithm == "md5" ? HexToBase64(d.md5)
                    : algorithm == "sha1" ? HexToBase64(d.sha1)
                    : algorithm == "sha256" ? HexToBase64(d.sha256)
                    : Crc32cBase64(d.crc32c);
  if (got != want) {
    (void)files_.blobs().Delete(tmp);
    return Status::ChecksumMismatch("Upload-Checksum " + algorithm + " " + want + " does not match the body (" + got + ")",
                                    "tus:460");
  }
  Status s = CopyInto(files_.blobs(), tmp, *live.writer);
  (void)files_.blobs().Delete(tmp);
  return s;
}

Status TusService::MaybeFinish(TusUpload& u, Live& live) {
  u.offset = live.writer ? live.writer->size() : u.offset;
  if (u.length < 0 || u.offset != static_cast<uint64_t>(u.length)) return Status::Ok();
  if (u.partial) {
    DCC_RETURN_IF_ERROR(live.writer->Commit(DataKey(u.id), {}).status());
  } else {
    UploadGrant grant{files_.options().bucket, "", u.file_uuid, 0};
    DCC_ASSIGN_OR_RETURN(auto reader, records_.store().Read());
    DCC_ASSIGN_OR_RETURN(auto file, reader->Get(u.file_uuid));
    if (!file) return Status::NotFound("the file record of this upload no longer exists");
    grant.key = files_.UploadKeyOf(*file);
    FileService::CompletionRequest request;
    request.tus_id = u.id;
    auto done = files_.Complete(grant, *live.writer, request);
    if (done.status().code() == Status::Code::kChecksumMismatch) {
      // Not a damaged chunk (460): the whole upload disagrees with its record, which is
      // now "content error".
      live.writer.reset();
      return Status::InvalidArgument("the upload does not match file record: " +
                                     done.status().message());
    }
    if (!done.ok()) {
      live.writer.reset();  // Complete kept or removed the staged bytes; reopen them if asked again
      return done.status();
    }
    live.writer.reset();
    u.complete = true;
    DCC_RETURN_IF_ERROR(Save(u));
    files_.EndCompletion(done->journal_entry);
    return Status::Ok();
  }
  live.writer.reset();
  u.complete = true;
  return Save(u);
}

Status TusService::MarkCompleted(const std::string& id) {
  auto loaded = LoadState(id);
  if (!loaded.ok())
    return loaded.status().code() == Status::Code::kNotFound ? Status::Ok() : loaded.status();
  if (auto staged = files_.blobs().Resume(StagingId(id)); staged.ok()) (void)(*staged)->Abandon();
  if (loaded->complete) return Status::Ok();
  loaded->complete = true;
  return Save(*loaded);
}

Result<TusUpload> TusService::Patch(const Caller& caller, const std::string& id, const PatchRequest& req,
                                    const std::function<bool(const BodySink&)>& body) {
  DCC_ASSIGN_OR_RETURN(TusUpload u, Load(id));
  DCC_RETURN_IF_ERROR(CheckAccess(caller, u));
  if (!u.parts.empty()) return Status::PermissionDenied("a final (concatenated) upload cannot be patched");
  DCC_ASSIGN_OR_RETURN(auto live, Acquire(id));
  std::unique_lock lock(live->mu, std::try_to_lock);
  if (!lock) return Status::Conflict("upload '" + id + "' is receiving data in another request", "tus:423");
  if (u.complete) {
    u.offset = static_cast<uint64_t>(u.length);
    if (req.offset == u.offset) return u;  // nothing left to send
    return Status::Conflict("upload is complete at offset " + std::to_string(u.offset), "tus:409");
  }
  if (!live->writer) {
    DCC_ASSIGN_OR_RETURN(live->writer, files_.blobs().Resume(StagingId(id)));
  }
  if (req.offset != live->writer->size()) {
    return Status::Conflict("Upload-Offset is " + std::to_string(req.offset) + " but the upload is at " +
                                std::to_string(live->writer->size()),
                            "tus:409");
  }
  if (req.length) {
    if (u.length >= 0 && *req.length != u.length)
      return Status::InvalidArgument("Upload-Length is already " + std::to_string(u.length));
    if (*req.length < static_cast<int64_t>(live->writer->size()))
      return Status::InvalidArgument("Upload-Length is smaller than what was already received");
    u.length = *req.length;
    DCC_RETURN_IF_ERROR(Save(u));
  }
  Status appended = Append(u, *live, body, req.checksum);
  // What arrived is kept and made durable before the offset is acknowledged.
  DCC_RETURN_IF_ERROR(live->writer->Sync());
  if (!appended.ok()) {
    u.offset = live->writer->size();
    return appended;
  }
  DCC_RETURN_IF_ERROR(MaybeFinish(u, *live));
  if (u.complete) Forget(id);
  return u;
}

Status TusService::Concatenate(TusUpload& final_upload) {
  std::vector<TusUpload> parts;
  int64_t total = 0;
  for (const auto& pid : final_upload.parts) {
    auto p = Load(pid);
    if (!p.ok()) return Status::InvalidArgument("partial upload '" + pid + "' does not exist");
    if (!p->partial) return Status::InvalidArgument("upload '" + pid + "' is not a partial upload");
    if (p->owner != final_upload.owner) return Status::PermissionDenied("partial upload '" + pid + "' belongs to another user");
    if (!p->complete) return Status::InvalidArgument("partial upload '" + pid + "' is not finished");
    total += p->length;
    parts.push_back(*p);
  }
  final_upload.length = total;
  DCC_ASSIGN_OR_RETURN(auto live, Acquire(final_upload.id));
  std::lock_guard lock(live->mu);
  DCC_ASSIGN_OR_RETURN(live->writer, files_.blobs().Stage(StagingId(final_upload.id)));
  for (const auto& p : parts) DCC_RETURN_IF_ERROR(CopyInto(files_.blobs(), DataKey(p.id), *live->writer));
  DCC_RETURN_IF_ERROR(Save(final_upload));
  DCC_RETURN_IF_ERROR(MaybeFinish(final_upload, *live));
  for (const auto& p : parts) {
    (void)files_.blobs().Delete(DataKey(p.id));
    (void)files_.blobs().Delete(StateKey(p.id));
    Forget(p.id);
  }
  Forget(final_upload.id);
  return Status::Ok();
}

// Removes everything of an upload: staged bytes, finished partial data, state.
// REQUIRES: `live.mu` is held.
Status TusService::Discard(const std::string& id, Live& live) {
  if (live.writer) {
    (void)live.writer->Abandon();
    live.writer.reset();
  } else if (auto w = files_.blobs().Resume(StagingId(id)); w.ok()) {
    (void)(*w)->Abandon();
  }
  (void)files_.blobs().Delete(DataKey(id));
  Status s = files_.blobs().Delete(StateKey(id));
  Forget(id);
  return s;
}

Result<int> TusService::SweepExpired() {
  DCC_ASSIGN_OR_RETURN(auto all, files_.blobs().List(kDir));
  int removed = 0;
  for (const auto& b : all) {
    const std::string suffix = ".json";
    if (b.key.size() <= kDir.size() + suffix.size() ||
        b.key.compare(b.key.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::string id = b.key.substr(kDir.size(), b.key.size() - kDir.size() - suffix.size());
    auto u = Load(id);
    // Load answers "tus:410" for an expired, unfinished upload. Finished partial uploads
    // that no final upload claimed expire the same way once their time is up.
    bool expired = !u.ok() && u.status().where() == "tus:410";
    if (u.ok() && u->partial && u->complete && u->expires <= Now()) expired = true;
    if (!expired) continue;
    DCC_ASSIGN_OR_RETURN(auto live, Acquire(id));
    std::unique_lock lock(live->mu, std::try_to_lock);
    if (!lock) continue;
    if (Discard(id, *live).ok()) ++removed;
  }
  return removed;
}

Status TusService::Terminate(const Caller& caller, const std::string& id) {
  DCC_ASSIGN_OR_RETURN(TusUpload u, Load(id));
  DCC_RETURN_IF_ERROR(CheckAccess(caller, u));
  DCC_ASSIGN_OR_RETURN(auto live, Acquire(id));
  std::unique_lock lock(live->mu, std::try_to_lock);
  if (!lock) return Status::Conflict("upload '" + id + "' is receiving data; retry", "tus:423");
  return Discard(id, *live);
}

}  // namespace dcc::server
