#include "conformance/blob_store_conformance.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

namespace dcc::server {
namespace fs = std::filesystem;

void BlobStoreConformance::SetUp() {
  std::string tmpl = "/tmp/dcc-blob-conformance-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  dir_ = tmpl;
  store_ = GetParam()(dir_);
  ASSERT_TRUE(store_);
}

void BlobStoreConformance::TearDown() {
  store_.reset();
  fs::remove_all(dir_);
}

void BlobStoreConformance::Reopen() {
  store_.reset();
  store_ = GetParam()(dir_);
}

namespace {

std::string Pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

Digests Reference(const std::string& data) {
  MultiHasher h;
  h.Update(data.data(), data.size());
  return h.Finish();
}

Result<std::string> ReadAll(BlobStore& store, const std::string& key, uint64_t off, uint64_t len) {
  DCC_ASSIGN_OR_RETURN(auto reader, store.Open(key, off, len));
  std::string out;
  char buf[1000];
  while (true) {
    DCC_ASSIGN_OR_RETURN(size_t n, reader->Read(buf, sizeof buf));
    if (n == 0) break;
    out.append(buf, n);
  }
  EXPECT_EQ(out.size(), reader->length());
  return out;
}

Result<Digests> Put(BlobStore& store, const std::string& id, const std::string& key,
                    const std::string& data, const BlobExpectations& expect = {}) {
  DCC_ASSIGN_OR_RETURN(auto w, store.Stage(id));
  DCC_RETURN_IF_ERROR(w->Write(data.data(), data.size()));
  return w->Commit(key, expect);
}

}  // namespace

TEST_P(BlobStoreConformance, CommitPublishesBytesAndDigests) {
  std::string data = Pattern(100000);
  auto d = Put(*store_, "up1", "2026/11/21/u1/DCCFF000AAA.bam", data);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Digests want = Reference(data);
  EXPECT_EQ(d->md5, want.md5);
  EXPECT_EQ(d->sha256, want.sha256);
  EXPECT_EQ(d->crc32c, want.crc32c);
  EXPECT_EQ(d->size, data.size());
  auto info = store_->Stat("2026/11/21/u1/DCCFF000AAA.bam");
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, data.size());
  auto all = ReadAll(*store_, "2026/11/21/u1/DCCFF000AAA.bam", 0, UINT64_MAX);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, data);
}

TEST_P(BlobStoreConformance, RangesAreClippedAndCheckedAtTheEnd) {
  std::string data = Pattern(5000);
  ASSERT_TRUE(Put(*store_, "r", "k", data).ok());
  EXPECT_EQ(*ReadAll(*store_, "k", 10, 20), data.substr(10, 20));
  EXPECT_EQ(*ReadAll(*store_, "k", 4990, 1000), data.substr(4990));  // clipped
  auto past = store_->Open("k", 5000, 1);
  ASSERT_FALSE(past.ok());
  EXPECT_EQ(past.status().code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE(Put(*store_, "e", "empty", "").ok());
  EXPECT_EQ(*ReadAll(*store_, "empty", 0, UINT64_MAX), "");
}

TEST_P(BlobStoreConformance, MissingKeysAreNotFound) {
  EXPECT_EQ(store_->Stat("nope").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Open("nope", 0, 1).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Delete("nope").code(), Status::Code::kNotFound);
}

TEST_P(BlobStoreConformance, StagedBytesAreInvisibleUntilCommit) {
  auto w = store_->Stage("pending");
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write("abc", 3).ok());
  EXPECT_EQ(store_->Stat("k").status().code(), Status::Code::kNotFound);
  EXPECT_TRUE(store_->List("")->empty());
  ASSERT_TRUE((*w)->Commit("k", {}).ok());
  EXPECT_EQ(store_->List("")->size(), 1u);
}

TEST_P(BlobStoreConformance, WrongDigestPublishesNothingAndDiscardsTheBytes) {
  BlobExpectations e;
  e.md5 = "00000000000000000000000000000000";
  auto d = Put(*store_, "bad", "k", "hello", e);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Status::Code::kChecksumMismatch);
  EXPECT_NE(d.status().message().find("expected 00000000000000000000000000000000"), std::string::npos);
  EXPECT_EQ(store_->Stat("k").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->Resume("bad").status().code(), Status::Code::kNotFound);

  BlobExpectations sized;
  sized.size = 6;
  auto s = Put(*store_, "short", "k", "hello", sized);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), Status::Code::kChecksumMismatch);
  EXPECT_EQ(store_->Stat("k").status().code(), Status::Code::kNotFound);

  BlobExpectations damaged;
  damaged.transport_sha256 = std::string(64, '0');
  auto t = Put(*store_, "damaged", "k", "hello", damaged);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->Stat("k").status().code(), Status::Code::kNotFound);

  BlobExpectations right;
  right.md5 = Reference("hello").md5;
  right.sha256 = Reference("hello").sha256;
  right.crc32c = Reference("hello").crc32c;
  right.size = 5;
  EXPECT_TRUE(Put(*store_, "good", "k", "hello", right).ok());
}

