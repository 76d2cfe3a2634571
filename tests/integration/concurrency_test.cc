// Concurrency against a real dccd: racing writers must leave exactly one winner and no
// partial state. A spec file cannot express these, so they are GoogleTest cases.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/dccd_harness.h"

namespace dcc::testing {
namespace {
using nlohmann::json;

class ConcurrencyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = MakeTempDir("dcc-concurrency");
    harness_ = new DccdHarness({DCCD_PATH, DCC_PROFILES_DIR, dir_, false, {}});
    harness_->Setup();
    harness_->Start();
    auto admin = Client("admin");
    for (const char* body :
         {R"({"name": "lab-a", "title": "Lab A"})", R"({"name": "U01", "project": "ENCODE", "rfa": "ENCODE4", "title": "A"})",
          R"({"name": "human", "scientific_name": "Homo sapiens", "taxon_id": "9606"})"}) {
      std::string type = std::string(body).find("Homo") != std::string::npos ? "/organism"
                         : std::string(body).find("rfa") != std::string::npos ? "/award" : "/lab";
      auto res = admin->Post(type.c_str(), body, "application/json");
      ASSERT_TRUE(res && res->status == 201) << (res ? res->body : "no response");
    }
  }
  static void TearDownTestSuite() {
    delete harness_;
    std::filesystem::remove_all(dir_);
  }
  static std::unique_ptr<httplib::Client> Client(const std::string& who) {
    auto c = harness_->Client();
    const auto& cred = harness_->credentials().at(who);
    c->set_basic_auth(cred.id.c_str(), cred.secret.c_str());
    return c;
  }
  static std::string Donor(const std::string& alias) {
    return json{{"lab", "lab-a"}, {"award", "U01"}, {"organism", "human"}, {"aliases", {alias}}}.dump();
  }
  static inline std::filesystem::path dir_;
  static inline DccdHarness* harness_ = nullptr;
};

TEST_F(ConcurrencyTest, RacingPostsOfOneAliasLeaveExactlyOneRecord) {
  constexpr int kThreads = 16;
  std::atomic<int> created{0}, conflicts{0};
  std::mutex mu;
  std::vector<std::string> other;  // anything else, described, for the failure message
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      auto c = Client("alice");
      auto res = c->Post("/human_donor", Donor("lab-a:raced"), "application/json");
      if (res && res->status == 201) {
        ++created;
      } else if (res && res->status == 409) {
        ++conflicts;
      } else {
        std::lock_guard lock(mu);
        other.push_back(res ? std::to_string(res->status) + " " + res->body : httplib::to_string(res.error()));
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created, 1);
  EXPECT_EQ(conflicts, kThreads - 1);
  EXPECT_TRUE(other.empty()) << other.size() << " other answers, first: " << (other.empty() ? "" : other[0])
                             << "\ndccd log:\n" << harness_->LogTail();
  auto res = Client("alice")->Get("/search/?type=HumanDonor&aliases=lab-a:raced");
  ASSERT_TRUE(res);
  EXPECT_EQ(json::parse(res->body)["total"], 1);
}

TEST_F(ConcurrencyTest, RacingConditionalPatchesHaveOneWinner) {
  auto alice = Client("alice");
  auto created = alice->Post("/human_donor", Donor("lab-a:patched"), "application/json");
  ASSERT_TRUE(created && created->status == 201);
  auto edit = alice->Get("/lab-a:patched/?frame=edit");
  ASSERT_TRUE(edit);
  const std::string etag = edit->get_header_value("ETag");
  constexpr int kThreads = 8;
  std::atomic<int> ok{0}, stale{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto c = Client("alice");
      httplib::Headers h = {{"If-Match", etag}};
      auto body = json{{"age", std::to_string(30 + i)}, {"age_units", "year"}}.dump();
      auto res = c->Patch("/lab-a:patched", h, body, "application/json");
      if (res && res->status == 200) ++ok;
      else if (res && res->status == 412) ++stale;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(stale, kThreads - 1);
  auto history = alice->Get("/lab-a:patched/@@history");
  ASSERT_TRUE(history);
  EXPECT_EQ(json::parse(history->body)["@graph"].size(), 2u);  // the POST and one PATCH
}

TEST_F(ConcurrencyTest, ParallelWritersAllLandAndAreSearchable) {
  constexpr int kThreads = 8, kPerThread = 50;
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto c = Client("alice");
      for (int i = 0; i < kPerThread; ++i) {
        auto alias = "lab-a:par-" + std::to_string(t) + "-" + std::to_string(i);
        auto res = c->Post("/human_donor", Donor(alias), "application/json");
        if (res && res->status == 201) ++created;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created, kThreads * kPerThread);
  auto res = Client("alice")->Get("/search/?type=HumanDonor&aliases=*&limit=0");
  ASSERT_TRUE(res);
  // Every parallel record plus the ones earlier tests created.
  EXPECT_GE(json::parse(res->body)["total"].get<int>(), kThreads * kPerThread);
}

}  // namespace
}  // namespace dcc::testing
