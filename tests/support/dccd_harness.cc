#include "support/dccd_harness.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

namespace dcc::testing {
namespace fs = std::filesystem;

namespace {

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

[[noreturn]] void Die(const std::string& what) {
  std::cerr << what << "\n";
  std::exit(2);
}

}  // namespace

std::string RunOrDie(const std::vector<std::string>& argv) {
  int out[2];
  if (pipe(out) != 0) Die("pipe failed");
  fs::path err_file = fs::temp_directory_path() / ("dcc-test-stderr-" + std::to_string(getpid()));
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], 1);
    int err = open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(err, 2);
    close(out[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(out[1]);
  std::string output;
  char buf[4096];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof buf)) > 0) output.append(buf, n);
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::string err_text = ReadFile(err_file);
  fs::remove(err_file);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += " " + a;
    Die("setup command failed:" + cmd + "\n" + output + err_text);
  }
  return output;
}

fs::path MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) Die("mkdtemp failed");
  return fs::path(tmpl);
}

DccdHarness::DccdHarness(HarnessOptions options) : o_(std::move(options)) {}
DccdHarness::~DccdHarness() { Kill(SIGTERM); }

void DccdHarness::Setup() {
  if (o_.tls) {
    RunOrDie({"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
              "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
              (o_.dir / "key.pem").string(), "-out", (o_.dir / "cert.pem").string()});
  }
  auto admin = [&](std::vector<std::string> extra) { return Admin(std::move(extra)); };
  admin({"init"});
  admin({"add-user", "--email", "admin@dcc.test", "--admin"});
  admin({"add-user", "--email", "alice@lab-a.test", "--lab", "lab-a"});
  admin({"add-user", "--email", "bob@lab-b.test", "--lab", "lab-b"});
  for (const auto& [who, email] : std::map<std::string, std::string>{
           {"admin", "admin@dcc.test"}, {"alice", "alice@lab-a.test"}, {"bob", "bob@lab-b.test"}}) {
    auto key = nlohmann::json::parse(admin({"add-key", "--email", email}));
    creds_[who] = {key["access_key_id"], key["secret_access_key"]};
  }
  // A known key id with a wrong secret, and a key id nobody has.
  creds_["wrongsecret"] = {creds_["alice"].id, "aaaaaaaaaaaaaaaa"};
  creds_["unknownkey"] = {"ZZZZZZZZ", "aaaaaaaaaaaaaaaa"};
}

std::string DccdHarness::Admin(std::vector<std::string> args) const {
  std::vector<std::string> argv = {o_.dccd, "admin"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.insert(argv.end(), {"--data-dir", (o_.dir / "data").string(), "--no-default-profiles", "--profiles",
                           o_.profiles});
  return RunOrDie(argv);
}

void DccdHarness::Start() {
  fs::path port_file = o_.dir / "port";
  fs::remove(port_file);
  pid_ = fork();
  if (pid_ == 0) {
    int log = open((o_.dir / "dccd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(log, 1);
    dup2(log, 2);
    std::vector<std::string> argv = {o_.dccd, "serve", "--data-dir", (o_.dir / "data").string(),
                                     "--no-default-profiles", "--profiles", o_.profiles,
                                     "--listen", "127.0.0.1:0", "--port-file", port_file.string()};
    argv.insert(argv.end(), o_.serve_args.begin(), o_.serve_args.end());
    if (o_.tls) {
      argv.insert(argv.end(), {"--tls-cert", (o_.dir / "cert.pem").string(), "--tls-key",
                               (o_.dir / "key.pem").string()});
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  for (int i = 0; i < 300; ++i) {
    std::ifstream in(port_file);
    if (in >> port_) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Die("dccd did not start; its log:\n" + LogTail());
}

void DccdHarness::Kill(int sig) {
  if (pid_ <= 0) return;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string DccdHarness::FullLog() const { return ReadFile(o_.dir / "dccd.log"); }

std::string DccdHarness::LogTail() const {
  std::string s = FullLog();
  return s.size() > 4000 ? s.substr(s.size() - 4000) : s;
}

std::unique_ptr<httplib::Client> DccdHarness::Client() const {
  std::unique_ptr<httplib::Client> c;
  if (o_.tls) {
    c = std::make_unique<httplib::Client>("https://127.0.0.1:" + std::to_string(port_));
    c->set_ca_cert_path((o_.dir / "cert.pem").c_str());
    c->enable_server_certificate_verification(true);
  } else {
    c = std::make_unique<httplib::Client>("127.0.0.1", port_);
  }
  c->set_read_timeout(30, 0);
  return c;
}

}  // namespace dcc::testing
