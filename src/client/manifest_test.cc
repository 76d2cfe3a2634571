#include "dcc/manifest.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace dcc {
namespace {

using V = std::vector<std::string>;

std::string WriteTemp(const std::string& name, const std::string& text) {
  auto dir = std::filesystem::temp_directory_path() / ("dcc-manifest-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

// gen3.md §5.6, the reference's list cases, with its trailing-comma bug fixed.
TEST(ManifestList, ReferenceCases) {
  EXPECT_EQ(ParseManifestList("['a', 'b']", ManifestList::kUrls), (V{"a", "b"}));
  EXPECT_EQ(ParseManifestList("a b", ManifestList::kUrls), (V{"a", "b"}));
  EXPECT_EQ(ParseManifestList("a   b ", ManifestList::kUrls), (V{"a", "b"}));
  EXPECT_EQ(ParseManifestList("[s3://x/y%20z]", ManifestList::kUrls), (V{"s3://x/y z"}));
  // The reference keeps "/p/a," here; we do not.
  EXPECT_EQ(ParseManifestList("['/p/a', '/p/b']", ManifestList::kAuthz), (V{"/p/a", "/p/b"}));
  // The reference reads "a,b" as one item; a comma-separated list is a list here.
  EXPECT_EQ(ParseManifestList("a,b", ManifestList::kAcl), (V{"a", "b"}));
  EXPECT_EQ(ParseManifestList("[u'x', u\"y\"]", ManifestList::kAcl), (V{"x", "y"}));
  EXPECT_EQ(ParseManifestList("['open']", ManifestList::kAcl), (V{"*"}));
  EXPECT_EQ(ParseManifestList("[U'OPEN']", ManifestList::kAcl), (V{"*"}));
  EXPECT_EQ(ParseManifestList("['open']", ManifestList::kAuthz), (V{"open"}));
  EXPECT_EQ(ParseManifestList("", ManifestList::kAcl), V{});
  EXPECT_EQ(ParseManifestList("[]", ManifestList::kAcl), V{});
}

TEST(ManifestList, FormatSortsAndEncodesSpaces) {
  EXPECT_EQ(FormatManifestList({"s3://b/y z", "gs://a/x"}), "gs://a/x s3://b/y%20z");
  EXPECT_EQ(ParseManifestList(FormatManifestList({"s3://b/y z", "gs://a/x"}), ManifestList::kUrls),
            (V{"gs://a/x", "s3://b/y z"}));
}

TEST(ManifestColumns, ReferenceAliases) {
  EXPECT_EQ(StandardManifestColumn("GUID"), "guid");
  EXPECT_EQ(StandardManifestColumn("filename"), "file_name");
  EXPECT_EQ(StandardManifestColumn("s3_file_size"), "size");
  EXPECT_EQ(StandardManifestColumn("MD5SUM"), "md5");
  EXPECT_EQ(StandardManifestColumn("file_md5sum"), "md5");
  EXPECT_EQ(StandardManifestColumn("acls"), "acl");
  EXPECT_EQ(StandardManifestColumn("gcp_uri"), "urls");
  EXPECT_EQ(StandardManifestColumn("prev_id"), "prev_guid");
  EXPECT_EQ(StandardManifestColumn("submitted_sample_id"), "submitted_sample_id");
  EXPECT_EQ(ManifestDelimiterFor("x.TSV"), '\t');
  EXPECT_EQ(ManifestDelimiterFor("x.csv"), ',');
  EXPECT_EQ(ManifestDelimiterFor("x.txt"), ',');
}

TEST(ManifestReader, BomQuotesBlankLinesAndLineNumbers) {
  std::string path = WriteTemp("m.csv",
                               "\xEF\xBB\xBFGUID, md5 ,size,urls\r\n"
                               "g1,aa,1,\"s3://b/x, s3://b/y\"\r\n"
                               "\n"
                               "g2,bb,2,\"multi\nline \"\"q\"\"\"\n"
                               "g3,cc\n");
  auto r = ManifestReader::Open(path);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->header(), (V{"GUID", "md5", "size", "urls"}));
  EXPECT_EQ((*r)->Find("guid"), 0);
  EXPECT_EQ((*r)->Find("urls"), 3);
  V cells;
  int64_t line = 0;
  ASSERT_TRUE(*(*r)->Next(cells, line));
  EXPECT_EQ(line, 2);
  EXPECT_EQ(cells, (V{"g1", "aa", "1", "s3://b/x, s3://b/y"}));
  ASSERT_TRUE(*(*r)->Next(cells, line));
  EXPECT_EQ(line, 4);
  EXPECT_EQ(cells[3], "multi\nline \"q\"");
  ASSERT_TRUE(*(*r)->Next(cells, line));
  EXPECT_EQ(line, 6);
  EXPECT_EQ(cells, (V{"g3", "cc", "", ""}));
  EXPECT_FALSE(*(*r)->Next(cells, line));
}

TEST(ManifestReader, BadInputSaysWhere) {
  auto r = ManifestReader::Open(WriteTemp("bad.tsv", "guid\tmd5\na\tb\tc\n"));
  ASSERT_TRUE(r.ok());
  V cells;
  int64_t line = 0;
  auto more = (*r)->Next(cells, line);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().where().find("bad.tsv:2"), std::string::npos);
  auto q = ManifestReader::Open(WriteTemp("q.csv", "guid,md5\n\"a,b\n"));
  ASSERT_TRUE(q.ok());
  more = (*q)->Next(cells, line);
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("never closed"), std::string::npos);
  EXPECT_EQ(ManifestReader::Open("/nonexistent/m.tsv").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(ManifestReader::Open(WriteTemp("empty.csv", "")).status().code(), Status::Code::kInvalidArgument);
}

TEST(ManifestFile, ChecksEveryField) {
  auto r = ManifestReader::Open(WriteTemp("f.tsv", "guid\tmd5\tsize\tacl\tauthz\turl\tfile_name\n"));
  ASSERT_TRUE(r.ok());
  ManifestColumns col = ManifestColumns::Of(**r);
  auto good = ReadManifestFile({"dg.1/0a1b2c3d-0000-4000-8000-000000000001", "0123456789ABCDEF0123456789abcdef",
                                "42", "['open']", "/programs/p", "s3://b/k", "k"},
                               col, "f.tsv:2");
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->md5, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(*good->size, 42);
  EXPECT_EQ(good->acl, V{"*"});
  auto record = IndexRecordOf(*good);
  EXPECT_EQ(record["did"], "dg.1/0a1b2c3d-0000-4000-8000-000000000001");
  EXPECT_EQ(record["hashes"]["md5"], "0123456789abcdef0123456789abcdef");
  auto bad = ReadManifestFile({"nope", "xyz", "-1", "", "programs", "bucket/k", ""}, col, "f.tsv:3");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().where(), "f.tsv:3");
  for (const char* part : {"guid 'nope'", "md5 'xyz'", "size '-1'", "authz 'programs'", "url 'bucket/k'"})
    EXPECT_NE(bad.status().message().find(part), std::string::npos) << part << " in " << bad.status().message();
}

TEST(ManifestWriter, QuotesOnlyWhenNeeded) {
  std::string out;
  AppendManifestRow(out, {"a", "b,c", "d\"e", "f"}, ',');
  EXPECT_EQ(out, "a,\"b,c\",\"d\"\"e\",f\n");
  out.clear();
  AppendManifestRow(out, {"a", "b,c"}, '\t');
  EXPECT_EQ(out, "a\tb,c\n");
}

}  // namespace
}  // namespace dcc
