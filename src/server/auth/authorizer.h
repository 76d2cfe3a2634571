// src/server/auth/authorizer.h: what a caller may do to things guarded by resource paths
// (the Gen3 `authz` model: "/programs/p/projects/q", "/open"). The index, DRS, metadata
// and fence-style data endpoints ask it; the portal records keep their lab-based rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "server/auth/authenticator.h"
#include "server/store/record_store.h"

namespace dcc::server {

// Thread-safe.
class Authorizer {
 public:
  explicit Authorizer(RecordStore& store) : store_(store) {}

  // True if `caller` may do `method` ("read", "create", "update", "delete",
  // "file_upload") on every one of `resources`. A policy granted on a path covers the
  // paths below it. Admins may do everything. Anyone may "read" "/open". An empty
  // resource list is the admins' alone for writes and open for reads, as in indexd.
  bool Allowed(const Caller& caller, std::string_view method,
               const std::vector<std::string>& resources) const;

 private:
  RecordStore& store_;
};

}  // namespace dcc::server
