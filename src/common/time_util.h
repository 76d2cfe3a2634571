// src/common/time_util.h: wall-clock timestamps in the formats the wire uses.
#pragma once

#include <string>

namespace dcc {

// Now as ISO-8601 UTC with microseconds and offset, e.g. "2026-11-21T20:50:19.123456+00:00"
// (the shape the reference portal gives date_created).
std::string NowIso8601();

}  // namespace dcc
