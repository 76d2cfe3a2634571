// tests/support/dccd_harness.h: a real dccd for tests. Makes a temp data dir with three
// users and access keys (admin; alice, who submits for lab-a; bob, for lab-b), starts
// `dccd serve` on 127.0.0.1 with an ephemeral port, and stops it on destruction.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <httplib.h>

namespace dcc::testing {

struct Credentials {
  std::string id;
  std::string secret;
};

struct HarnessOptions {
  std::string dccd;                     // path of the dccd binary
  std::string profiles;                 // profile directory
  std::filesystem::path dir;            // temp dir (data/, dccd.log, port, certificates)
  bool tls = false;                     // serve HTTPS with a fresh self-signed certificate
  std::vector<std::string> serve_args;  // extra `dccd serve` flags
};

class DccdHarness {
 public:
  explicit DccdHarness(HarnessOptions options);
  ~DccdHarness();

  // Initialises the data dir and users; exits the process with a message on failure.
  void Setup();
  // Runs `dccd admin <args> --data-dir <data dir> ...` and returns its stdout; exits
  // the process with a message on failure. Works while dccd runs (SQLite WAL).
  std::string Admin(std::vector<std::string> args) const;
  void Start();
  void Kill(int sig);
  std::unique_ptr<httplib::Client> Client() const;

  const std::map<std::string, Credentials>& credentials() const { return creds_; }
  std::string FullLog() const;
  std::string LogTail() const;
  int port() const { return port_; }
  const HarnessOptions& options() const { return o_; }

 private:
  HarnessOptions o_;
  std::map<std::string, Credentials> creds_;
  pid_t pid_ = -1;
  int port_ = 0;
};

// Runs a command and returns its stdout; exits the process, printing stderr, on failure.
std::string RunOrDie(const std::vector<std::string>& argv);

// A new temp directory under /tmp.
std::filesystem::path MakeTempDir(const std::string& prefix);

}  // namespace dcc::testing
