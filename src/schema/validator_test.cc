#include "schema/validator.h"

#include <gtest/gtest.h>

#include "schema/profile.h"

namespace dcc::schema {
namespace {
using nlohmann::json;

class ValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = ProfileSet::Load({std::string(DCC_SOURCE_DIR) + "/profiles"});
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    set_ = *set;
    library_ = set_->Find("library");
  }
  std::shared_ptr<const ProfileSet> set_;
  const Profile* library_ = nullptr;
};

TEST_F(ValidatorTest, ValidRecordHasNoErrors) {
  json doc = {{"lab", "x"}, {"award", "y"}, {"nucleic_acid_term_name", "DNA"}};
  EXPECT_TRUE(Validate(*library_, doc).empty());
}

TEST_F(ValidatorTest, MessagesQuoteTheValueAndTheRule) {
  json doc = {{"lab", "x"},
              {"award", "y"},
              {"nucleic_acid_term_name", "plasma"},
              {"aliases", {"no-colon"}},
              {"average_fragment_size", "big"},
              {"colour", "blue"}};
  auto errors = Validate(*library_, doc);
  std::map<std::string, std::string> by_path;
  for (const auto& e : errors) by_path[PathToPointer(e.path)] = e.message;
  EXPECT_NE(by_path["/nucleic_acid_term_name"].find("'plasma' is not one of"), std::string::npos);
  EXPECT_NE(by_path["/aliases/0"].find("'no-colon' does not match"), std::string::npos);
  EXPECT_EQ(by_path["/average_fragment_size"], "'big' is not of type 'integer'");
  EXPECT_EQ(by_path["/"], "Additional properties are not allowed ('colour' was unexpected)");
  // Only leaf errors: no "failed to validate against schema associated with property" echoes.
  EXPECT_EQ(errors.size(), 4u);
}

TEST_F(ValidatorTest, MissingRequiredProperty) {
  json doc = {{"lab", "x"}, {"award", "y"}};
  auto errors = Validate(*library_, doc);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "'nucleic_acid_term_name' is a required property");
  EXPECT_EQ(PathToPointer(errors[0].path), "/");
}

}  // namespace
}  // namespace dcc::schema

namespace dcc::schema {
namespace {

TEST(ValidatorFormats, DateTimeIsChecked) {
  auto set = ProfileSet::Load({std::string(DCC_SOURCE_DIR) + "/profiles"});
  ASSERT_TRUE(set.ok());
  const Profile* lab = (*set)->Find("lab");
  nlohmann::json good = {{"name", "x"}, {"title", "X"}, {"date_created", "2026-11-21T20:50:19.123456+00:00"}};
  EXPECT_TRUE(Validate(*lab, good).empty());
  nlohmann::json bad = {{"name", "x"}, {"title", "X"}, {"date_created", "yesterday"}};
  auto errors = Validate(*lab, bad);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "'yesterday' is not a 'date-time'");
}

}  // namespace
}  // namespace dcc::schema
