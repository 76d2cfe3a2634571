#include "cli/helper_io.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <thread>

#include "cli/exit_codes.h"

namespace dcc::cli {

Result<std::vector<std::string>> ReadIds(const std::string& infile, const std::vector<std::string>& ids) {
  std::vector<std::string> all;
  if (!infile.empty()) {
    std::ifstream in(infile);
    if (!in) {
      if (errno == ENOENT) return Status::NotFound("no such file", infile);
      return Status::IOError(std::strerror(errno), infile);
    }
    std::string line;
    while (std::getline(in, line)) {
      size_t b = line.find_first_not_of(" \t\r");
      if (b == std::string::npos || line[b] == '#') continue;
      size_t e = line.find_last_not_of(" \t\r");
      all.push_back(line.substr(b, e - b + 1));
    }
    if (in.bad()) return Status::IOError("read failed", infile);
  }
  all.insert(all.end(), ids.begin(), ids.end());
  if (all.empty()) return Status::InvalidArgument("no identifiers: give them as arguments or with -i FILE");
  return all;
}

HelperSetup SetUpHelper(const std::string& command, const ConnectionFlags& flags, const std::string& infile,
                        const std::vector<std::string>& ids, bool ids_needed, std::ostream& err) {
  HelperSetup setup;
  auto fail = [&](const Status& s) {
    err << "dcc " << command << ": " << s.ToString() << "\n";
    setup.rc = ExitCodeFor(s);
    return std::move(setup);
  };
  if (ids_needed) {
    auto read = ReadIds(infile, ids);
    if (!read.ok()) return fail(read.status());
    setup.ids = std::move(*read);
  }
  auto c = Connect(flags);
  if (!c.ok()) return fail(c.status());
  setup.connection = std::move(*c);
  return setup;
}

std::vector<Result<nlohmann::json>> FetchAll(Client& client, const ClientOptions& options,
                                             const std::vector<std::string>& ids, int jobs) {
  std::vector<Result<nlohmann::json>> got(ids.size(), Status::Internal("not fetched"));
  std::atomic<size_t> next{0};
  auto work = [&](Client& c) {
    for (size_t i = next.fetch_add(1); i < ids.size(); i = next.fetch_add(1)) got[i] = c.Get({ids[i]}, GetOptions{});
  };
  std::vector<std::thread> threads;
  const int extra = std::max(0, std::min<int>(jobs, static_cast<int>(ids.size())) - 1);
  for (int t = 0; t < extra; ++t) {
    threads.emplace_back([&] {
      auto own = Client::Open(options);
      if (own.ok()) work(**own);  // if it cannot open, the other workers take its share
    });
  }
  work(client);
  for (auto& t : threads) t.join();
  return got;
}

int WithOutput(const std::string& outfile, std::ostream& out, std::ostream& err, const std::string& command,
               const std::function<int(std::ostream&)>& body) {
  if (outfile.empty()) return body(out);
  const std::string tmp = outfile + ".tmp" + std::to_string(::getpid());
  int rc;
  {
    std::ofstream file(tmp, std::ios::trunc);
    if (!file) {
      err << "dcc " << command << ": " << outfile << ": " << std::strerror(errno) << "\n";
      return kExitIOError;
    }
    rc = body(file);
    file.flush();
    if ((rc == kExitOk || rc == kExitNotFound) && !file) {
      err << "dcc " << command << ": " << outfile << ": write failed\n";
      rc = kExitIOError;
    }
  }
  if (rc != kExitOk && rc != kExitNotFound) {
    std::remove(tmp.c_str());
    return rc;
  }
  if (std::rename(tmp.c_str(), outfile.c_str()) != 0) {
    err << "dcc " << command << ": " << outfile << ": " << std::strerror(errno) << "\n";
    std::remove(tmp.c_str());
    return kExitIOError;
  }
  return rc;
}

void PrintRows(std::ostream& out, const std::string& format, const std::vector<std::string>& columns,
               const std::vector<nlohmann::json>& rows) {
  if (format == "json") {
    out << nlohmann::json(rows).dump(2) << "\n";
    return;
  }
  for (const auto& row : rows) {
    bool first = true;
    auto cell = [&](const nlohmann::json& v) {
      out << (first ? "" : "\t") << (v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump());
      first = false;
    };
    for (const auto& c : columns) {
      const nlohmann::json v = row.contains(c) ? row[c] : nlohmann::json();
      if (v.is_array()) {
        for (const auto& item : v) cell(item);
      } else {
        cell(v);
      }
    }
    out << "\n";
  }
}

}  // namespace dcc::cli
