// SIGKILL during 20 concurrent uploads, then restart (issue #3, "Failure and bad input"):
// every acknowledged upload is intact and verifies; every unacknowledged one resumes from
// the offset the server reports and then verifies too. Nothing half-written is served.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/hashing.h"
#include "support/dccd_harness.h"

namespace dcc::testing {
namespace {
using nlohmann::json;

constexpr int kUploads = 20;
constexpr size_t kSize = 8u << 20;
constexpr size_t kChunk = 1u << 20;

std::string Base64(const std::string& s) { return ToBase64(reinterpret_cast<const unsigned char*>(s.data()), s.size()); }

class CrashDuringUploadsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("dcc-crash-uploads");
    harness_ = std::make_unique<DccdHarness>(HarnessOptions{DCCD_PATH, DCC_PROFILES_DIR, dir_, false, {}});
    harness_->Setup();
    harness_->Start();
    auto admin = Client("admin");
    for (auto [type, body] : std::vector<std::pair<std::string, json>>{
             {"/award", {{"name", "U1"}, {"project", "ENCODE"}, {"rfa", "ENCODE4"}, {"title", "A"}}},
             {"/lab", {{"name", "lab-a"}, {"title", "Lab A"}}},
             {"/biosample_type", {{"name", "k562"}, {"classification", "cell line"}, {"term_id", "EFO:1"}, {"term_name", "K562"}}}}) {
      ASSERT_EQ(admin->Post(type.c_str(), body.dump(), "application/json")->status, 201);
    }
    ASSERT_EQ(Client("alice")->Post("/experiment", json{{"lab", "lab-a"}, {"award", "U1"}, {"assay_term_name", "ChIP-seq"},
                                                        {"biosample_ontology", "k562"}, {"aliases", {"lab-a:e1"}}}.dump(),
                                    "application/json")->status, 201);
  }
  void TearDown() override {
    harness_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::unique_ptr<httplib::Client> Client(const std::string& who) {
    std::lock_guard lock(mu_);  // the harness's port changes across the restart
    auto c = harness_->Client();
    const auto& cred = harness_->credentials().at(who);
    c->set_basic_auth(cred.id.c_str(), cred.secret.c_str());
    c->set_connection_timeout(2, 0);
    return c;
  }

  struct Upload {
    std::string data, accession, location;
    uint64_t acknowledged = 0;  // offset of the last 204
  };

  // Sends the rest of `u` from `offset`, 1 MiB per PATCH; stops at the first failure.
  void Send(Upload& u, uint64_t offset) {
    auto c = Client("alice");
    while (offset < u.data.size()) {
      size_t n = std::min(kChunk, u.data.size() - offset);
      httplib::Headers h = {{"Tus-Resumable", "1.0.0"}, {"Upload-Offset", std::to_string(offset)}};
      auto res = c->Patch(u.location.c_str(), h, u.data.substr(offset, n), "application/offset+octet-stream");
      if (!res || res->status != 204) return;
      offset = std::stoull(res->get_header_value("Upload-Offset"));
      u.acknowledged = offset;
    }
  }

  std::filesystem::path dir_;
  std::unique_ptr<DccdHarness> harness_;
  std::mutex mu_;
};

TEST_F(CrashDuringUploadsTest, AcknowledgedBytesSurviveAndEveryUploadCompletes) {
  std::vector<Upload> uploads(kUploads);
  std::mt19937 rng(1234);
  for (auto& u : uploads) {
    u.data.resize(kSize);
    for (auto& ch : u.data) ch = static_cast<char>(rng());
    MultiHasher h;
    h.Update(u.data.data(), u.data.size());
    auto file = Client("alice")->Post("/file", json{{"lab", "lab-a"}, {"award", "U1"}, {"dataset", "lab-a:e1"},
                                                    {"file_format", "bam"}, {"output_type", "alignments"},
                                                    {"md5sum", h.Finish().md5}, {"file_size", kSize}}.dump(),
                                      "application/json");
    ASSERT_EQ(file->status, 201);
    u.accession = json::parse(file->body)["@graph"][0]["accession"];
    httplib::Headers h2 = {{"Tus-Resumable", "1.0.0"}, {"Upload-Length", std::to_string(kSize)},
                           {"Upload-Metadata", "file " + Base64(u.accession)}};
    auto created = Client("alice")->Post("/tus/", h2, "", "application/offset+octet-stream");
    ASSERT_EQ(created->status, 201) << created->body;
    u.location = created->get_header_value("Location");
  }
  // 20 concurrent uploaders; dccd dies with SIGKILL while they send.
  std::atomic<uint64_t> sent{0};
  std::vector<std::thread> threads;
  for (auto& u : uploads) threads.emplace_back([&, p = &u] { Send(*p, 0); sent += p->acknowledged; });
  while (true) {
    uint64_t acked = 0;
    for (auto& u : uploads) acked += u.acknowledged;
    if (acked > kUploads * kSize / 3) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  harness_->Kill(SIGKILL);
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(mu_);
    harness_->Start();
  }
  int finished_before = 0;
  for (auto& u : uploads) {
    auto c = Client("alice");
    auto head = c->Head(u.location.c_str(), {{"Tus-Resumable", "1.0.0"}});
    ASSERT_TRUE(head);
    ASSERT_EQ(head->status, 200) << u.accession;
    uint64_t offset = std::stoull(head->get_header_value("Upload-Offset"));
    // Every acknowledged byte is still there.
    EXPECT_GE(offset, u.acknowledged) << u.accession;
    if (offset == kSize) ++finished_before;
    Send(u, offset);
    EXPECT_EQ(u.acknowledged, kSize) << u.accession;
  }
  // Every file verified its md5 against the record, so its bytes are intact.
  for (auto& u : uploads) {
    auto rec = Client("alice")->Get(("/" + u.accession + "/").c_str());
    EXPECT_EQ(json::parse(rec->body)["status"], "in progress") << u.accession;
  }
  std::cout << "uploads finished before the kill: " << finished_before << " of " << kUploads << "\n";
}

}  // namespace
}  // namespace dcc::testing
