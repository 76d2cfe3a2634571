// Fuzz target: the S3 XML a client sends (server/api/s3/wire): the
// CompleteMultipartUpload part list.
#include "fuzz/fuzz_target.h"
#include "server/api/s3/wire.h"

DCC_FUZZ_TARGET(s3_xml) {
  (void)dcc::server::s3::ParseCompleteParts(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
