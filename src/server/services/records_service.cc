#include "server/services/records_service.h"

#include <algorithm>
#include <functional>
#include <set>

#include "common/ids.h"
#include "common/time_util.h"
#include "schema/validator.h"
#include "server/services/record_terms.h"

namespace dcc::server {
using nlohmann::json;
using schema::Profile;

namespace {

// Output types whose md5 must be unique (reference §2.3): raw data may not be submitted
// twice, processed files may share an md5.
const std::set<std::string> kRawOutputTypes = {
    "reads", "rejected reads", "raw data", "reporter code counts", "intensity values",
    "idat red channel", "idat green channel"};

std::string Trim(std::string_view s, char c) {
  while (!s.empty() && s.front() == c) s.remove_prefix(1);
  while (!s.empty() && s.back() == c) s.remove_suffix(1);
  return std::string(s);
}

std::string Pointer(const json& path) { return schema::PathToPointer(path); }

std::string ETagOf(const StoredRecord& r) {
  return "\"" + r.uuid + "=" + std::to_string(r.sid) + "\"";
}

// Calls f(value, link_types, path) for every link value in `doc`, following `schema`'s
// properties and items.
void ForEachLink(const json& schema, json& value, json& path,
                 const std::function<void(json&, const json&, const json&)>& f) {
  if (!schema.is_object()) return;
  if (schema.contains("linkTo") && value.is_string()) {
    f(value, schema["linkTo"], path);
    return;
  }
  if (value.is_array() && schema.contains("items")) {
    for (size_t i = 0; i < value.size(); ++i) {
      path.push_back(i);
      ForEachLink(schema["items"], value[i], path, f);
      path.erase(path.size() - 1);
    }
    return;
  }
  if (value.is_object() && schema.contains("properties")) {
    const json& props = schema["properties"];
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto sub = props.find(it.key());
      if (sub == props.end()) continue;
      path.push_back(it.key());
      ForEachLink(*sub, it.value(), path, f);
      path.erase(path.size() - 1);
    }
  }
}

bool RestrictedProperty(const json& sub) {
  return sub.contains("permission") || sub.value("readonly", false) ||
         sub.value("notSubmittable", false);
}

// Non-admins may not set restricted properties, except to the value they already have
// (so an edit frame round-trips through PUT). Reference §2.7.
void CheckSubmittable(const Profile& profile, const json& body, const json* old, bool admin,
                      std::vector<Status::Detail>& errors) {
  if (admin) return;
  for (auto it = body.begin(); it != body.end(); ++it) {
    const json* sub = profile.Property(it.key());
    if (!sub || !RestrictedProperty(*sub)) continue;
    if (old && old->contains(it.key()) && (*old)[it.key()] == it.value()) continue;
    std::string why = sub->value("notSubmittable", false) ? "submission disallowed"
                      : sub->contains("permission")
                          ? "permission '" + (*sub)["permission"].get<std::string>() + "' required"
                          : "readonly property";
    errors.push_back({"/" + it.key(), why});
  }
}

}  // namespace

const std::vector<std::string>& PublicStatuses() {
  static const std::vector<std::string> s = {"released", "archived", "revoked", "current"};
  return s;
}

const std::vector<std::string>& AdminOnlyStatuses() {
  static const std::vector<std::string> s = {"deleted", "replaced"};
  return s;
}

Result<Frame> ParseFrame(std::string_view name) {
  if (name.empty() || name == "object") return Frame::kObject;
  if (name == "edit") return Frame::kEdit;
  if (name == "embedded" || name == "page") return Frame::kEmbedded;
  if (name == "raw") return Frame::kRaw;
  return Status::InvalidArgument("unknown frame '" + std::string(name) +
                                     "'; use object, edit, embedded, page or raw",
                                 "frame");
}

RecordService::RecordService(RecordStore& store, SearchIndex& index,
                             std::shared_ptr<const schema::ProfileSet> profiles,
                             RecordsOptions options)
    : store_(store), index_(index), profiles_(std::move(profiles)), options_(std::move(options)) {}

