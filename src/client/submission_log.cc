#include "client/submission_log.h"

#include <sys/time.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace dcc::client {
namespace {

enum { kDebug = 0, kError = 1, kPosted = 2 };

// Python logging's asctime ("2026-11-21 23:10:05,123"), in UTC.
std::string AscTime() {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  std::tm tm{};
  gmtime_r(&tv.tv_sec, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ",%03d", static_cast<int>(tv.tv_usec / 1000));
  return buf;
}

}  // namespace

std::string SubmissionLog::HostTag(const std::string& base_url) {
  std::string host = base_url;
  if (auto p = host.find("://"); p != std::string::npos) host = host.substr(p + 3);
  host = host.substr(0, host.find('/'));
  if (auto at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);  // never user:password
  for (auto& ch : host)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '.' && ch != '-') ch = '_';
  return host.empty() ? "unknown" : host;
}

Result<std::unique_ptr<SubmissionLog>> SubmissionLog::Open(const std::string& dir, const std::string& base_url) {
  std::unique_ptr<SubmissionLog> log(new SubmissionLog());
  if (dir.empty()) return log;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError("cannot create the log directory: " + ec.message(), dir);
  const std::string stem = dir + "/log_eu_" + HostTag(base_url) + "_";
  const char* tags[3] = {"debug", "error", "posted"};
  for (int i = 0; i < 3; ++i) {
    log->paths_[i] = stem + tags[i] + ".txt";
    std::ofstream probe(log->paths_[i], std::ios::app);
    if (!probe) return Status::IOError(std::string("cannot open the log file: ") + std::strerror(errno), log->paths_[i]);
  }
  log->enabled_ = true;
  return log;
}

void SubmissionLog::Write(int file, const char* logger, const std::string& message) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  // Opened per line: a log line is rare next to the request it describes, and an
  // interrupted run keeps every line already written.
  std::ofstream out(paths_[file], std::ios::app);
  out << AscTime() << ":" << logger << ":\t" << message << "\n";
}

void SubmissionLog::Debug(const std::string& message) { Write(kDebug, "eu_debug", message); }

void SubmissionLog::Error(const std::string& message) {
  Write(kError, "eu_error", message);
  Write(kDebug, "eu_error", message);
}

void SubmissionLog::Posted(const nlohmann::json& record) {
  std::string primary = "N/A", others;
  if (record.contains("aliases") && record["aliases"].is_array() && !record["aliases"].empty()) {
    primary = record["aliases"][0].get<std::string>();
    for (size_t i = 1; i < record["aliases"].size(); ++i)
      others += (others.empty() ? "" : ",") + record["aliases"][i].get<std::string>();
  }
  std::string id = record.value("accession", record.value("uuid", ""));
  Write(kPosted, "eu_post", primary + "\t" + others + "\t" + id);
}

}  // namespace dcc::client
