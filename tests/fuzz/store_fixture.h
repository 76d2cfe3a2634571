// tests/fuzz/store_fixture.h: the services a query-string target runs against: the
// source tree's profiles and an empty SQLite store in the scratch directory, built once
// per process, as dccd builds them (server/main.cc OpenCore).
#pragma once

#include <memory>

#include "server/auth/authorizer.h"
#include "server/services/metadata_service.h"
#include "server/services/search_index.h"
#include "server/services/search_service.h"

namespace dcc::fuzz {

struct StoreFixture {
  std::unique_ptr<server::RecordStore> store;
  std::unique_ptr<server::SearchIndex> index;
  std::unique_ptr<server::RecordService> records;
  std::unique_ptr<server::SearchService> search;
  std::unique_ptr<server::Authorizer> authz;
  std::unique_ptr<server::MetadataService> metadata;
  static StoreFixture& Get();
};

}  // namespace dcc::fuzz
