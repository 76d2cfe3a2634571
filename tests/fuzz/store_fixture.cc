// tests/fuzz/store_fixture.cc
#include "fuzz/store_fixture.h"

#include <cstdio>
#include <cstdlib>

#include "fuzz/fuzz_target.h"

namespace dcc::fuzz {

StoreFixture& StoreFixture::Get() {
  static StoreFixture* fixture = [] {
    auto die = [](const Status& s) {
      std::fprintf(stderr, "store fixture: %s\n", s.ToString().c_str());
      std::abort();
    };
    auto f = new StoreFixture();
    auto profiles = schema::ProfileSet::Load({SourceDir() + "/profiles"});
    if (!profiles.ok()) die(profiles.status());
    auto store = server::OpenSqliteRecordStore(ScratchDir() + "/dcc.db");
    if (!store.ok()) die(store.status());
    f->store = std::move(*store);
    f->index = std::make_unique<server::SearchIndex>();
    f->records = std::make_unique<server::RecordService>(*f->store, *f->index, *profiles,
                                                         server::RecordsOptions{});
    f->search = std::make_unique<server::SearchService>(*f->records);
    f->authz = std::make_unique<server::Authorizer>(*f->store);
    f->metadata = std::make_unique<server::MetadataService>(*f->store, *f->authz);
    return f;
  }();
  return *fixture;
}

}  // namespace dcc::fuzz
