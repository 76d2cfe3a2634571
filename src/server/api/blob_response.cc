#include "server/api/blob_response.h"

#include <memory>
#include <vector>

#include "server/http/byte_range.h"

namespace dcc::server {

Result<HttpResponse> BlobResponse(BlobStore& blobs, const std::string& key, uint64_t size,
                                  const std::string& range_header, const std::string& etag) {
  DCC_ASSIGN_OR_RETURN(auto range, ParseByteRange(range_header, size));
  ByteRange r = range ? *range : ByteRange{0, size};
  HttpResponse res;
  res.status = range ? 206 : 200;
  res.content_type = "application/octet-stream";
  if (!etag.empty()) res.headers.emplace("ETag", "\"" + etag + "\"");
  res.headers.emplace("Accept-Ranges", "bytes");
  if (range) {
    res.headers.emplace("Content-Range", "bytes " + std::to_string(r.offset) + "-" +
                                             std::to_string(r.offset + r.length - 1) + "/" +
                                             std::to_string(size));
  }
  DCC_ASSIGN_OR_RETURN(auto reader, blobs.Open(key, r.offset, r.length));
  std::shared_ptr<BlobReader> shared(std::move(reader));
  res.stream_length = r.length;
  res.stream = [shared](const BodySink& sink) {
    std::vector<char> buf(256 << 10);
    while (true) {
      auto n = shared->Read(buf.data(), buf.size());
      if (!n.ok()) return false;
      if (*n == 0) return true;
      if (!sink(buf.data(), *n)) return false;
    }
  };
  return res;
}

}  // namespace dcc::server
