// dcc_spec_runner: runs one tests/spec/**/*.test file against a real dccd.
//
// It makes a temp data dir, adds three users with keys (admin; alice, who submits for
// lab-a; bob, for lab-b), starts `dccd serve` on 127.0.0.1 with an ephemeral port, then
// runs the file's cases in order. The format is described in tests/spec/README.md.
// Exit 0 when every case passes; otherwise the first failure is printed with its line.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <algorithm>
#include <chrono>
#include <thread>
#include <sodium.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "support/dccd_harness.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Options {
  std::string dccd;
  std::string profiles;
  std::string spec;
};

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r");
  size_t e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream ss(s);
  std::vector<std::string> out;
  std::string w;
  while (ss >> w) out.push_back(w);
  return out;
}

class SpecRun {
 public:
  SpecRun(Options o, fs::path dir) : o_(std::move(o)), dir_(std::move(dir)) {}

  int Run() {
    std::ifstream in(o_.spec);
    if (!in) {
      std::cerr << "cannot read " << o_.spec << "\n";
      return 2;
    }
    std::string line;
    while (std::getline(in, line)) {
      // `include FILE` splices a fixture file (relative to this spec) in place.
      if (Trim(line).rfind("include ", 0) == 0) {
        fs::path inc = fs::path(o_.spec).parent_path() / Trim(Trim(line).substr(8));
        std::ifstream fin(inc);
        if (!fin) {
          std::cerr << o_.spec << ": cannot include " << inc << "\n";
          return 2;
        }
        std::string l2;
        while (std::getline(fin, l2)) lines_.push_back(l2);
        continue;
      }
      lines_.push_back(line);
    }
    bool tls = false;
    std::vector<std::string> serve_args;
    for (const auto& l : lines_) {
      if (Trim(l) == "# tls: on") tls = true;
      if (Trim(l).rfind("# serve-args:", 0) == 0) {
        std::istringstream ss(Trim(l).substr(13));
        std::string a;
        while (ss >> a) serve_args.push_back(a);
      }
    }
    server_ = std::make_unique<dcc::testing::DccdHarness>(
        dcc::testing::HarnessOptions{o_.dccd, o_.profiles, dir_, tls, serve_args});
    server_->Setup();
    // `# admin: ARGS` runs `dccd admin ARGS` on the data dir before dccd starts.
    for (const auto& l : lines_) {
      if (Trim(l).rfind("# admin:", 0) == 0) server_->Admin(Words(Trim(l).substr(8)));
    }
    creds_ = server_->credentials();
    server_->Start();
    client_ = server_->Client();
    size_t i = 0;
    int cases = 0;
    while (i < lines_.size()) {
      std::string l = Trim(lines_[i]);
      if (l.empty() || l[0] == '#') {
        ++i;
        continue;
      }
      if (l.rfind("sleep ", 0) == 0) {  // sleep SECONDS (expiry tests only)
        std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<int>(std::stod(l.substr(6)) * 1000)));
        ++i;
        continue;
      }
      // set NAME [VALUE]: ${NAME} is VALUE from here on (empty without one)
      if (l.rfind("set ", 0) == 0) {
        std::string rest = Trim(l.substr(4));
        size_t sp = rest.find(' ');
        vars_[rest.substr(0, sp)] =
            sp == std::string::npos ? std::string() : Trim(rest.substr(sp + 1));
        ++i;
        continue;
      }
      if (l.rfind("admin ", 0) == 0) {  // admin ARGS: `dccd admin ARGS` while dccd runs
        server_->Admin(Words(Substitute(l.substr(6))));
        ++i;
        continue;
      }
      if (l == "restart") {
        // SIGKILL, not a clean stop: acknowledged writes must survive a crash.
        server_->Kill(SIGKILL);
        server_->Start();
        client_ = server_->Client();
        ++i;
        continue;
      }
      if (!RunCase(i)) {
        std::cerr << "\ndccd log (tail):\n" << server_->LogTail();
        std::cout << cases << " passed, 1 failed\n";
        return 1;
      }
      ++cases;
    }
    // Secrets, key ids paired with secrets, and Authorization values never reach the log.
    server_->Kill(SIGTERM);
    const std::string log = server_->FullLog();
    for (const auto& [who, c] : creds_) {
      std::string raw = c.id + ":" + c.secret;
      std::string basic(sodium_base64_ENCODED_LEN(raw.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
      sodium_bin2base64(basic.data(), basic.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                        raw.size(), sodium_base64_VARIANT_ORIGINAL);
      basic.resize(std::strlen(basic.c_str()));
      for (const std::string& secret : {c.secret, basic}) {
        if (log.find(secret) != std::string::npos) {
          std::cerr << o_.spec << ": dccd's log contains " << who << "'s credentials\n";
          std::cout << cases << " passed, 1 failed\n";
          return 1;
        }
      }
    }
    std::cout << cases << " passed, 0 failed\n";
    return 0;
  }

 private:
  std::string Substitute(const std::string& s) const {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
      if (s.compare(i, 2, "${") == 0) {
        size_t end = s.find('}', i);
        std::string name = s.substr(i + 2, end - i - 2);
        bool b64 = name.rfind("b64:", 0) == 0;
        if (b64) name = name.substr(4);
        auto it = vars_.find(name);
        if (it == vars_.end()) {
          std::cerr << "unknown variable ${" << name << "}\n";
          std::exit(2);
        }
        if (b64) {
          const std::string& v = it->second;
          std::string enc(sodium_base64_ENCODED_LEN(v.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
          sodium_bin2base64(enc.data(), enc.size(), reinterpret_cast<const unsigned char*>(v.data()), v.size(),
                            sodium_base64_VARIANT_ORIGINAL);
          out += enc.c_str();
        } else {
          out += it->second;
        }
        i = end + 1;
      } else {
        out += s[i++];
      }
    }
    return out;
  }

  bool Fail(size_t line, const std::string& what, const httplib::Result& res) {
    std::cerr << o_.spec << ":" << line + 1 << ": " << what << "\n";
    if (res) std::cerr << "status " << res->status << ", body: " << res->body.substr(0, 3000) << "\n";
    return false;
  }

  // One case: a request line, optional `with` headers, an optional body, `expect`, then
  // assertions until the next blank line.
  bool RunCase(size_t& i) {
    const size_t start = i;
    std::istringstream req_line(Substitute(Trim(lines_[i])));
    std::string method, path, as_kw, who = "anonymous";
    req_line >> method >> path >> as_kw;
    if (as_kw == "as") req_line >> who;
    // An absolute URL the server handed out (a signed URL) is one of its own paths.
    for (const char* scheme : {"http://", "https://"}) {
      if (path.rfind(scheme, 0) == 0) {
        size_t slash = path.find('/', std::string(scheme).size());
        path = slash == std::string::npos ? "/" : path.substr(slash);
      }
    }
    ++i;
    httplib::Headers headers;
    while (i < lines_.size() && Trim(lines_[i]).rfind("with ", 0) == 0) {
      std::string h = Substitute(Trim(lines_[i]).substr(5));
      auto colon = h.find(':');
      headers.emplace(Trim(h.substr(0, colon)), Trim(h.substr(colon + 1)));
      ++i;
    }
    std::string body;
    while (i < lines_.size() && Trim(lines_[i]).rfind("expect ", 0) != 0) {
      std::string l = Trim(lines_[i]);
      if (l.rfind("raw ", 0) == 0) {
        // `raw TEXT`: exactly TEXT, no newline added.
        const std::string& raw_line = lines_[i];  // untrimmed: trailing spaces are data
        body += Substitute(raw_line.substr(raw_line.find("raw ") + 4));
      } else if (l.rfind("filler ", 0) == 0) {
        // `filler N`: a JSON object body of about N bytes.
        body += "{\"filler\": \"" + std::string(std::stoul(l.substr(7)), 'a') + "\"}";
      } else {
        body += Substitute(lines_[i]) + "\n";
      }
      ++i;
    }
    if (i >= lines_.size()) {
      std::cerr << o_.spec << ":" << start + 1 << ": request without an 'expect' line\n";
      return false;
    }
    int expected = std::stoi(Trim(lines_[i]).substr(7));
    const size_t expect_line = i;
    ++i;
    if (who != "anonymous") {
      auto it = creds_.find(who);
      if (it == creds_.end()) {
        std::cerr << o_.spec << ":" << start + 1 << ": unknown user '" << who << "'\n";
        return false;
      }
      client_->set_basic_auth(it->second.id.c_str(), it->second.secret.c_str());
    } else {
      client_->set_basic_auth("", "");
    }
    bool has_body = Trim(body).size() > 0;
    if (!has_body) body.clear();
    httplib::Result res{nullptr, httplib::Error::Unknown};
    std::string ct = "application/json";
    if (auto it = headers.find("Content-Type"); it != headers.end()) {
      ct = it->second;
      headers.erase(it);
    }
    if (method == "GET") res = client_->Get(path.c_str(), headers);
    else if (method == "HEAD") res = client_->Head(path.c_str(), headers);
    else if (method == "DELETE") res = client_->Delete(path.c_str(), headers);
    else if (method == "OPTIONS") res = client_->Options(path.c_str(), headers);
    else if (method == "POST") res = client_->Post(path.c_str(), headers, body, ct.c_str());
    else if (method == "PATCH") res = client_->Patch(path.c_str(), headers, body, ct.c_str());
    else if (method == "PUT") res = client_->Put(path.c_str(), headers, body, ct.c_str());
    else {
      std::cerr << o_.spec << ":" << start + 1 << ": unknown method " << method << "\n";
      return false;
    }
    if (!res) return Fail(start, "request failed: " + httplib::to_string(res.error()), res);
    if (res->status != expected) {
      return Fail(expect_line, "expected status " + std::to_string(expected) + ", got " +
                                   std::to_string(res->status) + " (" + method + " " + path + ")",
                  res);
    }
    json doc = json::parse(res->body, nullptr, false);
    const std::string content_type = res->get_header_value("Content-Type");
    const bool json_body = content_type.find("json") != std::string::npos &&
                           content_type.find("ndjson") == std::string::npos;
    if (method != "HEAD" && json_body && doc.is_discarded())
      return Fail(expect_line, "response body is not JSON", res);
    while (i < lines_.size() && !Trim(lines_[i]).empty()) {
      std::string a = Substitute(Trim(lines_[i]));
      if (a[0] == '#') {
        ++i;
        continue;
      }
      std::istringstream as(a);
      std::string verb, pointer;
      as >> verb >> pointer;
      std::string rest;
      std::getline(as, rest);
      rest = Trim(rest);
      if (verb == "capture") std::swap(pointer, rest);  // capture NAME POINTER
      const json* at = nullptr;
      if (verb == "body") {  // the raw body equals the rest of the line
        std::string want = pointer + (rest.empty() ? "" : " " + rest);
        if (res->body != want) return Fail(i, "body is '" + res->body.substr(0, 200) + "', expected '" + want + "'", res);
        ++i;
        continue;
      }
      if (verb == "lines") {  // the raw body (NDJSON) has exactly N newline-ended lines
        size_t n = static_cast<size_t>(std::count(res->body.begin(), res->body.end(), '\n'));
        if (n != std::stoul(pointer) || (!res->body.empty() && res->body.back() != '\n'))
          return Fail(i, "body has " + std::to_string(n) + " lines, expected " + pointer, res);
        ++i;
        continue;
      }
      if (verb == "line") {  // line K POINTER VALUE: line K (from 0) of the body is JSON with POINTER == VALUE
        std::istringstream ls(rest);
        std::string ptr_text, value_text;
        ls >> ptr_text;
        std::getline(ls, value_text);
        std::istringstream body_lines(res->body);
        std::string line;
        for (size_t k = 0; k <= std::stoul(pointer) && std::getline(body_lines, line); ++k) {
          if (k < std::stoul(pointer)) line.clear();
        }
        json lj = json::parse(line, nullptr, false);
        json want = json::parse(Trim(value_text), nullptr, false);
        json::json_pointer ptr(ptr_text);
        if (lj.is_discarded() || !lj.contains(ptr) || lj.at(ptr) != want)
          return Fail(i, "line " + pointer + " " + ptr_text + " is not " + Trim(value_text) + ": " + line, res);
        ++i;
        continue;
      }
      if (verb == "capture-header") {  // capture-header NAME Header-Name
        vars_[pointer] = res->get_header_value(rest.c_str());
        if (vars_[pointer].empty()) return Fail(i, "no " + rest + " header to capture", res);
        ++i;
        continue;
      }
      if (verb == "no-header") {
        if (res->has_header(pointer.c_str())) return Fail(i, "header " + pointer + " should be absent", res);
        ++i;
        continue;
      }
      if (verb != "has-header") {
        try {
          json::json_pointer ptr(pointer == "/" ? "" : pointer);
          if (doc.contains(ptr)) at = &doc.at(ptr);
        } catch (const std::exception& e) {
          return Fail(i, std::string("bad pointer: ") + e.what(), res);
        }
      }
      if (verb == "match") {
        json want = json::parse(rest, nullptr, false);
        if (want.is_discarded()) return Fail(i, "match wants a JSON value, got: " + rest, res);
        if (!at || *at != want)
          return Fail(i, pointer + " is " + (at ? at->dump() : "absent") + ", expected " + want.dump(), res);
      } else if (verb == "contains") {
        std::string text = at ? (at->is_string() ? at->get<std::string>() : at->dump()) : "";
        if (!at || text.find(rest) == std::string::npos)
          return Fail(i, pointer + " does not contain '" + rest + "'", res);
      } else if (verb == "exists") {
        if (!at) return Fail(i, pointer + " is absent", res);
      } else if (verb == "absent") {
        if (at) return Fail(i, pointer + " is present: " + at->dump(), res);
      } else if (verb == "count") {
        if (!at || !at->is_array() || at->size() != std::stoul(rest))
          return Fail(i, pointer + " does not have " + rest + " items", res);
      } else if (verb == "capture") {
        if (!at) return Fail(i, pointer + " is absent; cannot capture", res);
        vars_[rest] = at->is_string() ? at->get<std::string>() : at->dump();
      } else if (verb == "has-header") {
        std::string value = res->get_header_value(pointer);
        if (value.find(rest) == std::string::npos)
          return Fail(i, "header " + pointer + " is '" + value + "', expected to contain '" + rest + "'", res);
      } else {
        return Fail(i, "unknown assertion '" + verb + "'", res);
      }
      ++i;
    }
    return true;
  }

  Options o_;
  fs::path dir_;
  std::vector<std::string> lines_;
  std::map<std::string, dcc::testing::Credentials> creds_;
  std::map<std::string, std::string> vars_;
  std::unique_ptr<dcc::testing::DccdHarness> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dccd" && i + 1 < argc) o.dccd = argv[++i];
    else if (a == "--profiles" && i + 1 < argc) o.profiles = argv[++i];
    else o.spec = a;
  }
  if (o.dccd.empty() || o.profiles.empty() || o.spec.empty()) {
    std::cerr << "usage: dcc_spec_runner --dccd PATH --profiles DIR FILE.test\n";
    return 2;
  }
  char tmpl[] = "/tmp/dcc-spec-XXXXXX";
  if (!mkdtemp(tmpl)) return 2;
  fs::path dir(tmpl);
  int rc;
  {
    SpecRun run(o, dir);
    rc = run.Run();
  }
  if (rc == 0) fs::remove_all(dir);
  else std::cerr << "kept " << dir << " for inspection\n";
  return rc;
}