TEST_P(BlobStoreConformance, ResumeAfterRestartRehashesTheStagedPrefix) {
  std::string data = Pattern(3 << 20);
  {
    auto w = store_->Stage("resumable");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(data.data(), 1 << 20).ok());
  }  // dropped without commit: a crash or a disconnect
  Reopen();
  auto w = store_->Resume("resumable");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ((*w)->size(), 1u << 20);
  ASSERT_TRUE((*w)->Write(data.data() + (1 << 20), data.size() - (1 << 20)).ok());
  auto d = (*w)->Commit("k", {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->md5, Reference(data).md5);
  EXPECT_EQ(d->s3_multipart_etag, Reference(data).s3_multipart_etag);
}

TEST_P(BlobStoreConformance, StagingIdsAreUniqueAndChecked) {
  auto a = store_->Stage("same");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(store_->Stage("same").status().code(), Status::Code::kConflict);
  EXPECT_EQ(store_->Stage("../escape").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->Stage("").status().code(), Status::Code::kInvalidArgument);
  ASSERT_TRUE((*a)->Abandon().ok());
  EXPECT_EQ(store_->Resume("same").status().code(), Status::Code::kNotFound);
}

TEST_P(BlobStoreConformance, KeysCannotEscapeTheStore) {
  int i = 0;
  for (const char* key : {"../x", "/abs", "a//b", "a/./b", "a/../b", "", "a\\b", "dir/"}) {
    auto d = Put(*store_, "esc" + std::to_string(i++), key, "x");
    ASSERT_FALSE(d.ok()) << key;
    EXPECT_EQ(d.status().code(), Status::Code::kInvalidArgument) << key;
    EXPECT_EQ(store_->Stat(key).status().code(), Status::Code::kInvalidArgument) << key;
  }
  EXPECT_TRUE(store_->List("")->empty());
}

TEST_P(BlobStoreConformance, CommitReplacesAnExistingBlob) {
  ASSERT_TRUE(Put(*store_, "v1", "k", "first").ok());
  ASSERT_TRUE(Put(*store_, "v2", "k", "second!").ok());
  EXPECT_EQ(*ReadAll(*store_, "k", 0, UINT64_MAX), "second!");
}

TEST_P(BlobStoreConformance, ConcurrentWritersAllLand) {
  constexpr int kThreads = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::string data = Pattern(50000 + t);
      auto d = Put(*store_, "c" + std::to_string(t), "c/" + std::to_string(t), data);
      if (d.ok() && d->md5 == Reference(data).md5) ++ok;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok, kThreads);
  auto list = store_->List("c/");
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), static_cast<size_t>(kThreads));
}

TEST_P(BlobStoreConformance, ListFiltersByPrefixInKeyOrder) {
  for (const char* k : {"b/2", "a/1", "b/1", "c"}) ASSERT_TRUE(Put(*store_, "l", k, k).ok());
  auto list = store_->List("b/");
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].key, "b/1");
  EXPECT_EQ((*list)[1].key, "b/2");
  ASSERT_TRUE(store_->Delete("b/1").ok());
  EXPECT_EQ(store_->List("b/")->size(), 1u);
}

TEST_P(BlobStoreConformance, SweepRemovesAbandonedStagedUploads) {
  {
    auto w = store_->Stage("orphan");
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write("x", 1).ok());
  }
  usleep(20000);
  auto removed = store_->SweepStaging(std::chrono::seconds(3600));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 0);  // too young
  removed = store_->SweepStaging(std::chrono::seconds(0));
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, 1);
  EXPECT_EQ(store_->Resume("orphan").status().code(), Status::Code::kNotFound);
}

