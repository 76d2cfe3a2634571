#include "common/time_util.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace dcc {

std::string NowIso8601() {
  auto now = std::chrono::system_clock::now();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

namespace {
std::string FormatUtc(int64_t epoch, const char* format) {
  std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string IsoUtc(int64_t epoch) { return FormatUtc(epoch, "%Y-%m-%dT%H:%M:%SZ"); }
std::string HttpDate(int64_t epoch) { return FormatUtc(epoch, "%a, %d %b %Y %H:%M:%S GMT"); }

}  // namespace dcc