Status RecordService::BuildIndex() {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  return reader->ForEach([&](const StoredRecord& rec) {
    const Profile* p = profiles_->Find(rec.type);
    if (!p) return Status::InvalidArgument("stored record " + rec.uuid + " has type '" + rec.type +
                                           "', which no loaded profile defines");
    index_.Put(rec.uuid, rec.type, SearchTermsOf(*p, rec));
    return Status::Ok();
  });
}

// ---------------------------------------------------------------- identifiers

Result<std::optional<StoredRecord>> RecordService::Resolve(RecordReader& reader,
                                                           std::string_view id) const {
  std::string s = Trim(id, '/');
  if (auto slash = s.find('/'); slash != std::string::npos) {
    // "/labs/x/": the collection narrows the lookup to one type.
    const Profile* p = profiles_->Find(s.substr(0, slash));
    if (!p || p->collection != s.substr(0, slash)) return std::optional<StoredRecord>();
    return ResolveWithin(reader, s.substr(slash + 1), p);
  }
  return ResolveWithin(reader, s, nullptr);
}

Result<std::optional<StoredRecord>> RecordService::ResolveWithin(RecordReader& reader,
                                                                 std::string_view id_view,
                                                                 const Profile* within) const {
  std::string id(id_view);
  std::optional<std::string> uuid;
  if (id.empty() || id.find('/') != std::string::npos) return std::optional<StoredRecord>();
  if (LooksLikeUuid(id)) {
    uuid = id;
  } else {
    if (LooksLikeAccession(id)) {
      DCC_ASSIGN_OR_RETURN(uuid, reader.FindKey({"accession", id}));
    }
    if (!uuid && id.find(':') != std::string::npos) {
      DCC_ASSIGN_OR_RETURN(uuid, reader.FindKey({"alias", id}));
    }
    if (!uuid && id.rfind("md5:", 0) == 0) {
      // Processed files may share an md5 and have no md5 key: find the newest by term.
      SearchQuery q;
      q.types = {"file"};
      q.filters.push_back({{"md5sum"}, {id.substr(4)}, false});
      q.limit = 1;
      auto hits = index_.Search(q);
      if (!hits.uuids.empty()) uuid = hits.uuids[0];
    }
    if (!uuid) {
      // Unique names: `/labs/x/` within a collection, or a bare name at the root.
      for (const auto& p : profiles_->all()) {
        if (within && p.get() != within) continue;
        for (const auto& [prop, ns] : p->unique_props) {
          if (ns == "alias") continue;
          DCC_ASSIGN_OR_RETURN(uuid, reader.FindKey({ns, id}));
          if (uuid) break;
        }
        if (uuid) break;
      }
    }
  }
  if (!uuid) return std::optional<StoredRecord>();
  DCC_ASSIGN_OR_RETURN(auto rec, reader.Get(*uuid));
  if (rec && within) {
    const Profile* p = profiles_->Find(rec->type);
    auto types = p ? p->AtTypes() : std::vector<std::string>{};
    if (std::find(types.begin(), types.end(), within->type_name) == types.end())
      return std::optional<StoredRecord>();
  }
  return rec;
}

void RecordService::NormalizeLinks(RecordReader& reader, const json& schema, json& doc,
                                   std::vector<Status::Detail>& errors) const {
  json path = json::array();
  ForEachLink(schema, doc, path, [&](json& value, const json& link_to, const json& at) {
    std::string v = value.get<std::string>();
    auto found = Resolve(reader, v);
    if (!found.ok()) {
      errors.push_back({Pointer(at), found.status().message()});
      return;
    }
    if (!*found) {
      errors.push_back({Pointer(at), "'" + v + "' not found"});
      return;
    }
    const Profile* target = profiles_->Find((*found)->type);
    std::vector<std::string> wanted =
        link_to.is_array() ? link_to.get<std::vector<std::string>>()
                           : std::vector<std::string>{link_to.get<std::string>()};
    bool ok = false;
    for (const auto& t : target->AtTypes())
      ok = ok || std::find(wanted.begin(), wanted.end(), t) != wanted.end();
    if (!ok) {
      std::string names;
      for (const auto& w : wanted) names += (names.empty() ? "'" : " or '") + w + "'";
      errors.push_back({Pointer(at), "'" + v + "' is not of type " + names});
      return;
    }
    value = (*found)->uuid;
  });
}

