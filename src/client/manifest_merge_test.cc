#include "dcc/manifest_merge.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace dcc {
namespace {

std::string Temp(const std::string& name, const std::string& text = "") {
  auto dir = std::filesystem::temp_directory_path() / ("dcc-merge-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  if (!text.empty()) std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(AhoCorasick, FindsEveryOccurrenceIncludingOverlapsAndSuffixes) {
  AhoCorasick ac;
  int he = ac.Add("he"), she = ac.Add("she"), his = ac.Add("his"), hers = ac.Add("hers");
  EXPECT_EQ(ac.Add("she"), she);  // a duplicate keeps its id
  EXPECT_EQ(ac.Add(""), -1);
  ac.Build();
  std::multiset<int> found;
  ac.Scan("ushers", [&](int id) { found.insert(id); });
  EXPECT_EQ(found, (std::multiset<int>{she, he, hers}));
  found.clear();
  ac.Scan("hishe", [&](int id) { found.insert(id); });
  EXPECT_EQ(found, (std::multiset<int>{his, she, he}));
  found.clear();
  ac.Scan("xyz", [&](int id) { found.insert(id); });
  EXPECT_TRUE(found.empty());
}

TEST(AhoCorasick, AgreesWithNaiveSubstringSearch) {
  std::vector<std::string> keys = {"a", "ab", "bab", "bc", "bca", "c", "caa", "abcab"};
  AhoCorasick ac;
  for (const auto& k : keys) ac.Add(k);
  ac.Build();
  for (std::string text : {"abccab", "bcabcabca", "aaaa", "", "cbacbacab"}) {
    std::multiset<int> got, want;
    ac.Scan(text, [&](int id) { got.insert(id); });
    for (size_t k = 0; k < keys.size(); ++k)
      for (size_t p = text.find(keys[k]); p != std::string::npos; p = text.find(keys[k], p + 1)) want.insert(k);
    EXPECT_EQ(got, want) << text;
  }
}

TEST(Merge, ExactMatchOneRowToManyGuids) {
  std::string idx = Temp("idx.tsv", "guid\tsample_id\tmd5\ng1\ts1\taa\ng2\ts1\tbb\ng3\ts2\tcc\n");
  std::string md = Temp("md.csv", "submitted_sample_id,age\ns1,10\ns9,11\ns2,12\n");
  std::string out = Temp("out.tsv");
  auto stats = MergeGuidsIntoMetadata(idx, md, out, MergeOptions{});
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->output_rows, 3);
  EXPECT_EQ(stats->unmatched_rows, 1);
  EXPECT_EQ(stats->unmatched[0].where, md + ":3");
  EXPECT_EQ(Slurp(out),
            "guid\tsubmitted_sample_id\tage\tsample_id\tmd5\n"
            "g1\ts1\t10\ts1\taa\n"
            "g2\ts1\t10\ts1\tbb\n"
            "g3\ts2\t12\ts2\tcc\n");
}

// The reference's partial mode matches each indexing row to one metadata row at most and,
// with the indexing columns included, writes only the header (gen3.md §5.11). Here one
// metadata row takes every GUID whose key contains it, and a key containing two metadata
// keys goes to both.
TEST(Merge, PartialMatchWithIndexingColumns) {
  std::string idx = Temp("pidx.csv",
                         "guid,urls\n"
                         "g1,s3://b/study/S1/a.bam\n"
                         "g2,s3://b/study/S1/b.bam\n"
                         "g3,s3://b/study/S12/c.bam\n"
                         "g4,s3://b/other/x.bam\n");
  std::string md = Temp("pmd.tsv", "submitted_sample_id\tage\n/S1/\t10\nS12\t20\nnothing\t30\n");
  std::string out = Temp("pout.tsv");
  MergeOptions o;
  o.partial = true;
  o.indexing_key_column = "urls";
  auto stats = MergeGuidsIntoMetadata(idx, md, out, o);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(Slurp(out),
            "guid\tsubmitted_sample_id\tage\turls\n"
            "g1\t/S1/\t10\ts3://b/study/S1/a.bam\n"
            "g2\t/S1/\t10\ts3://b/study/S1/b.bam\n"
            "g3\tS12\t20\ts3://b/study/S12/c.bam\n");
  EXPECT_EQ(stats->unmatched_rows, 1);
}

TEST(Merge, MissingKeyColumnIsAnError) {
  std::string idx = Temp("e_idx.tsv", "guid\tsample_id\ng1\ts1\n");
  std::string md = Temp("e_md.tsv", "sample\tage\ns1\t1\n");
  auto stats = MergeGuidsIntoMetadata(idx, md, Temp("e_out.tsv"), MergeOptions{});
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().where(), md);
  EXPECT_NE(stats.status().message().find("submitted_sample_id"), std::string::npos);
}

}  // namespace
}  // namespace dcc
