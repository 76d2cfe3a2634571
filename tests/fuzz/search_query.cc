// Fuzz target: the /search/ query string (server/services/search_service): type, limit,
// from, sort, field, frame and field filters, against the real profiles and an empty store.
#include "fuzz/fuzz_target.h"
#include "fuzz/store_fixture.h"

DCC_FUZZ_TARGET(search_query) {
  auto& f = dcc::fuzz::StoreFixture::Get();
  auto params = dcc::fuzz::SplitQuery(std::string(reinterpret_cast<const char*>(data), size));
  (void)f.search->Search(dcc::server::Caller{}, params, "/search/");
  return 0;
}
