// src/client/submission_log.h: the reference client's three log files (encode.md §1.2),
// per portal host, appended to:
//   <dir>/log_eu_<host>_debug.txt   every write sent (or, in a dry run, that would have
//                                   been sent), its answer, and every error
//   <dir>/log_eu_<host>_error.txt   terse errors only, and "DRY RUN is enabled."
//   <dir>/log_eu_<host>_posted.txt  one line per record created:
//                                   primary alias \t other aliases (comma-joined) \t accession or uuid
// Each line is "<YYYY-MM-DD HH:MM:SS,mmm UTC>:<eu_debug|eu_error|eu_post>:\t<message>", the
// reference's logging format. <host> is the server's host[:port] with every character
// outside [A-Za-z0-9.-] turned into '_', so a URL never breaks the file name (the
// reference's does). Secrets never reach these files: only paths and payloads are logged.
// Thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

#include "dcc/status.h"

namespace dcc::client {

class SubmissionLog {
 public:
  // Creates `dir` if needed and opens the three files. An empty `dir` gives a log that
  // writes nothing. IOError (where = the path) if a file cannot be opened.
  static Result<std::unique_ptr<SubmissionLog>> Open(const std::string& dir, const std::string& base_url);

  void Debug(const std::string& message);
  void Error(const std::string& message);  // also written to the debug log
  // A created record: its aliases (from the answer, else the payload) and accession or uuid.
  void Posted(const nlohmann::json& record);

  // "127.0.0.1_8000" for "http://127.0.0.1:8000/".
  static std::string HostTag(const std::string& base_url);

 private:
  SubmissionLog() = default;
  void Write(int file, const char* logger, const std::string& message);

  std::mutex mu_;
  bool enabled_ = false;
  std::string paths_[3];  // debug, error, posted
};

}  // namespace dcc::client
