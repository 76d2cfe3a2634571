// EcmaRegex (issue 9, item 1). What broke: std::regex recursed once per character and a
// 50,000-character subject overflowed the stack (SIGSEGV). These check the ECMA-262
// semantics JSON Schema needs, that every ENCODE schema pattern compiles, and that long
// or pathological input ends in a clean answer.
#include "common/ecma_regex.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace dcc {
namespace {
using Outcome = EcmaRegex::Outcome;

std::shared_ptr<const EcmaRegex> Re(const std::string& p,
                                    EcmaRegex::Anchor a = EcmaRegex::Anchor::kSearch) {
  std::string error;
  auto re = EcmaRegex::Compile(p, &error, a);
  EXPECT_TRUE(re) << error;
  return re;
}

TEST(EcmaRegex, SearchIsUnanchoredAsJsonSchemaPatternIs) {
  EXPECT_EQ(Re("b+")->Match("abbbc"), Outcome::kMatch);
  EXPECT_EQ(Re("^b")->Match("abc"), Outcome::kNoMatch);
  EXPECT_EQ(Re("b", EcmaRegex::Anchor::kWhole)->Match("abc"), Outcome::kNoMatch);
  EXPECT_EQ(Re("a.c", EcmaRegex::Anchor::kWhole)->Match("abc"), Outcome::kMatch);
}

TEST(EcmaRegex, DollarIsTheEndOnlyAsInEcma262) {
  // Perl's `$` also matches before a final newline; ECMA-262's (and so JSON Schema's) does not.
  EXPECT_EQ(Re("^abc$")->Match("abc\n"), Outcome::kNoMatch);
  EXPECT_EQ(Re("^abc$")->Match("abc"), Outcome::kMatch);
}

TEST(EcmaRegex, LookaheadBackreferenceAndUnicodeEscapes) {
  auto no_leading_space = Re(R"(^(?!\s)[\S|\s]*\S$)");
  EXPECT_EQ(no_leading_space->Match("a b"), Outcome::kMatch);
  EXPECT_EQ(no_leading_space->Match(" a"), Outcome::kNoMatch);
  auto pairs = Re(R"(^([ARNDCQEGHILKMFPSTWYV]{2})($|(,\1))*)");
  EXPECT_EQ(pairs->Match("AR,AR"), Outcome::kMatch);
  EXPECT_EQ(Re(R"(^\u00e9$)")->Match("\xc3\xa9"), Outcome::kMatch);
  // \d is ASCII in ECMA-262 (without the u flag).
  EXPECT_EQ(Re(R"(^\d$)")->Match("\xd9\xa3"), Outcome::kNoMatch);  // ARABIC-INDIC DIGIT THREE
}

TEST(EcmaRegex, BadPatternIsAnErrorNamingIt) {
  std::string error;
  EXPECT_FALSE(EcmaRegex::Compile("a(b", &error));
  EXPECT_NE(error.find("'a(b'"), std::string::npos) << error;
}

TEST(EcmaRegex, LongSubjectsDoNotCrash) {
  // The alias pattern of profiles/mixins.json, on 50,000 and 1,000,000 characters.
  auto alias = Re(R"(^[a-zA-Z\d_.-]+:[a-zA-Z\d_$.+!*,()'-]+(?:\s[a-zA-Z\d_$.+!*,()'-]+)*$)");
  for (size_t n : {50'000u, 1'000'000u}) {
    EXPECT_EQ(alias->Match("lab:" + std::string(n, 'x')), Outcome::kMatch) << n;
    EXPECT_EQ(alias->Match("lab:" + std::string(n, 'x') + "/"), Outcome::kNoMatch) << n;
  }
  auto groups = Re("^(a|b)*$");  // one backtracking frame per character in the interpreter
  EXPECT_NE(groups->Match(std::string(1'000'000, 'a') + "c"), Outcome::kMatch);
}

TEST(EcmaRegex, CatastrophicBacktrackingHitsTheLimit) {
  auto evil = Re("^(a+)+$");
  EXPECT_EQ(evil->Match(std::string(40, 'a') + "b"), Outcome::kLimit);
}

TEST(EcmaRegex, InvalidUtf8SubjectIsNotAMatch) {
  EXPECT_EQ(Re("a")->Match("a\xff"), Outcome::kLimit);
}

TEST(EcmaRegex, CapturesGroups) {
  std::vector<std::string> g;
  ASSERT_EQ(Re(R"(^(\d+)-(x)?(\d+)$)", EcmaRegex::Anchor::kWhole)->Match("12-34", &g),
            Outcome::kMatch);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[1], "12");
  EXPECT_EQ(g[2], "");
  EXPECT_EQ(g[3], "34");
}

// Every `pattern` (and patternProperties key) of the ENCODE schemas the portal issue loads.
void CollectPatterns(const nlohmann::json& v, std::vector<std::string>& out) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it.key() == "pattern" && it->is_string()) out.push_back(*it);
      if (it.key() == "patternProperties" && it->is_object())
        for (auto p = it->begin(); p != it->end(); ++p) out.push_back(p.key());
      CollectPatterns(*it, out);
    }
  } else if (v.is_array()) {
    for (const auto& x : v) CollectPatterns(x, out);
  }
}

TEST(EcmaRegex, EveryEncodeSchemaPatternCompiles) {
  const std::filesystem::path dir =
      std::filesystem::path(DCC_SOURCE_DIR) / "../shared/data/encoded/schemas";
  if (!std::filesystem::is_directory(dir)) GTEST_SKIP() << "no ENCODE schemas at " << dir;
  size_t files = 0, patterns = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    auto doc = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << entry.path();
    std::vector<std::string> found;
    CollectPatterns(doc, found);
    ++files;
    for (const auto& p : found) {
      std::string error;
      EXPECT_TRUE(EcmaRegex::Compile(p, &error)) << entry.path().filename() << ": " << error;
      ++patterns;
    }
  }
  EXPECT_GT(files, 50u);
  EXPECT_GT(patterns, 80u);
}

}  // namespace
}  // namespace dcc
