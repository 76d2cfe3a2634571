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

// Issue 9, item 1. What broke: valijson checked `pattern` with std::regex, whose recursion
// overflowed the stack on a 50,000-character alias and killed dccd (SIGSEGV). Patterns now
// run on PCRE2 under match limits, and no string may pass a per-string size cap.
namespace dcc::schema {
namespace {
using nlohmann::json;

class LongStrings : public ::testing::Test {
 protected:
  void SetUp() override {
    auto set = ProfileSet::Load({std::string(DCC_SOURCE_DIR) + "/profiles"});
    ASSERT_TRUE(set.ok()) << set.status().ToString();
    set_ = *set;
    donor_ = set_->Find("human_donor");
    ASSERT_NE(donor_, nullptr);
  }
  json Donor(const std::string& alias) const {
    return {{"lab", "x"}, {"award", "y"}, {"organism", "human"}, {"aliases", json::array({alias})}};
  }
  std::shared_ptr<const ProfileSet> set_;
  const Profile* donor_ = nullptr;
};

TEST_F(LongStrings, LongAliasesUnderTheCapAreCheckedNotCrashed) {
  for (size_t n : {10'000u, 50'000u, 1'000'000u}) {
    EXPECT_TRUE(Validate(*donor_, Donor("lab:" + std::string(n, 'x'))).empty()) << n;
    auto errors = Validate(*donor_, Donor("lab:" + std::string(n, 'x') + "/"));
    ASSERT_EQ(errors.size(), 1u) << n;
    EXPECT_EQ(errors[0].path, json::array({"aliases", 0}));
    EXPECT_NE(errors[0].message.find("does not match"), std::string::npos) << errors[0].message;
  }
}

TEST_F(LongStrings, StringsOverTheCapAreRefusedBeforeAnyPattern) {
  auto errors = Validate(*donor_, Donor("lab:" + std::string(kDefaultMaxStringBytes, 'x')));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, json::array({"aliases", 0}));
  EXPECT_NE(errors[0].message.find("longer than the limit of 1048576 bytes"), std::string::npos)
      << errors[0].message;
}

// A profile built from a schema here, as ProfileSet::Load would.
Profile Compiled(const json& schema) {
  Profile p;
  p.name = "thing";
  p.schema = std::make_shared<json>(schema);
  std::string error;
  p.compiled = CompileSchema(schema, &error);
  EXPECT_TRUE(p.compiled) << error;
  return p;
}

TEST(RegexKeywords, PatternInsideAnyOfAndNotKeepsItsMeaning) {
  Profile p = Compiled({{"type", "object"},
                        {"properties",
                         {{"code", {{"anyOf", json::array({{{"pattern", "^A\\d+$"}}, {{"pattern", "^B\\d+$"}}})}}},
                          {"name", {{"not", {{"pattern", "^\\s"}}}}}}}});
  EXPECT_TRUE(Validate(p, {{"code", "A12"}, {"name", "x"}}).empty());
  EXPECT_TRUE(Validate(p, {{"code", "B3"}}).empty());
  EXPECT_FALSE(Validate(p, {{"code", "C3"}}).empty());
  EXPECT_FALSE(Validate(p, {{"name", " x"}}).empty());
}

TEST(RegexKeywords, PatternPropertiesWithAdditionalProperties) {
  Profile p = Compiled({{"type", "object"},
                        {"properties", {{"name", {{"type", "string"}}}}},
                        {"patternProperties", {{"^x_", {{"type", "integer"}}}}},
                        {"additionalProperties", false}});
  EXPECT_TRUE(Validate(p, {{"name", "n"}, {"x_a", 1}, {"x_b", 2}}).empty());
  auto wrong_type = Validate(p, {{"x_a", "one"}});
  ASSERT_EQ(wrong_type.size(), 1u);
  EXPECT_EQ(wrong_type[0].path, json::array({"x_a"}));
  auto extra = Validate(p, {{"other", 1}});
  ASSERT_EQ(extra.size(), 1u);
  EXPECT_EQ(extra[0].message, "Additional properties are not allowed ('other' was unexpected)");
  // A long property name is matched by PCRE2 too.
  EXPECT_TRUE(Validate(p, {{"x_" + std::string(100'000, 'k'), 1}}).empty());
}

TEST(RegexKeywords, PatternPropertiesWithAdditionalSchema) {
  Profile p = Compiled({{"type", "object"},
                        {"patternProperties", {{"^n", {{"type", "number"}}}}},
                        {"additionalProperties", {{"type", "string"}}}});
  EXPECT_TRUE(Validate(p, {{"n1", 1.5}, {"s", "x"}}).empty());
  EXPECT_EQ(Validate(p, {{"s", 1}}).size(), 1u);
}

TEST(RegexKeywords, BadPatternFailsTheProfileLoad) {
  std::string error;
  EXPECT_FALSE(CompileSchema({{"properties", {{"a", {{"pattern", "(unclosed"}}}}}}, &error));
  EXPECT_NE(error.find("(unclosed"), std::string::npos) << error;
}

TEST(RegexKeywords, PropertyNamedPatternIsNotAKeyword) {
  Profile p = Compiled({{"type", "object"}, {"properties", {{"pattern", {{"type", "string"}}}}}});
  EXPECT_TRUE(Validate(p, {{"pattern", "anything"}}).empty());
}

TEST(MaxStringBytes, AProfileCanTightenTheCap) {
  Profile p = Compiled({{"type", "object"}, {"maxStringBytes", 8}});
  EXPECT_TRUE(Validate(p, {{"a", "12345678"}}).empty());
  auto errors = Validate(p, {{"a", json::array({"123456789"})}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].path, json::array({"a", 0}));
  std::string error;
  EXPECT_FALSE(CompileSchema({{"maxStringBytes", -1}}, &error));
}

}  // namespace
}  // namespace dcc::schema
