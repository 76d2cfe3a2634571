#include "schema/profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

namespace dcc::schema {
namespace {
namespace fs = std::filesystem;

std::shared_ptr<const ProfileSet> Shipped() {
  auto set = ProfileSet::Load({std::string(DCC_SOURCE_DIR) + "/profiles"});
  EXPECT_TRUE(set.ok()) << set.status().ToString();
  return set.ok() ? *set : nullptr;
}

TEST(ProfileSet, FindsByEveryNameForm) {
  auto set = Shipped();
  ASSERT_TRUE(set);
  for (const char* name : {"analysis_step_run", "AnalysisStepRun", "analysis-step-runs",
                           "analysis-step-run", "ANALYSIS_STEP_RUN"}) {
    const Profile* p = set->Find(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->name, "analysis_step_run");
  }
  EXPECT_EQ(set->Find("no_such_type"), nullptr);
}

TEST(ProfileSet, MergesMixinsAndReadsKeywords) {
  auto set = Shipped();
  ASSERT_TRUE(set);
  const Profile* bs = set->Find("biosample");
  ASSERT_NE(bs, nullptr);
  EXPECT_EQ(bs->accession_code, "BS");
  EXPECT_EQ(bs->collection, "biosamples");
  EXPECT_NE(bs->Property("aliases"), nullptr);  // from a mixin
  EXPECT_FALSE(bs->schema->contains("mixinProperties"));
  const Profile* donor = set->Find("human_donor");
  EXPECT_EQ(donor->AtTypes(), (std::vector<std::string>{"HumanDonor", "Donor", "Item"}));
  EXPECT_EQ(set->Concrete("Donor").size(), 2u);
  const Profile* lab = set->Find("lab");
  bool name_key = false;
  for (const auto& [prop, ns] : lab->unique_props) name_key = name_key || (prop == "name" && ns == "lab:name");
  EXPECT_TRUE(name_key);
  EXPECT_EQ(set->Find("replicate")->lab_from, "experiment");
}

TEST(ProfileSet, AnonymousDocumentMarksPermissionReadonly) {
  auto set = Shipped();
  ASSERT_TRUE(set);
  auto doc = set->ProfilesDocument(/*admin=*/false);
  EXPECT_EQ(doc["Biosample"]["properties"]["accession"]["readonly"], true);
  auto admin_doc = set->ProfilesDocument(/*admin=*/true);
  EXPECT_FALSE(admin_doc["Biosample"]["properties"]["accession"].contains("readonly"));
  EXPECT_EQ(doc["_subtypes"]["Donor"], nlohmann::json({"HumanDonor", "MouseDonor"}));
}

class BadProfileDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("dcc-profile-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  fs::path dir_;
};

TEST_F(BadProfileDir, MalformedJsonNamesTheFile) {
  Write("thing.json", "{ not json");
  auto set = ProfileSet::Load({dir_.string()});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().where().find("thing.json"), std::string::npos);
  EXPECT_EQ(set.status().message(), "not valid JSON");
}

TEST_F(BadProfileDir, IdMustMatchTheFileName) {
  Write("thing.json", R"({"id": "/profiles/other.json", "collection": "things"})");
  auto set = ProfileSet::Load({dir_.string()});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("/profiles/thing.json"), std::string::npos);
}

TEST_F(BadProfileDir, UnknownMixinIsAnError) {
  Write("thing.json",
        R"({"id": "/profiles/thing.json", "collection": "things", "mixinProperties": [{"$ref": "mixins.json#/nope"}]})");
  auto set = ProfileSet::Load({dir_.string()});
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.status().message().find("unknown mixin 'nope'"), std::string::npos);
}

TEST(ProfileSet, MissingDirectoryIsAnError) {
  auto set = ProfileSet::Load({"/nonexistent/profiles"});
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().code(), Status::Code::kInvalidArgument);
}

}  // namespace
}  // namespace dcc::schema
