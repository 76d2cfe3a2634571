// src/server/services/index_record.h: the indexd record's rules that do not need the
// store (gen3.md §2.1, §2.3): the request bodies of POST /index/, PUT /index/{guid},
// blank records, hash and date formats, and rendering a row to the record JSON. Pure
// functions; IndexService and FileService use them.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dcc/status.h"
#include "server/store/record_store.h"

namespace dcc::server {

// Now as indexd writes dates: Python's isoformat() of naive UTC,
// "2026-01-02T03:04:05.123456" (the fraction omitted when it is 0).
std::string IndexDateNow();
// A new revision: 8 lower-case hex chars (indexd: str(uuid4())[:8]).
std::string NewRev();
// True if `did` ends with a UUID (indexd's did pattern; any prefix, e.g. "dg.4242/").
bool ValidDid(const std::string& did);
// The first path segments that name indexd endpoints in the commons layout, where
// indexd sits under /index/ (/index/_status, /index/index/..., docs/gen3_layout.md).
// They win over dids there, so no did may begin with one of them followed by '/'.
const std::vector<std::string>& CommonsLayoutNames();
// The commons-layout name `did` begins with ("index" for "index/<uuid>"), or "".
std::string CommonsLayoutNameOf(const std::string& did);
// A did given in a body (`where` names it): a string that ends with a UUID and does not
// begin with a commons-layout name. InvalidArgument otherwise.
Status CheckGivenDid(const nlohmann::json& did, const std::string& where);

// Fills `row.doc` with the record JSON: every key of gen3.md §2.1 present, nulls allowed.
void RenderIndexDoc(ObjectRow& row);
// Parses a stored doc back into JSON (for the few answers that reshape a record).
nlohmann::json IndexDocJson(const ObjectRow& row);

// A POST /index/ (and POST /index/{guid}, bulk upsert) body applied to `row`, which
// holds the defaults. InvalidArgument naming the key for an unknown key, a missing
// required key (size, hashes, urls, form), a hash that is not lower-case hex of its
// type's length, a urls_metadata url not in urls, or content dates out of order.
Status ApplyCreateBody(const nlohmann::json& body, ObjectRow& row);
// A PUT /index/{guid} body: only urls, acl, authz, file_name, version, uploader,
// metadata, urls_metadata, description and the content dates; each present key
// replaces the stored value. InvalidArgument for anything else (size and hashes are
// immutable: post a new version).
Status ApplyUpdateBody(const nlohmann::json& body, ObjectRow& row);
// POST /index/blank/: {"uploader", "file_name", "authz"?} (and "did"/"acl" as indexd).
Status ApplyBlankBody(const nlohmann::json& body, ObjectRow& row);
// PUT /index/blank/{guid}: {"size", "hashes", "urls", "authz"?}; size and hashes required.
Status ApplyBlankFillBody(const nlohmann::json& body, ObjectRow& row);
// Validates {"md5": hex, ...}: known types (md5, sha1, sha256, sha512, crc, etag), each
// value lower-case hex of the type's length. `where` names the field in errors.
Status ValidateHashes(const nlohmann::json& hashes, const std::string& where);
// Checks one "type:value" hash filter the same way.
Status ValidateHash(const std::string& type, const std::string& value);

}  // namespace dcc::server
