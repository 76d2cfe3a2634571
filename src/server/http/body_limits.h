// src/server/http/body_limits.h: how large a request body each class of route accepts.
// Every route names its class (router.h); the router puts the class's size on the
// request before the handler runs, and HttpRequest::Body refuses more (413). A caller
// whose credentials have not been verified never gets more than `anonymous`, whatever
// the route: the handler authenticates first, then reads the body.
#pragma once

#include <algorithm>
#include <cstddef>

namespace dcc::server {

enum class BodyClass {
  kToken,   // credential exchange (POST .../access_token): a key is a few hundred bytes
  kWrite,   // ordinary JSON writes, and any route that names no class
  kBulk,    // many records or ids in one request (/bulk/index, MDS batch create)
  kRecord,  // a record write, which may carry data-URI attachments (ENCODE POST/PATCH/PUT, MDS
            // entries)
  kStream,  // bytes streamed by the handler (S3 PutObject, tus PATCH): no limit on the
            // stream; Body() on such a route still gets only kWrite
};

// The sizes (bytes). `record` is --max-body-mib and bounds every other class.
struct BodyLimits {
  size_t token = size_t{8} << 10;
  size_t write = size_t{2} << 20;
  size_t bulk = size_t{16} << 20;
  size_t record = size_t{64} << 20;
  size_t anonymous = size_t{1} << 20;

  size_t For(BodyClass c) const {
    switch (c) {
      case BodyClass::kToken:
        return std::min(token, record);
      case BodyClass::kBulk:
        return std::min(bulk, record);
      case BodyClass::kRecord:
        return record;
      case BodyClass::kWrite:
      case BodyClass::kStream:
        break;
    }
    return std::min(write, record);
  }
  size_t Anonymous() const { return std::min(anonymous, record); }
};

}  // namespace dcc::server
