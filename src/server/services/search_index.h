// src/server/services/search_index.h: the in-memory inverted index behind /search/.
//
// Each record is an ordinal (0..N-1, in creation order); each (field, value) term has a
// posting list of ordinals. Filters become bitsets over ordinals, so a query over 100k
// records is a few bitset operations, and a facet is one pass over its field's postings.
// The index is derived state: the record store is the truth. It is built from the store
// at start-up (Load) and kept current by the records service after every commit (Put),
// under the store's writer lock, so its order of updates is the commit order.
//
// Multi-instance deployments (PostgreSQL) will need a change feed to keep each
// instance's index current; see docs/ARCHITECTURE.md.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <shared_mutex>
#include <string_view>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/store/record_store.h"

namespace dcc::server {

// A searchable (field, value) pair of a record; link fields hold target uuids.
struct SearchTerm {
  std::string field;
  std::string value;
};

// A path through links: hops[0] is a field of the searched record; each later hop is a
// field of the record the previous hop links to. {"lab", "name"} is `lab.name`.
using FieldPath = std::vector<std::string>;

struct SearchFilter {
  FieldPath path;
  std::vector<std::string> values;  // OR-ed; "*" means "has any value"
  bool negate = false;              // `field!=v`
};

struct SearchQuery {
  std::vector<std::string> types;             // snake_case types; empty means all
  std::vector<SearchFilter> filters;          // AND-ed
  std::vector<std::string> visible_statuses;  // empty means no status restriction
  std::vector<std::string> hidden_statuses;   // statuses never shown to this caller
  FieldPath sort;                             // empty: newest first
  bool sort_descending = true;
  int64_t limit = 25;  // -1 for all
  int64_t from = 0;
  std::vector<FieldPath> facets;
};

struct FacetCount {
  std::string key;
  int64_t count = 0;
};



// Thread-safe: many concurrent searches, one Put at a time.
class SearchIndex {
 public:
  // Adds or replaces a record's terms. `type` is the snake_case profile name. Terms for
  // `uuid` and `@id` are skipped: a `uuid` filter is answered from the ordinal map, and
  // the search service turns an `@id` filter into a `uuid` one.
  void Put(const std::string& uuid, const std::string& type, const std::vector<SearchTerm>& terms);

  struct Hits {
    int64_t total = 0;
    std::vector<std::string> uuids;               // the requested page, in order
    std::vector<std::vector<FacetCount>> facets;  // parallel to SearchQuery::facets
  };
  // Filters, sorts, pages and facets. Link hops follow uuids held as term values.
  Hits Search(const SearchQuery& query) const;
  size_t size() const;

 private:
  struct Bits;
  // A sorted list of ordinals. Most values (aliases, accessions, dates) belong to one
  // record, so a one-entry list is held inline and only longer lists allocate.
  class PostingList {
   public:
    void Insert(uint32_t ord);
    void Erase(uint32_t ord);
    template <typename F>
    void ForEach(F&& f) const {
      if (many_) {
        for (uint32_t o : *many_) f(o);
      } else if (one_ != kNone) {
        f(one_);
      }
    }

   private:
    static constexpr uint32_t kNone = 0xffffffffu;
    uint32_t one_ = kNone;
    std::unique_ptr<std::vector<uint32_t>> many_;
  };
  struct Field {
    std::deque<std::string> values;                          // by value id; stable addresses
    std::unordered_map<std::string_view, uint32_t> value_ids;  // views into `values`
    std::vector<PostingList> postings;                       // by value id
  };
  const Field* FindField(const std::string& name) const;
  Bits Match(const FieldPath& path, size_t hop, const std::vector<std::string>& values) const;
  Bits UnionOf(const std::string& field, const std::vector<std::string>& values) const;
  // The values of `field` in a record's terms (its forward list).
  std::vector<const std::string*> ValuesOf(uint32_t ord, uint32_t field_id) const;
  std::vector<FacetCount> Facet(const Bits& matched, const FieldPath& path) const;

  mutable std::shared_mutex mu_;
  std::deque<std::string> uuids_;                         // ordinal -> uuid
  std::unordered_map<std::string_view, uint32_t> ords_;   // uuid -> ordinal (views)
  std::unordered_map<std::string, uint32_t> field_ids_;
  std::deque<Field> fields_;  // a deque: Field is not nothrow-movable, and never relocates here
  // ordinal -> its (field id, value id) terms, to unindex on update and to read values.
  std::vector<std::vector<std::pair<uint32_t, uint32_t>>> forward_;
};

// The reserved field holding each record's snake_case type (not a property name).
inline constexpr const char* kTypeField = "\x01type";

}  // namespace dcc::server
