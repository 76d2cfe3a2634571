#include "server/http/body_budget.h"

#include <atomic>
#include <string>

namespace dcc::server {

namespace {
std::atomic<size_t> g_limit{BodyBudget::kDefaultBytes};
std::atomic<size_t> g_held{0};

std::string Mib(size_t bytes) { return std::to_string(bytes >> 20) + " MiB"; }
}  // namespace

void BodyBudget::SetLimit(size_t bytes) { g_limit = bytes == 0 ? kDefaultBytes : bytes; }
size_t BodyBudget::limit() { return g_limit.load(); }
size_t BodyBudget::held() { return g_held.load(); }

Status BodyBudget::Charge(size_t bytes, size_t total_for_request) {
  const size_t limit = g_limit.load();
  if (total_for_request > limit) {
    return Status::TooLarge(
        "the request body and the document parsed from it would hold more than the server's " +
        Mib(limit) + " budget for request bodies (--body-budget-mib)");
  }
  size_t held = g_held.load();
  do {
    if (held + bytes > limit) {
      return Status::Unavailable("the server holds too many request bodies at the moment (" +
                                 Mib(limit) + " budget); retry shortly");
    }
  } while (!g_held.compare_exchange_weak(held, held + bytes));
  return Status::Ok();
}

void BodyBudget::Release(size_t bytes) {
  if (bytes) g_held.fetch_sub(bytes);
}

}  // namespace dcc::server
