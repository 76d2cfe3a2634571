// Fuzz target: the tus Upload-Metadata header (server/services/tus_service
// UploadMetadataFile): comma-separated "key base64" pairs.
#include "fuzz/fuzz_target.h"
#include "server/services/tus_service.h"

DCC_FUZZ_TARGET(tus_metadata) {
  (void)dcc::server::UploadMetadataFile(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
