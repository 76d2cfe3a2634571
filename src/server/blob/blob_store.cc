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

Result<std::string> ReadWholeBlob(BlobStore& blobs, const std::string& key) {
  DCC_ASSIGN_OR_RETURN(auto r, blobs.Open(key, 0, UINT64_MAX));
  std::string out(r->length(), '\0');
  size_t got = 0;
  while (got < out.size()) {
    DCC_ASSIGN_OR_RETURN(size_t n, r->Read(out.data() + got, out.size() - got));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return out;
}

}  // namespace dcc::server