// Ranged staging (capabilities().ranged_staging): multipart parts written in place.
namespace {
std::string ReadStaged(BlobStore& store, const std::string& id, uint64_t off, uint64_t len) {
  auto reader = store.OpenStaged(id, off, len);
  if (!reader.ok()) return "<" + reader.status().ToString() + ">";
  std::string out(static_cast<size_t>((*reader)->length()), '\0');
  size_t at = 0;
  while (at < out.size()) {
    auto n = (*reader)->Read(out.data() + at, out.size() - at);
    if (!n.ok() || *n == 0) return "<short read>";
    at += *n;
  }
  return out;
}
}  // namespace

TEST_P(BlobStoreConformance, RangeWritersFillOneStagedBlobOutOfOrderAndConcurrently) {
  if (!store_->capabilities().ranged_staging) GTEST_SKIP() << "no ranged staging";
  const size_t part = 3 << 20;  // above the 1 MiB write buffer, so both paths run
  std::string data = Pattern(4 * part + 12345);
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int i : {3, 1, 4, 0, 2}) {  // out of order, at once
    writers.emplace_back([&, i] {
      size_t off = static_cast<size_t>(i) * part;
      std::string piece = data.substr(off, part);
      auto w = store_->StageRange("ranged", off, i % 2 == 0);
      if (!w.ok()) { ++failures; return; }
      // In small writes, as HTTP bodies arrive.
      for (size_t at = 0; at < piece.size(); at += 100000)
        if (!(*w)->Write(piece.data() + at, std::min<size_t>(100000, piece.size() - at)).ok()) ++failures;
      BlobExpectations expect;
      expect.md5 = Reference(piece).md5;
      auto d = (*w)->Finish(expect);
      if (!d.ok() || d->md5 != expect.md5 || d->size != piece.size()) ++failures;
    });
  }
  for (auto& t : writers) t.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(ReadStaged(*store_, "ranged", part, 1000), data.substr(part, 1000));
  EXPECT_TRUE(store_->Stat("k/whole.bin").status().code() == Status::Code::kNotFound) << "visible before commit";
  Reopen();  // parts survive a restart
  EXPECT_EQ(ReadStaged(*store_, "ranged", 4 * part, UINT64_MAX), data.substr(4 * part));
  auto w = store_->Resume("ranged");
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  BlobExpectations whole;
  whole.md5 = Reference(data).md5;
  auto d = (*w)->Commit("k/whole.bin", whole);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  Digests want = Reference(data);
  EXPECT_EQ(d->sha256, want.sha256);
  EXPECT_EQ(d->crc32c, want.crc32c);
  auto all = ReadAll(*store_, "k/whole.bin", 0, UINT64_MAX);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(*all == data);
  EXPECT_EQ(store_->OpenStaged("ranged", 0, 1).status().code(), Status::Code::kNotFound);
}

TEST_P(BlobStoreConformance, TruncatedStagedBlobCommitsOnlyItsPrefix) {
  if (!store_->capabilities().ranged_staging) GTEST_SKIP() << "no ranged staging";
  std::string data = Pattern(50000);
  for (size_t off : {size_t{0}, size_t{20000}}) {
    auto w = store_->StageRange("cut", off);
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(data.data() + off, off == 0 ? 20000 : 30000).ok());
    ASSERT_TRUE((*w)->Finish({}).ok());
  }
  ASSERT_TRUE(store_->TruncateStaged("cut", 25000).ok());
  EXPECT_EQ(store_->OpenStaged("cut", 25000, 1).status().code(), Status::Code::kInvalidArgument);
  auto w = store_->Resume("cut");
  ASSERT_TRUE(w.ok());
  BlobExpectations expect;
  expect.md5 = Reference(data.substr(0, 25000)).md5;
  auto d = (*w)->Commit("k/cut.bin", expect);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size, 25000u);
}

TEST_P(BlobStoreConformance, RangeWriterChecksItsTransportDigest) {
  if (!store_->capabilities().ranged_staging) GTEST_SKIP() << "no ranged staging";
  auto w = store_->StageRange("claimed", 0);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write("abc", 3).ok());
  BlobExpectations expect;
  expect.transport_sha256 = Reference("abd").sha256;
  auto d = (*w)->Finish(expect);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), Status::Code::kInvalidArgument);
  EXPECT_TRUE(store_->RemoveStaged("claimed").ok());
  EXPECT_EQ(store_->RemoveStaged("claimed").code(), Status::Code::kNotFound);
  EXPECT_EQ(store_->StageRange("../x", 0).status().code(), Status::Code::kInvalidArgument);
}

}  // namespace dcc::server
