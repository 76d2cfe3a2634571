// src/common/time_util.h: wall-clock timestamps in the formats the wire uses.
#pragma once

#include <cstdint>
#include <string>

namespace dcc {


// `epoch` (seconds) as ISO-8601 UTC to the second, e.g. "2026-11-23T09:43:37Z".
std::string IsoUtc(int64_t epoch);
// `epoch` (seconds) as an HTTP date (RFC 9110), e.g. "Wed, 25 Jun 2014 16:00:00 GMT".
std::string HttpDate(int64_t epoch);

// Now as ISO-8601 UTC with microseconds and offset, e.g. "2026-11-21T20:50:19.123456+00:00"
// (the shape the reference portal gives date_created).
std::string NowIso8601();

}  // namespace dcc
