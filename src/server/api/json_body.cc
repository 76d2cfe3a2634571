#include "server/api/json_body.h"

namespace dcc::server {
using nlohmann::json;

namespace {

// Thrown from the parser callback to stop at the first refused value; the partial
// document (never deeper than kMaxJsonDepth) is destroyed on the way out.
struct Refused {
  Status status;
};

// nlohmann's what() starts "[json.exception.parse_error.101] "; the rest is the reason.
std::string Reason(const json::exception& e) {
  std::string w = e.what();
  size_t close = w.find("] ");
  return close == std::string::npos ? w : w.substr(close + 2);
}

constexpr size_t kChargeEvery = 1024;  // values between charges to the budget

}  // namespace

Result<json> ParseUntrustedJson(const std::string& text, const std::string& what,
                                HttpRequest* req) {
  size_t pending = 0;
  json::parser_callback_t check = [&](int depth, json::parse_event_t event, json&) {
    if (event == json::parse_event_t::object_start || event == json::parse_event_t::array_start) {
      if (depth >= kMaxJsonDepth) {
        throw Refused{Status::InvalidArgument(what + " nests arrays and objects deeper than " +
                                              std::to_string(kMaxJsonDepth) + " levels")};
      }
    }
    if (event == json::parse_event_t::object_end || event == json::parse_event_t::array_end)
      return true;
    if (req && ++pending == kChargeEvery) {
      pending = 0;
      Status charged = req->budget.Add(kChargeEvery * kDomBytesPerValue);
      if (!charged.ok()) throw Refused{std::move(charged)};
    }
    return true;
  };
  try {
    json doc = json::parse(text, check, /*allow_exceptions=*/true);
    if (req && pending) {
      Status charged = req->budget.Add(pending * kDomBytesPerValue);
      if (!charged.ok()) return charged;
    }
    return doc;
  } catch (Refused& r) {
    return std::move(r.status);
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument(what + " is not valid JSON: " + Reason(e),
                                   "byte " + std::to_string(e.byte));
  } catch (const json::exception& e) {  // out_of_range 406: a number beyond a double (1e400)
    return Status::InvalidArgument(what + " is not acceptable JSON: " + Reason(e));
  }
}

Result<json> ParseJsonBody(HttpRequest& req) {
  DCC_ASSIGN_OR_RETURN(const std::string* body, req.Body());
  if (body->find_first_not_of(" \t\r\n") == std::string::npos)
    return Status::InvalidArgument("the request body is empty; send JSON");
  return ParseUntrustedJson(*body, "the request body", &req);
}

}  // namespace dcc::server
