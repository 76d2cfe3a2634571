// src/server/services/records_service.h: metadata records under profiles. Creates,
// reads, patches and replaces records; resolves identifiers and links; enforces unique
// keys, the submittability keywords and lab ownership; keeps history; renders frames.
// Every write is one store transaction: a failed call changes nothing.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dcc/status.h"
#include "schema/profile.h"
#include "server/auth/authenticator.h"
#include "server/services/search_index.h"
#include "server/store/record_store.h"

namespace dcc::server {

// How a record is shown (reference §2.6). kEmbedded also serves `frame=page`.
enum class Frame { kObject, kEdit, kEmbedded, kRaw };
// "object", "edit", "embedded", "page" (= embedded), "raw"; InvalidArgument otherwise.
Result<Frame> ParseFrame(std::string_view name);

struct RecordsOptions {
  // Accession prefix: <prefix><type code><3 digits><3 letters>. Set "ENC" to mimic the
  // reference portal; "TST" is what its test servers use.
  std::string accession_prefix = "DCC";
  // How many link levels frame=embedded expands.
  int embed_depth = 1;
};

// Statuses anyone may view without credentials.
const std::vector<std::string>& PublicStatuses();
// Statuses only admins may view.
const std::vector<std::string>& AdminOnlyStatuses();

// Thread-safe: holds no per-request state.
class RecordService {
 public:
  // `index` is kept current by every write; fill it once with BuildIndex before serving.
  RecordService(RecordStore& store, SearchIndex& index,
                std::shared_ptr<const schema::ProfileSet> profiles, RecordsOptions options);
  // Loads every stored record into the search index (start-up; about 10 s per million).
  Status BuildIndex();

  struct Written {
    nlohmann::json object;  // object frame of the written record
    std::string at_id;
  };
  // POST /<type>. Validation: 422 with a detail per error. Conflict: a unique key taken.
  // Unauthenticated for anonymous callers; PermissionDenied for another lab's record or
  // a type only admins create.
  Result<Written> Create(const Caller& caller, std::string_view type, const nlohmann::json& body);
  // PATCH /<id>: merges `body` into the stored record, then validates the whole.
  // `if_match` (may be empty, or "*") must equal the record's ETag.
  Result<Written> Patch(const Caller& caller, std::string_view id, const nlohmann::json& body,
                        std::string_view if_match);
  // PUT /<id>: `body` replaces the record. Server-managed properties (accession,
  // date_created, ...) absent from `body` are kept, so an edit frame round-trips.
  Result<Written> Put(const Caller& caller, std::string_view id, const nlohmann::json& body,
                      std::string_view if_match);

  struct Fetched {
    nlohmann::json doc;
    std::string etag;  // `"<uuid>=<sid>"`, quoted, for If-Match
  };
  // Like Patch, as the server itself (no permission checks), running `also` inside the
  // same transaction before it commits. For state changes the server makes (an upload
  // verified, a status moved), so that they keep history like any edit.
  Result<Written> SystemPatch(const std::string& uuid, const nlohmann::json& changes,
                              const std::function<Status(RecordWriter&)>& also);

  // Adds calculated properties to object and embedded frames (e.g. a file's href and
  // upload_credentials). Set once, before serving.
  using Decorator = std::function<void(RecordReader&, const Caller&, const StoredRecord&,
                                       nlohmann::json& doc)>;
  void SetDecorator(Decorator d) { decorator_ = std::move(d); }
  // Transforms a record about to be validated and written (e.g. storing attachments);
  // problems go to `errors` with their path. Set once, before serving.
  using Preparer = std::function<void(const schema::Profile&, nlohmann::json& doc,
                                      const nlohmann::json* old, std::vector<Status::Detail>& errors)>;
  void SetPreparer(Preparer p) { preparer_ = std::move(p); }
  // True if `caller` may edit `rec` (admin, or a submitter for the record's lab).
  bool CanEdit(RecordReader& reader, const Caller& caller, const StoredRecord& rec) const;

  // GET /<id>/ in a frame. NotFound, Unauthenticated (anonymous, not public) or
  // PermissionDenied.
  Result<Fetched> Get(const Caller& caller, std::string_view id, Frame frame);
  // GET /<id>/@@history: every revision, oldest first, with who and when.
  Result<nlohmann::json> History(const Caller& caller, std::string_view id);

  // Renders a stored record; used by search and listings too.
  nlohmann::json Render(RecordReader& reader, const Caller& caller, const StoredRecord& rec,
                        Frame frame) const;
  bool CanView(const Caller& caller, const StoredRecord& rec) const;
  // Finds a record by any identifier: uuid, accession, alias, @id path, unique name
  // (`/labs/x/` or bare `x`), or `md5:<hex>` for files. nullopt if none.
  Result<std::optional<StoredRecord>> Resolve(RecordReader& reader, std::string_view id) const;
  // Resolve, then NotFound, Unauthenticated or PermissionDenied unless the caller may
  // view it.
  Result<StoredRecord> FindViewable(RecordReader& reader, const Caller& caller,
                                                   std::string_view id) const;
  const schema::ProfileSet& profiles() const { return *profiles_; }
  RecordStore& store() { return store_; }
  const SearchIndex& index() const { return index_; }

 private:
  struct Draft;
  Result<Written> Edit(const Caller& caller, std::string_view id, const nlohmann::json& body,
                       std::string_view if_match, const std::string& method,
                       const std::function<Status(RecordWriter&)>& also = nullptr);
  Result<Written> Write(const Caller& caller, Draft& draft);
  // Write, commit, then index: the index never shows an uncommitted record.
  Result<Written> Commit(const Caller& caller, Draft& draft);
  Result<std::optional<StoredRecord>> ResolveWithin(RecordReader& reader, std::string_view id,
                                                    const schema::Profile* within) const;
  void NormalizeLinks(RecordReader& reader, const nlohmann::json& schema, nlohmann::json& doc,
                      std::vector<Status::Detail>& errors) const;
  Result<std::optional<std::string>> OwnerLab(RecordReader& reader, const schema::Profile& profile,
                                              const nlohmann::json& doc) const;
  Status CheckOwnership(RecordReader& reader, const Caller& caller, const schema::Profile& profile,
                        const nlohmann::json& doc) const;
  nlohmann::json RenderDepth(RecordReader& reader, const Caller& caller, const StoredRecord& rec,
                             Frame frame, int depth) const;

  RecordStore& store_;
  SearchIndex& index_;
  std::shared_ptr<const schema::ProfileSet> profiles_;
  RecordsOptions options_;
  Decorator decorator_;
  Preparer preparer_;
};

}  // namespace dcc::server