// ---------------------------------------------------------------- ownership

Result<std::optional<std::string>> RecordService::OwnerLab(RecordReader& reader,
                                                           const Profile& profile,
                                                           const json& doc) const {
  std::string via = profile.HasLab() ? "lab" : profile.lab_from;
  if (via.empty() || !doc.contains(via) || !doc[via].is_string()) return std::optional<std::string>();
  DCC_ASSIGN_OR_RETURN(auto target, reader.Get(doc[via].get<std::string>()));
  if (!target) return std::optional<std::string>();
  if (target->type == "lab")
    return std::optional<std::string>(target->properties.value("name", ""));
  const Profile* tp = profiles_->Find(target->type);
  if (!tp || tp == &profile) return std::optional<std::string>();
  return OwnerLab(reader, *tp, target->properties);
}

Status RecordService::CheckOwnership(RecordReader& reader, const Caller& caller,
                                     const Profile& profile, const json& doc) const {
  if (caller.admin()) return Status::Ok();
  if (caller.anonymous()) return Status::Unauthenticated("credentials required to submit");
  if (!profile.HasLab() && profile.lab_from.empty()) {
    return Status::PermissionDenied("only admins may create or edit " + profile.type_name +
                                    " records");
  }
  DCC_ASSIGN_OR_RETURN(auto lab, OwnerLab(reader, profile, doc));
  if (!lab) return Status::PermissionDenied("the record names no lab you submit for");
  const auto& labs = caller.principal->labs;
  if (std::find(labs.begin(), labs.end(), *lab) == labs.end()) {
    return Status::PermissionDenied("you do not submit for lab '" + *lab + "'", "/lab");
  }
  return Status::Ok();
}

bool RecordService::CanView(const Caller& caller, const StoredRecord& rec) const {
  if (caller.admin()) return true;
  const auto& hidden = AdminOnlyStatuses();
  if (std::find(hidden.begin(), hidden.end(), rec.status) != hidden.end()) return false;
  if (!caller.anonymous()) return true;
  const Profile* profile = profiles_->Find(rec.type);
  if (profile && profile->login_required) return false;
  const auto& pub = PublicStatuses();
  return std::find(pub.begin(), pub.end(), rec.status) != pub.end();
}

// ---------------------------------------------------------------- writes

// A write in preparation: the new properties, the old record if any, and what failed.
struct RecordService::Draft {
  const Profile* profile = nullptr;
  RecordWriter* writer = nullptr;
  std::optional<StoredRecord> old;
  std::string uuid;
  json doc;
  std::string method;
  std::vector<Status::Detail> errors;
  StoredRecord stored;  // what Write stored, for the index once committed
  std::function<Status(RecordWriter&)> also;  // more writes in the same transaction
};

Result<RecordService::Written> RecordService::Commit(const Caller& caller, Draft& d) {
  DCC_ASSIGN_OR_RETURN(Written written, Write(caller, d));
  if (d.also) DCC_RETURN_IF_ERROR(d.also(*d.writer));
  DCC_RETURN_IF_ERROR(d.writer->Commit());
  // Still under the writer lock, so the index sees writes in commit order.
  index_.Put(d.stored.uuid, d.stored.type, SearchTermsOf(*d.profile, d.stored));
  return written;
}

