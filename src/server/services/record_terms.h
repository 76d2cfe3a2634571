// src/server/services/record_terms.h: what a record contributes to the store besides its
// properties: its canonical @id, its unique keys and its search terms. Pure functions of
// the profile and the stored properties (links already normalised to uuids).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "schema/profile.h"
#include "server/services/search_index.h"
#include "server/store/record_store.h"

namespace dcc::server {

// "/<collection>/<name|accession|uuid>/" (reference §2.2).
std::string AtIdOf(const schema::Profile& profile, const nlohmann::json& doc,
                   const std::string& uuid);

// The keys the profile declares unique (aliases, names, ...) plus accessions.
std::vector<UniqueKey> UniqueKeysOf(const schema::Profile& profile, const nlohmann::json& doc);

// Flattened (field, value) pairs: nested objects give dotted fields, arrays one term per
// item. Also `uuid`, `@id` and one `@type` term per type name. Values longer than
// kMaxTermBytes (data URIs, long descriptions) are not searchable.
std::vector<SearchTerm> SearchTermsOf(const schema::Profile& profile, const StoredRecord& rec);

constexpr size_t kMaxTermBytes = 512;

}  // namespace dcc::server
