#include "conformance/blob_store_conformance.h"

namespace dcc::server {
namespace {

std::unique_ptr<BlobStore> MakeLocal(const std::filesystem::path& dir) {
  auto store = OpenLocalBlobStore(dir.string());
  return store.ok() ? std::move(store).value() : nullptr;
}

INSTANTIATE_TEST_SUITE_P(Local, BlobStoreConformance, ::testing::Values(MakeLocal));

}  // namespace
}  // namespace dcc::server