Result<RecordService::Written> RecordService::Create(const Caller& caller, std::string_view type,
                                                     const json& body) {
  const Profile* profile = profiles_->Find(type);
  if (!profile) return Status::NotFound("no record type '" + std::string(type) + "'");
  if (caller.anonymous()) return Status::Unauthenticated("credentials required to submit");
  if (!body.is_object()) return Status::Validation("the body must be a JSON object", "/");
  if (!caller.admin() && !profile->HasLab() && profile->lab_from.empty()) {
    return Status::PermissionDenied("only admins may create " + profile->type_name + " records");
  }
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  Draft d;
  d.profile = profile;
  d.writer = writer.get();
  d.method = "POST";
  d.doc = body;
  CheckSubmittable(*profile, d.doc, nullptr, caller.admin(), d.errors);
  d.uuid = NewUuid4();
  if (d.doc.contains("uuid")) {
    // Only admins get here with a uuid (it carries a permission); it must be well formed.
    if (!d.doc["uuid"].is_string() || !LooksLikeUuid(d.doc["uuid"].get<std::string>())) {
      d.errors.push_back({"/uuid", "'" + d.doc["uuid"].dump() + "' is not a uuid"});
    } else {
      d.uuid = d.doc["uuid"].get<std::string>();
      DCC_ASSIGN_OR_RETURN(auto existing, writer->Get(d.uuid));
      if (existing) return Status::Conflict("Keys conflict: [('uuid', '" + d.uuid + "')]");
    }
    d.doc.erase("uuid");
  }
  // Defaults and server defaults for what the body leaves out.
  for (const auto& [prop, sub] : (*profile->schema)["properties"].items()) {
    if (d.doc.contains(prop) || prop == "uuid") continue;
    std::string server_default = sub.value("serverDefault", "");
    if (server_default == "accession") {
      if (!profile->IsAccessioned()) continue;
      for (int attempt = 0; attempt < 10 && !d.doc.contains(prop); ++attempt) {
        std::string acc = NewAccession(options_.accession_prefix, profile->accession_code);
        DCC_ASSIGN_OR_RETURN(auto taken, writer->FindKey({"accession", acc}));
        if (!taken) d.doc[prop] = acc;
      }
      if (!d.doc.contains(prop)) return Status::Unavailable("no free accession found; retry");
    } else if (server_default == "now") {
      d.doc[prop] = NowIso8601();
    } else if (server_default == "userid") {
      if (!caller.user_uuid().empty()) d.doc[prop] = caller.user_uuid();
    } else if (server_default == "schema_version") {
      d.doc[prop] = "1";
    } else if (sub.contains("default")) {
      d.doc[prop] = sub["default"];
    }
  }
  NormalizeLinks(*writer, *profile->schema, d.doc, d.errors);
  if (preparer_) preparer_(*profile, d.doc, nullptr, d.errors);
  return Commit(caller, d);
}

Result<RecordService::Written> RecordService::Patch(const Caller& caller, std::string_view id,
                                                    const json& body, std::string_view if_match) {
  return Edit(caller, id, body, if_match, "PATCH");
}

Result<RecordService::Written> RecordService::Put(const Caller& caller, std::string_view id,
                                                  const json& body, std::string_view if_match) {
  return Edit(caller, id, body, if_match, "PUT");
}

// PATCH and PUT: the same checks, then PATCH merges `body` into the record while PUT
// replaces the record with it.
Result<RecordService::Written> RecordService::SystemPatch(
    const std::string& uuid, const json& changes, const std::function<Status(RecordWriter&)>& also) {
  static const Caller kSystem{Principal{"system", "", true, {}}};
  return Edit(kSystem, uuid, changes, "", "PATCH", also);
}

bool RecordService::CanEdit(RecordReader& reader, const Caller& caller, const StoredRecord& rec) const {
  const Profile* p = profiles_->Find(rec.type);
  return p && CheckOwnership(reader, caller, *p, rec.properties).ok();
}

