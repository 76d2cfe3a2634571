// src/server/services/search_service.h: faceted search and collection listings over the
// record store (reference §2.11): filters on dotted paths through links, same key OR-ed,
// different keys AND-ed, `!=` negation, `*` for "has a value", paging, sorting, facets.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/services/records_service.h"

namespace dcc::server {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// Thread-safe.
class SearchService {
 public:
  explicit SearchService(RecordService& records) : records_(records) {}

  struct Answer {
    std::string body;    // JSON text; "@graph" is rendered record by record, never as one DOM
    bool empty = false;  // no hits: the reference answers 404 with this same body
  };
  // GET /search/?... `self` is the request path and query, echoed as "@id".
  // InvalidArgument for an unknown type, a repeated limit/from, or a bad number.
  Result<Answer> Search(const Caller& caller, const QueryParams& params, const std::string& self);
  // GET /<collection>/ : the records of one type, newest first (limit 25 by default).
  Result<std::string> List(const Caller& caller, const schema::Profile& profile,
                           const QueryParams& params, const std::string& self);

 private:
  // `ends_in_link` (may be null) tells whether the last hop is itself a link field.
  // `head` with an "@graph" member appended, rendered one hit at a time.
  Result<std::string> WithGraph(const Caller& caller, const nlohmann::json& head,
                                const std::vector<std::string>& uuids, Frame frame,
                                const std::vector<std::string>& fields);
  struct Parsed;
  Result<Parsed> Run(const Caller& caller, const QueryParams& params, const std::string& self);
  FieldPath ToPath(const schema::Profile* profile, const std::string& dotted,
                   bool* ends_in_link = nullptr) const;
  RecordService& records_;
};

}  // namespace dcc::server
