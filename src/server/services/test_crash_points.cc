#include "server/services/test_crash_points.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace dcc::server {

namespace {
// Set once before serving, read only afterwards.
std::string& Armed() {
  static std::string point;
  return point;
}
}  // namespace

void LoadTestCrashPoint() {
  const char* v = std::getenv("DCC_TEST_CRASH_AT");
  Armed() = v ? v : "";
}

void TestCrashPoint(const char* point) {
  if (!Armed().empty() && Armed() == point) raise(SIGKILL);
}

}  // namespace dcc::server