Result<RecordService::Written> RecordService::Edit(const Caller& caller, std::string_view id,
                                                   const json& body, std::string_view if_match,
                                                   const std::string& method,
                                                   const std::function<Status(RecordWriter&)>& also) {
  if (caller.anonymous()) return Status::Unauthenticated("credentials required to edit");
  if (!body.is_object()) return Status::Validation("the body must be a JSON object", "/");
  DCC_ASSIGN_OR_RETURN(auto writer, store_.Write());
  DCC_ASSIGN_OR_RETURN(auto old, Resolve(*writer, id));
  if (!old || !CanView(caller, *old)) return Status::NotFound("'" + std::string(id) + "' not found");
  const Profile* profile = profiles_->Find(old->type);
  DCC_RETURN_IF_ERROR(CheckOwnership(*writer, caller, *profile, old->properties));
  if (!if_match.empty() && if_match != "*" && if_match != ETagOf(*old))
    return Status::PreconditionFailed("The resource has changed.");
  Draft d;
  d.profile = profile;
  d.writer = writer.get();
  d.uuid = old->uuid;
  d.method = method;
  json changes = body;
  if (changes.contains("uuid")) {
    if (changes["uuid"] != old->uuid) d.errors.push_back({"/uuid", "uuid may not be changed"});
    changes.erase("uuid");
  }
  NormalizeLinks(*writer, *profile->schema, changes, d.errors);
  CheckSubmittable(*profile, changes, &old->properties, caller.admin(), d.errors);
  if (method == "PATCH") {
    d.doc = old->properties;
    for (auto it = changes.begin(); it != changes.end(); ++it) d.doc[it.key()] = it.value();
  } else {
    d.doc = std::move(changes);
    // Keep what the caller may not set (server-managed, admin-only) when the body omits
    // it, and apply schema defaults to the rest.
    for (const auto& [prop, sub] : (*profile->schema)["properties"].items()) {
      if (d.doc.contains(prop) || prop == "uuid") continue;
      bool keep = sub.contains("serverDefault") || (!caller.admin() && RestrictedProperty(sub));
      if (keep && old->properties.contains(prop)) {
        d.doc[prop] = old->properties[prop];
      } else if (sub.contains("default")) {
        d.doc[prop] = sub["default"];
      }
    }
  }
  if (preparer_) preparer_(*profile, d.doc, &old->properties, d.errors);
  d.old = std::move(old);
  d.also = also;
  return Commit(caller, d);
}

// Validates the draft, checks ownership and keys, and stores it (not yet committed).
Result<RecordService::Written> RecordService::Write(const Caller& caller, Draft& d) {
  const Profile& profile = *d.profile;
  for (auto& e : schema::Validate(profile, d.doc)) {
    d.errors.push_back({Pointer(e.path), e.message});
  }
  if (!d.errors.empty()) {
    // Keep each located message once; link errors and schema errors may coincide.
    std::vector<Status::Detail> unique;
    for (auto& e : d.errors) {
      bool seen = false;
      for (auto& u : unique) seen = seen || (u.where == e.where && u.message == e.message);
      if (!seen) unique.push_back(e);
    }
    std::string first = unique[0].message;
    return Status::Validation("Failed validation: " + first, unique[0].where)
        .WithDetails(std::move(unique));
  }
  DCC_RETURN_IF_ERROR(CheckOwnership(*d.writer, caller, profile, d.doc));

  // Unique keys; the same key twice in one record is the caller's mistake (422).
  std::vector<UniqueKey> keys = UniqueKeysOf(profile, d.doc);
  if (profile.name == "file" && d.doc.contains("md5sum") &&
      kRawOutputTypes.count(d.doc.value("output_type", "")) &&
      d.doc.value("status", "") != "replaced") {
    keys.push_back({"alias", "md5:" + d.doc["md5sum"].get<std::string>()});
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    for (size_t j = i + 1; j < keys.size(); ++j) {
      if (keys[i] == keys[j]) {
        return Status::Validation("Duplicate keys for " + keys[i].name + ": " + keys[i].value, "/")
            .WithDetails({{"/", "Duplicate keys for " + keys[i].name + ": " + keys[i].value}});
      }
    }
  }
  for (const auto& k : keys) {
    DCC_ASSIGN_OR_RETURN(auto owner, d.writer->FindKey(k));
    if (owner && *owner != d.uuid)
      return Status::Conflict("Keys conflict: [('" + k.name + "', '" + k.value + "')]");
  }

  StoredRecord rec;
  rec.uuid = d.uuid;
  rec.type = profile.name;
  rec.at_id = AtIdOf(profile, d.doc, d.uuid);
  rec.status = d.doc.value("status", "");
  rec.sid = d.old ? d.old->sid + 1 : 1;
  rec.created = d.old ? d.old->created : d.doc.value("date_created", NowIso8601());
  rec.updated = NowIso8601();
  rec.properties = std::move(d.doc);
  DCC_RETURN_IF_ERROR(d.writer->Put(rec, keys, d.method, caller.user_uuid()));
  Written w;
  w.at_id = rec.at_id;
  w.object = Render(*d.writer, caller, rec, Frame::kObject);
  d.stored = std::move(rec);
  return w;
}

