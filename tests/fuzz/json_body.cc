// Fuzz target: request JSON bodies, through the function the portal API parses them
// with (server/api/json_body ParseJsonBody: the depth, number and budget limits), delivered in pieces as the listener streams them.
#include "fuzz/fuzz_target.h"
#include "server/api/json_body.h"

DCC_FUZZ_TARGET(json_body) {
  dcc::server::HttpRequest req;
  req.method = "POST";
  req.path = "/biosample";
  req.stream_body = [&](const dcc::server::BodySink& sink) {
    for (size_t at = 0; at < size; at += 4096)
      if (!sink(reinterpret_cast<const char*>(data + at), std::min<size_t>(4096, size - at)))
        return false;
    return true;
  };
  auto body = dcc::server::ParseJsonBody(req);
  if (body.ok()) (void)body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
