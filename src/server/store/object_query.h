// src/server/store/object_query.h: an ObjectQuery (the GET /index/ filters) as one SQL
// SELECT over `objects` and its lookup tables. Internal to the SQLite store; separate so
// that the SQL it builds can be tested alone.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "server/store/record_store.h"

namespace dcc::server {

struct SqlQuery {
  std::string sql;                                        // selects (did, doc)
  std::vector<std::variant<std::string, int64_t>> binds;  // for ?1, ?2, ... in order
};

// Selective filters (hashes, urls, ids) drive the query through their lookup table's
// index ("did IN (SELECT ...)"), so a hash lookup never scans; acl and authz are probed
// per record in did order, so a keyset page over a common authz stops at `limit`.
SqlQuery BuildObjectQuery(const ObjectQuery& q);

}  // namespace dcc::server
