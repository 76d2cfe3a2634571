// Fuzz target: the GET /index/ filters (server/api/indexd/wire ParseIndexQuery) and the
// SQL they compile to (server/store/object_query). The input is the query string.
#include "fuzz/fuzz_target.h"
#include "server/api/indexd/wire.h"
#include "server/store/object_query.h"

DCC_FUZZ_TARGET(index_query) {
  dcc::server::HttpRequest req;
  req.method = "GET";
  req.path = "/index/";
  req.query = dcc::fuzz::SplitQuery(std::string(reinterpret_cast<const char*>(data), size));
  nlohmann::json echo = nlohmann::json::object();
  auto q = dcc::server::indexd::ParseIndexQuery(req, echo);
  if (q.ok()) {
    dcc::server::SqlQuery sql = dcc::server::BuildObjectQuery(*q);
    if (sql.sql.empty()) __builtin_trap();
  }
  (void)echo.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
