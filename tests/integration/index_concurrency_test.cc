// The file index under concurrent writers and readers against a real dccd: bulk upserts
// racing each other and a keyset walk; the running /_stats totals must equal what was
// written, a keyset walk must never return a did twice or out of order, and racing
// PUTs of one record with the same rev leave exactly one winner.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/dccd_harness.h"

namespace dcc::testing {
namespace {
using nlohmann::json;

class IndexConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("dcc-index-concurrency");
    harness_ = std::make_unique<DccdHarness>(HarnessOptions{DCCD_PATH, DCC_PROFILES_DIR, dir_, false, {}});
    harness_->Setup();
    harness_->Start();
  }
  void TearDown() override {
    harness_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<httplib::Client> Admin() {
    auto c = harness_->Client();
    const auto& cred = harness_->credentials().at("admin");
    c->set_basic_auth(cred.id.c_str(), cred.secret.c_str());
    return c;
  }
  static std::string Did(int writer, int i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%08x-0000-4000-8000-%012x", writer * 7919 + i * 104729, i);
    return buf;
  }
  std::filesystem::path dir_;
  std::unique_ptr<DccdHarness> harness_;
};

TEST_F(IndexConcurrencyTest, RacingBulkWritersKeepStatsAndKeysetWalksExact) {
  constexpr int kWriters = 4, kBatches = 5, kPerBatch = 200;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};
  std::mutex mu;
  std::vector<std::string> problems;
  auto problem = [&](const std::string& what) {
    std::lock_guard lock(mu);
    problems.push_back(what);
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto c = Admin();
      for (int b = 0; b < kBatches; ++b) {
        json batch = json::array();
        for (int i = 0; i < kPerBatch; ++i) {
          int n = b * kPerBatch + i;
          batch.push_back({{"did", Did(w, n)}, {"form", "object"}, {"size", n},
                           {"hashes", {{"md5", std::string(32, "0123456789abcdef"[w])}}}, {"urls", json::array()}});
        }
        auto res = c->Post("/bulk/index", batch.dump(), "application/json");
        if (!res || res->status != 200) {
          ++failures;
          problem("bulk: " + (res ? std::to_string(res->status) + " " + res->body.substr(0, 200) : "no response"));
        }
      }
    });
  }
  std::thread reader([&] {
    auto c = harness_->Client();
    while (writing) {
      std::string start, last;
      while (true) {
        auto res = c->Get(("/index/?limit=128&start=" + start).c_str());
        if (!res || res->status != 200) {
          problem("page: " + (res ? std::to_string(res->status) : "no response"));
          return;
        }
        json page = json::parse(res->body);
        for (const auto& r : page["records"]) {
          std::string did = r["did"];
          if (!last.empty() && did <= last) problem("keyset walk went back: " + last + " then " + did);
          last = did;
        }
        if (page["records"].size() < 128) break;
        start = last;
      }
    }
  });
  for (auto& t : threads) t.join();
  writing = false;
  reader.join();
  ASSERT_TRUE(problems.empty()) << problems.front();
  EXPECT_EQ(failures.load(), 0);

  auto c = harness_->Client();
  auto stats = c->Get("/_stats");
  ASSERT_TRUE(stats && stats->status == 200);
  json s = json::parse(stats->body);
  const int64_t per_writer = kBatches * kPerBatch;
  EXPECT_EQ(s["fileCount"], kWriters * per_writer);
  EXPECT_EQ(s["totalFileSize"], kWriters * (per_writer * (per_writer - 1) / 2));
  auto all = c->Get("/bulk/export");
  ASSERT_TRUE(all && all->status == 200);
  EXPECT_EQ(std::count(all->body.begin(), all->body.end(), '\n'), kWriters * per_writer);
}

TEST_F(IndexConcurrencyTest, RacingPutsWithOneRevLeaveOneWinner) {
  auto admin = Admin();
  auto created = admin->Post("/index/",
                             R"({"did": "00000000-0000-4000-8000-000000000001", "form": "object", "size": 1,
                                 "hashes": {"md5": "0cc175b9c0f1b6a831c399e269772661"}, "urls": []})",
                             "application/json");
  ASSERT_TRUE(created && created->status == 200);
  const std::string rev = json::parse(created->body)["rev"];
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto c = Admin();
      auto res = c->Put(("/index/00000000-0000-4000-8000-000000000001?rev=" + rev).c_str(),
                        json{{"file_name", "winner-" + std::to_string(i)}}.dump(), "application/json");
      if (res && res->status == 200) ++ok;
      else if (res && res->status == 409) ++conflict;
      else ++other;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace dcc::testing
