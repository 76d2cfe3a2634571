#include "server/http/request_guard.h"

#include <spdlog/spdlog.h>

#include "common/utf8.h"
#include "server/http/status_map.h"

namespace dcc::server {

Status CheckRequestText(const HttpRequest& req) {
  if (req.path.size() > kMaxPathBytes)
    return Status::TooLarge("the path is longer than " + std::to_string(kMaxPathBytes) + " bytes");
  for (const auto& [key, value] : req.query) {
    if (auto bad = FindInvalidUtf8(key))
      return Status::InvalidArgument("a query parameter name is not UTF-8 (byte " +
                                         std::to_string(bad->offset) + ": " + bad->reason + ")",
                                     "query");
    if (auto bad = FindInvalidUtf8(value))
      return Status::InvalidArgument("the value of query parameter '" + key +
                                         "' is not UTF-8 (byte " + std::to_string(bad->offset) +
                                         ": " + bad->reason + ")",
                                     key);
  }
  return Status::Ok();
}

Status HideInternalDetail(const Status& s, const HttpRequest& req) {
  if (s.ok() || HttpStatusOf(s.code()) < 500 || s.code() == Status::Code::kUnavailable) return s;
  spdlog::error("request {}: {} {}: {}", req.request_id, req.method, req.path, s.ToString());
  return Status::Internal("internal error; see the server log for request " + req.request_id);
}

}  // namespace dcc::server
