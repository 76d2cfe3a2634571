// Defaults for the optional BlobStore calls: a store without capabilities().ranged_staging
// refuses them, so a caller that skipped the capability check fails loudly.
#include "server/blob/blob_store.h"

namespace dcc::server {
namespace {
Status NoRangedStaging(const char* call) {
  return Status::Internal(std::string(call) + ": this blob store has no ranged staging (check capabilities())");
}
}  // namespace

Result<std::unique_ptr<BlobRangeWriter>> BlobStore::StageRange(const std::string&, uint64_t, bool) {
  return NoRangedStaging("StageRange");
}
Result<std::unique_ptr<BlobReader>> BlobStore::OpenStaged(const std::string&, uint64_t, uint64_t) {
  return NoRangedStaging("OpenStaged");
}
Status BlobStore::TruncateStaged(const std::string&, uint64_t) { return NoRangedStaging("TruncateStaged"); }
Status BlobStore::RemoveStaged(const std::string&) { return NoRangedStaging("RemoveStaged"); }

}  // namespace dcc::server
