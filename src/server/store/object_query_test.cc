// The index query against a real SQLite store: each filter finds what it should, and
// the SQL binds every value (a quote in a value is data, not SQL).
#include "server/store/object_query.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace dcc::server {
namespace {
using nlohmann::json;

class ObjectQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("dcc-oq-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    auto store = OpenSqliteRecordStore((dir_ / "db.sqlite").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    auto w = store_->Write();
    ASSERT_TRUE(w.ok());
    Put(**w, "d1", 10, {{"md5", "m1"}, {"sha256", "s1"}}, {"s3://a"}, {"/p1"}, {{"k", "v"}});
    Put(**w, "d2", 20, {{"md5", "m2"}}, {"s3://b"}, {"/p2"}, {{"k", "it's"}});
    Put(**w, "d3", 10, {{"md5", "m3"}}, {}, {}, json::object());
    ASSERT_TRUE((*w)->Commit().ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static void Put(RecordWriter& w, const std::string& did, uint64_t size, json hashes,
                  std::vector<std::string> urls, std::vector<std::string> authz, json metadata) {
    ObjectRow o;
    o.did = o.baseid = did;
    o.rev = "00000000";
    o.size = size;
    o.hashes = std::move(hashes);
    o.urls = std::move(urls);
    o.authz = std::move(authz);
    o.metadata = std::move(metadata);
    o.created = o.updated = "2026-01-01T00:00:00";
    o.doc = "{\"did\":\"" + did + "\"}";
    ASSERT_TRUE(w.PutObject(o).ok());
  }

  std::vector<std::string> Find(const ObjectQuery& q) {
    auto r = store_->Read();
    EXPECT_TRUE(r.ok());
    std::vector<std::string> out;
    Status s = (*r)->ListObjects(q, [&](const std::string& did, const std::string&) {
      out.push_back(did);
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << BuildObjectQuery(q).sql;
    return out;
  }

  std::filesystem::path dir_;
  std::unique_ptr<RecordStore> store_;
};

using Dids = std::vector<std::string>;

TEST_F(ObjectQueryTest, AnyHashFindsItsRecord) {
  ObjectQuery q;
  q.hashes = {{"sha256", "s1"}};
  EXPECT_EQ(Find(q), (Dids{"d1"}));
  q.hashes = {{"md5", "m1"}, {"sha256", "s1"}};
  EXPECT_EQ(Find(q), (Dids{"d1"}));
  q.hashes = {{"md5", "m2"}, {"sha256", "s1"}};
  EXPECT_EQ(Find(q), Dids{});
}

TEST_F(ObjectQueryTest, KeysetAndLimit) {
  ObjectQuery q;
  q.start = "d1";
  q.limit = 1;
  EXPECT_EQ(Find(q), (Dids{"d2"}));
}

TEST_F(ObjectQueryTest, ColumnsListsAndNulls) {
  ObjectQuery q;
  q.size = 10;
  EXPECT_EQ(Find(q), (Dids{"d1", "d3"}));
  ObjectQuery none;
  none.authz_none = true;
  EXPECT_EQ(Find(none), (Dids{"d3"}));
  ObjectQuery authz;
  authz.authz = {"/p2"};
  EXPECT_EQ(Find(authz), (Dids{"d2"}));
  ObjectQuery urls;
  urls.urls = {"s3://a"};
  EXPECT_EQ(Find(urls), (Dids{"d1"}));
}

TEST_F(ObjectQueryTest, ValuesAreBoundNotSpliced) {
  ObjectQuery q;
  q.metadata = {{"k", "it's"}};
  EXPECT_EQ(Find(q), (Dids{"d2"}));
  ObjectQuery odd;
  odd.metadata = {{"a\"b", "x"}};
  EXPECT_EQ(Find(odd), Dids{});
}

TEST_F(ObjectQueryTest, NegatedFiltersExclude) {
  ObjectQuery q;
  q.negate.metadata = {{"k", "v"}};
  EXPECT_EQ(Find(q), (Dids{"d2", "d3"}));
  ObjectQuery h;
  h.negate.hashes = {{"md5", "m3"}};
  EXPECT_EQ(Find(h), (Dids{"d1", "d2"}));
  ObjectQuery u;
  u.negate.urls = {"s3://a", "s3://b"};
  EXPECT_EQ(Find(u), (Dids{"d3"}));
}

TEST_F(ObjectQueryTest, StatsFollowWrites) {
  {
    auto r = store_->Read();
    auto st = (*r)->CountObjects("");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->count, 3);
    EXPECT_EQ(st->total_size, 40);
  }
  auto w = store_->Write();
  ASSERT_TRUE((*w)->DeleteObject("d2").ok());
  ASSERT_TRUE((*w)->Commit().ok());
  auto r = store_->Read();
  auto st = (*r)->CountObjects("");
  EXPECT_EQ(st->count, 2);
  EXPECT_EQ(st->total_size, 20);
}

}  // namespace
}  // namespace dcc::server
