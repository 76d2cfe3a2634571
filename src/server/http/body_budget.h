// src/server/http/body_budget.h: one process-wide count of the bytes held in request
// bodies and the JSON documents parsed from them. Every request charges what it holds
// before holding it and gives it back when it ends (BodyCharge), so many concurrent
// large bodies meet a bound (--body-budget-mib) instead of the allocator: past it a
// request is answered 503 with Retry-After, and one that could never fit gets 413.
#pragma once

#include <cstddef>

#include "dcc/status.h"

namespace dcc::server {

class BodyBudget {
 public:
  static constexpr size_t kDefaultBytes = size_t{256} << 20;
  // Sets the bound (bytes). Call before serving; 0 is taken as the default.
  static void SetLimit(size_t bytes);
  static size_t limit();
  // Bytes charged now, by all requests together.
  static size_t held();
  // Charges `bytes` to the process: OK, Unavailable (busy now; retry later), or TooLarge
  // when `total_for_request` (this request's charges including these) exceeds the whole
  // budget and so could never succeed. Nothing is charged unless OK.
  static Status Charge(size_t bytes, size_t total_for_request);
  static void Release(size_t bytes);
};

// What one request holds: released when the request ends. Move-only.
class BodyCharge {
 public:
  BodyCharge() = default;
  BodyCharge(const BodyCharge&) = delete;
  BodyCharge& operator=(const BodyCharge&) = delete;
  BodyCharge(BodyCharge&& o) noexcept : bytes_(o.bytes_) { o.bytes_ = 0; }
  BodyCharge& operator=(BodyCharge&& o) noexcept {
    if (this != &o) {
      BodyBudget::Release(bytes_);
      bytes_ = o.bytes_;
      o.bytes_ = 0;
    }
    return *this;
  }
  ~BodyCharge() { BodyBudget::Release(bytes_); }

  // Charges `bytes` more to the budget on behalf of this request.
  Status Add(size_t bytes) {
    Status s = BodyBudget::Charge(bytes, bytes_ + bytes);
    if (s.ok()) bytes_ += bytes;
    return s;
  }
  size_t bytes() const { return bytes_; }

 private:
  size_t bytes_ = 0;
};

}  // namespace dcc::server
