#include "server/services/record_terms.h"

#include <gtest/gtest.h>

namespace dcc::server {
namespace {
using nlohmann::json;

class RecordTermsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = schema::ProfileSet::Load({std::string(DCC_SOURCE_DIR "/profiles")});
    ASSERT_TRUE(set.ok());
    set_ = *set;
  }
  std::shared_ptr<const schema::ProfileSet> set_;
};

TEST_F(RecordTermsTest, AtIdPrefersNameThenAccessionThenUuid) {
  EXPECT_EQ(AtIdOf(*set_->Find("lab"), {{"name", "lab-a"}}, "u1"), "/labs/lab-a/");
  EXPECT_EQ(AtIdOf(*set_->Find("biosample"), {{"accession", "DCCBS123ABC"}}, "u1"),
            "/biosamples/DCCBS123ABC/");
  EXPECT_EQ(AtIdOf(*set_->Find("replicate"), json::object(), "u1"), "/replicates/u1/");
}

TEST_F(RecordTermsTest, UniqueKeysCoverAliasesNamesAndAccessions) {
  auto keys = UniqueKeysOf(*set_->Find("biosample"),
                           {{"aliases", {"lab-a:x", "lab-a:y"}},
                            {"accession", "DCCBS123ABC"},
                            {"alternate_accessions", {"DCCBS999ZZZ"}}});
  std::vector<UniqueKey> want = {{"alias", "lab-a:x"},
                                 {"alias", "lab-a:y"},
                                 {"accession", "DCCBS123ABC"},
                                 {"accession", "DCCBS999ZZZ"}};
  for (const auto& k : want)
    EXPECT_NE(std::find(keys.begin(), keys.end(), k), keys.end()) << k.name << " " << k.value;
  auto lab_keys = UniqueKeysOf(*set_->Find("lab"), {{"name", "lab-a"}, {"title", "Lab A"}});
  EXPECT_NE(std::find(lab_keys.begin(), lab_keys.end(), UniqueKey{"lab:name", "lab-a"}), lab_keys.end());
  EXPECT_NE(std::find(lab_keys.begin(), lab_keys.end(), UniqueKey{"lab:name", "Lab A"}), lab_keys.end());
}

TEST_F(RecordTermsTest, TermsFlattenNestedObjectsAndArrays) {
  StoredRecord rec;
  rec.uuid = "u1";
  rec.at_id = "/files/DCCFF123ABC/";
  rec.properties = {{"read_length", 100},
                    {"aliases", {"a:1", "a:2"}},
                    {"flowcell_details", {{{"lane", "3"}, {"machine", "M1"}}}},
                    {"huge", std::string(kMaxTermBytes + 1, 'x')}};
  auto terms = SearchTermsOf(*set_->Find("file"), rec);
  auto has = [&](const std::string& f, const std::string& v) {
    for (const auto& t : terms)
      if (t.field == f && t.value == v) return true;
    return false;
  };
  EXPECT_TRUE(has("read_length", "100"));
  EXPECT_TRUE(has("aliases", "a:1"));
  EXPECT_TRUE(has("aliases", "a:2"));
  EXPECT_TRUE(has("flowcell_details.lane", "3"));
  EXPECT_TRUE(has("uuid", "u1"));
  EXPECT_TRUE(has("@type", "File"));
  EXPECT_TRUE(has("@type", "Item"));
  for (const auto& t : terms) EXPECT_NE(t.field, "huge");
}

}  // namespace
}  // namespace dcc::server
