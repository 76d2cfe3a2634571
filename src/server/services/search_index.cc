#include "server/services/search_index.h"

#include <algorithm>
#include <bit>
#include <map>
#include <mutex>

namespace dcc::server {

// A set of ordinals as a bitset, sized to the index.
struct SearchIndex::Bits {
  std::vector<uint64_t> words;
  explicit Bits(size_t n = 0, bool all = false) : words((n + 63) / 64, all ? ~0ull : 0ull) {
    if (all && n % 64) words.back() = (1ull << (n % 64)) - 1;
  }
  void Set(uint32_t i) { words[i >> 6] |= 1ull << (i & 63); }
  bool Test(uint32_t i) const { return (words[i >> 6] >> (i & 63)) & 1; }
  void And(const Bits& o) {
    for (size_t i = 0; i < words.size(); ++i) words[i] &= o.words[i];
  }
  void AndNot(const Bits& o) {
    for (size_t i = 0; i < words.size(); ++i) words[i] &= ~o.words[i];
  }
  int64_t Count() const {
    int64_t n = 0;
    for (uint64_t w : words) n += std::popcount(w);
    return n;
  }
};

void SearchIndex::PostingList::Insert(uint32_t ord) {
  if (many_) {
    auto it = std::lower_bound(many_->begin(), many_->end(), ord);
    if (it == many_->end() || *it != ord) many_->insert(it, ord);
  } else if (one_ == kNone) {
    one_ = ord;
  } else if (one_ != ord) {
    many_ = std::make_unique<std::vector<uint32_t>>();
    *many_ = one_ < ord ? std::vector<uint32_t>{one_, ord} : std::vector<uint32_t>{ord, one_};
    one_ = kNone;
  }
}

void SearchIndex::PostingList::Erase(uint32_t ord) {
  if (many_) {
    auto it = std::lower_bound(many_->begin(), many_->end(), ord);
    if (it != many_->end() && *it == ord) many_->erase(it);
    if (many_->size() == 1) {
      one_ = (*many_)[0];
      many_.reset();
    } else if (many_->empty()) {
      many_.reset();
    }
  } else if (one_ == ord) {
    one_ = kNone;
  }
}

void SearchIndex::Put(const std::string& uuid, const std::string& type,
                      const std::vector<SearchTerm>& terms) {
  std::unique_lock lock(mu_);
  uint32_t ord;
  auto found = ords_.find(uuid);
  if (found == ords_.end()) {
    ord = static_cast<uint32_t>(uuids_.size());
    uuids_.push_back(uuid);
    ords_.emplace(uuids_.back(), ord);
    forward_.emplace_back();
  } else {
    ord = found->second;
    // Unindex the old terms. Values no longer used stay interned (they are few).
    for (auto [fid, vid] : forward_[ord]) fields_[fid].postings[vid].Erase(ord);
    forward_[ord].clear();
  }
  auto& forward = forward_[ord];
  auto add = [&](const std::string& field, const std::string& value) {
    auto [fit, new_field] = field_ids_.try_emplace(field, static_cast<uint32_t>(fields_.size()));
    if (new_field) fields_.emplace_back();
    Field& f = fields_[fit->second];
    uint32_t vid;
    if (auto vit = f.value_ids.find(value); vit != f.value_ids.end()) {
      vid = vit->second;
    } else {
      vid = static_cast<uint32_t>(f.values.size());
      f.values.push_back(value);
      f.value_ids.emplace(f.values.back(), vid);
      f.postings.emplace_back();
    }
    for (auto [ffid, fvid] : forward)
      if (ffid == fit->second && fvid == vid) return;  // the same value twice in one record
    f.postings[vid].Insert(ord);
    forward.emplace_back(fit->second, vid);
  };
  add(kTypeField, type);
  for (const auto& t : terms)
    if (t.field != "uuid" && t.field != "@id") add(t.field, t.value);
  forward.shrink_to_fit();
}

size_t SearchIndex::size() const {
  std::shared_lock lock(mu_);
  return uuids_.size();
}

const SearchIndex::Field* SearchIndex::FindField(const std::string& name) const {
  auto it = field_ids_.find(name);
  return it == field_ids_.end() ? nullptr : &fields_[it->second];
}

SearchIndex::Bits SearchIndex::UnionOf(const std::string& field,
                                       const std::vector<std::string>& values) const {
  Bits out(uuids_.size());
  bool any = std::find(values.begin(), values.end(), "*") != values.end();
  if (field == "uuid") {
    for (const auto& v : values) {
      if (auto it = ords_.find(v); it != ords_.end()) out.Set(it->second);
    }
    if (any) out = Bits(uuids_.size(), /*all=*/true);
    return out;
  }
  const Field* f = FindField(field);
  if (!f) return out;
  auto add_posting = [&](const PostingList& p) { p.ForEach([&](uint32_t ord) { out.Set(ord); }); };
  if (any) {
    for (const auto& p : f->postings) add_posting(p);
  } else {
    for (const auto& v : values) {
      auto it = f->value_ids.find(v);
      if (it != f->value_ids.end()) add_posting(f->postings[it->second]);
    }
  }
  return out;
}

// Records whose path[hop..] matches: the last hop is a plain term lookup; each earlier hop
// keeps the records that link (by uuid) to a record matched by the next hop.
SearchIndex::Bits SearchIndex::Match(const FieldPath& path, size_t hop,
                                     const std::vector<std::string>& values) const {
  if (hop >= path.size()) return Bits(uuids_.size());  // no field: nothing matches
  if (hop + 1 == path.size()) return UnionOf(path[hop], values);
  Bits inner = Match(path, hop + 1, values);
  std::vector<std::string> linked;
  for (size_t w = 0; w < inner.words.size(); ++w) {
    for (uint64_t bits = inner.words[w]; bits; bits &= bits - 1) {
      linked.push_back(uuids_[w * 64 + std::countr_zero(bits)]);
    }
  }
  return UnionOf(path[hop], linked);
}

std::vector<const std::string*> SearchIndex::ValuesOf(uint32_t ord, uint32_t field_id) const {
  std::vector<const std::string*> out;
  for (auto [fid, vid] : forward_[ord])
    if (fid == field_id) out.push_back(&fields_[fid].values[vid]);
  return out;
}

// Counts matched records per value at the end of `path`. The first hop is counted from
// its postings; later hops map each first-hop value (a linked uuid) to the values it
// reaches, so cost is one pass over the first field's postings.
std::vector<FacetCount> SearchIndex::Facet(const Bits& matched, const FieldPath& path) const {
  std::vector<FacetCount> out;
  if (path.empty()) return out;
  auto fit = field_ids_.find(path[0]);
  if (fit == field_ids_.end()) return out;
  const Field& first = fields_[fit->second];
  std::map<std::string, int64_t> counts;
  for (size_t vid = 0; vid < first.values.size(); ++vid) {
    int64_t n = 0;
    first.postings[vid].ForEach([&](uint32_t ord) { n += matched.Test(ord); });
    if (n == 0) continue;
    std::vector<const std::string*> frontier = {&first.values[vid]};
    for (size_t hop = 1; hop < path.size() && !frontier.empty(); ++hop) {
      auto next_field = field_ids_.find(path[hop]);
      std::vector<const std::string*> next;
      if (next_field != field_ids_.end()) {
        for (const std::string* uuid : frontier) {
          auto target = ords_.find(*uuid);
          if (target == ords_.end()) continue;
          for (const std::string* v : ValuesOf(target->second, next_field->second))
            next.push_back(v);
        }
      }
      frontier = std::move(next);
    }
    for (const std::string* v : frontier) counts[*v] += n;
  }
  for (auto& [k, n] : counts) out.push_back({k, n});
  std::stable_sort(out.begin(), out.end(),
                   [](const FacetCount& a, const FacetCount& b) { return a.count > b.count; });
  if (out.size() > 200) out.resize(200);
  return out;
}

SearchIndex::Hits SearchIndex::Search(const SearchQuery& q) const {
  std::shared_lock lock(mu_);
  const size_t n = uuids_.size();
  Bits m = q.types.empty() ? Bits(n, /*all=*/true) : UnionOf(kTypeField, q.types);
  if (!q.visible_statuses.empty()) m.And(UnionOf("status", q.visible_statuses));
  if (!q.hidden_statuses.empty()) m.AndNot(UnionOf("status", q.hidden_statuses));
  for (const auto& f : q.filters) {
    Bits b = Match(f.path, 0, f.values);
    if (f.negate)
      m.AndNot(b);
    else
      m.And(b);
  }
  Hits hits;
  hits.total = m.Count();
  for (const auto& facet : q.facets) hits.facets.push_back(Facet(m, facet));

  const int64_t want = q.limit < 0 ? hits.total : std::min<int64_t>(hits.total, q.from + q.limit);
  if (q.sort.empty()) {
    // Newest first: ordinals follow creation order.
    int64_t seen = 0;
    for (size_t w = m.words.size(); w-- > 0 && seen < want;) {
      for (uint64_t bits = m.words[w]; bits && seen < want;) {
        int top = 63 - std::countl_zero(bits);
        bits &= ~(1ull << top);
        if (seen++ >= q.from) hits.uuids.push_back(uuids_[w * 64 + top]);
      }
    }
    return hits;
  }
  auto sort_field = field_ids_.find(q.sort[0]);
  std::vector<std::pair<const std::string*, uint32_t>> keyed;
  static const std::string kMissing;
  for (size_t w = 0; w < m.words.size(); ++w) {
    for (uint64_t bits = m.words[w]; bits; bits &= bits - 1) {
      uint32_t ord = static_cast<uint32_t>(w * 64 + std::countr_zero(bits));
      const std::string* key = &kMissing;
      if (sort_field != field_ids_.end()) {
        auto values = ValuesOf(ord, sort_field->second);
        if (!values.empty()) key = values[0];
      }
      keyed.emplace_back(key, ord);
    }
  }
  // Numbers are stored as text; compare numerically when both keys parse as numbers.
  auto less = [](const std::string& a, const std::string& b) {
    char* ea = nullptr;
    char* eb = nullptr;
    double da = std::strtod(a.c_str(), &ea), db = std::strtod(b.c_str(), &eb);
    if (!a.empty() && !b.empty() && *ea == '\0' && *eb == '\0') return da < db;
    return a < b;
  };
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    if (*x.first == *y.first) return x.second > y.second;  // ties: newest first
    return q.sort_descending ? less(*y.first, *x.first) : less(*x.first, *y.first);
  });
  for (int64_t i = q.from; i < want; ++i) hits.uuids.push_back(uuids_[keyed[i].second]);
  return hits;
}

}  // namespace dcc::server
