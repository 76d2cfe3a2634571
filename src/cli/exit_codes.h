// src/cli/exit_codes.h: what `dcc` exits with, for scripts. Values are never reused.
#pragma once

namespace dcc::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the operation failed (a mismatch, a server error)
inline constexpr int kExitUsage = 2;        // bad flags or arguments
inline constexpr int kExitNotFound = 3;     // a named file or record does not exist
inline constexpr int kExitIOError = 4;      // a local file could not be read or written
inline constexpr int kExitAuth = 5;         // credentials missing, wrong, or not allowed
inline constexpr int kExitUnavailable = 6;  // the server could not be reached (after retries)

}  // namespace dcc::cli
