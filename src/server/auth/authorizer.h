// src/server/auth/authorizer.h: what a caller may do to things guarded by resource paths
// (the Gen3 `authz` model: "/programs/p/projects/q", "/open"). The index, DRS, metadata
// and fence-style data endpoints ask it; the portal records keep their lab-based rules.
// Policies are granted per principal with `dccd admin grant` (docs/fence.md).
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/auth/authenticator.h"
#include "server/store/record_store.h"

namespace dcc::server {

// True if a policy on `policy_path` covers `resource`: the same path, or one below it
// ("/programs/p" covers "/programs/p/projects/q" but not "/programs/p2"). Trailing
// slashes are ignored; "/" covers everything.
bool PathCovers(std::string_view policy_path, std::string_view resource);

// True if `policies` grant `method` on `resource` ("*" grants every method).
bool PoliciesAllow(const std::vector<Policy>& policies, std::string_view method, std::string_view resource);

// Thread-safe.
class Authorizer {
 public:
  explicit Authorizer(RecordStore& store) : store_(store) {}

  // True if `caller` may do `method` ("read", "create", "update", "delete",
  // "file_upload") on every one of `resources`. A policy granted on a path covers the
  // paths below it. Admins may do everything. Anyone may "read" "/open" and below. An
  // empty resource list is the admins' alone for writes and open for reads, as in indexd.
  // A principal's policies are cached for kPolicyCacheTtl, so a grant or revocation made
  // by `dccd admin` while the server runs takes effect within that time.
  bool Allowed(const Caller& caller, std::string_view method,
               const std::vector<std::string>& resources) const;

  static constexpr std::chrono::seconds kPolicyCacheTtl{5};

 private:
  std::vector<Policy> PoliciesOf(const std::string& email) const;

  struct Cached {
    std::vector<Policy> policies;
    std::chrono::steady_clock::time_point expires;
  };
  RecordStore& store_;
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Cached> cache_;  // by email
};

}  // namespace dcc::server