// ---------------------------------------------------------------- reads

Result<StoredRecord> RecordService::FindViewable(RecordReader& reader, const Caller& caller,
                                                std::string_view id) const {
  DCC_ASSIGN_OR_RETURN(auto rec, Resolve(reader, id));
  if (!rec) return Status::NotFound("'" + std::string(id) + "' not found");
  if (!CanView(caller, *rec)) {
    if (caller.anonymous()) return Status::Unauthenticated("credentials required to view this record");
    return Status::PermissionDenied("you may not view this record");
  }
  return std::move(*rec);
}

Result<RecordService::Fetched> RecordService::Get(const Caller& caller, std::string_view id,
                                                  Frame frame) {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(StoredRecord rec, FindViewable(*reader, caller, id));
  const Profile* profile = profiles_->Find(rec.type);
  if (frame == Frame::kEdit) {
    DCC_RETURN_IF_ERROR(CheckOwnership(*reader, caller, *profile, rec.properties));
  }
  if (frame == Frame::kRaw && !caller.admin())
    return Status::PermissionDenied("frame=raw is for admins");
  return Fetched{Render(*reader, caller, rec, frame), ETagOf(rec)};
}

Result<json> RecordService::History(const Caller& caller, std::string_view id) {
  DCC_ASSIGN_OR_RETURN(auto reader, store_.Read());
  DCC_ASSIGN_OR_RETURN(StoredRecord rec, FindViewable(*reader, caller, id));
  DCC_ASSIGN_OR_RETURN(auto revisions, reader->History(rec.uuid));
  json graph = json::array();
  for (auto& r : revisions) {
    StoredRecord version = rec;
    version.properties = std::move(r.properties);
    json who = r.user.empty() ? json(nullptr) : json("/users/" + r.user + "/");
    graph.push_back({{"sid", r.sid},
                     {"method", r.method},
                     {"user", who},
                     {"timestamp", r.time},
                     {"properties", Render(*reader, caller, version, Frame::kEdit)}});
  }
  return json{{"@id", rec.at_id + "@@history"}, {"uuid", rec.uuid}, {"@graph", graph}};
}

json RecordService::Render(RecordReader& reader, const Caller& caller, const StoredRecord& rec,
                           Frame frame) const {
  return RenderDepth(reader, caller, rec, frame, options_.embed_depth);
}

json RecordService::RenderDepth(RecordReader& reader, const Caller& caller, const StoredRecord& rec,
                                Frame frame, int depth) const {
  const Profile* profile = profiles_->Find(rec.type);
  json doc = rec.properties;
  if (frame == Frame::kRaw) {
    doc["uuid"] = rec.uuid;
    return doc;
  }
  if (profile) {
    json path = json::array();
    ForEachLink(*profile->schema, doc, path, [&](json& value, const json&, const json&) {
      auto target = reader.Get(value.get<std::string>());
      if (!target.ok() || !*target) return;  // a dangling uuid stays as stored
      if (frame == Frame::kEmbedded && depth > 0 && CanView(caller, **target)) {
        value = RenderDepth(reader, caller, **target, Frame::kEmbedded, depth - 1);
      } else {
        value = (*target)->at_id;
      }
    });
  }
  if (frame == Frame::kEdit) return doc;
  doc["@id"] = rec.at_id;
  doc["@type"] = profile ? json(profile->AtTypes()) : json::array({"Item"});
  doc["uuid"] = rec.uuid;
  if (decorator_) decorator_(reader, caller, rec, doc);
  return doc;
}

}  // namespace dcc::server
