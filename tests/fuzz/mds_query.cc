// Fuzz target: the GET /mds/metadata filters (server/services/metadata_service
// ParseMetadataFilters) and the store query they compile to, against an empty store.
#include "fuzz/fuzz_target.h"
#include "fuzz/store_fixture.h"

DCC_FUZZ_TARGET(mds_query) {
  auto& f = dcc::fuzz::StoreFixture::Get();
  auto params = dcc::fuzz::SplitQuery(std::string(reinterpret_cast<const char*>(data), size));
  auto filters = dcc::server::ParseMetadataFilters(params);
  if (!filters.ok()) return 0;
  dcc::server::MetadataQuery q;
  q.filters = std::move(*filters);
  q.data = size % 2 == 1;
  (void)f.metadata->Query(std::move(q));
  return 0;
}
