// The payload rules of the reference client (encode.md §1.5, §1.9) and the log file names
// (§1.2), without a server.
#include "client/payload_rules.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "client/submission_log.h"

namespace dcc::client {
namespace {
using nlohmann::json;

TEST(PrepareFileRecord, ComputesMd5AndSizeOfALocalFile) {
  char path[] = "/tmp/dcc-payload-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "abc", 3), 3);
  close(fd);
  json p = {{"submitted_file_name", path}, {"md5sum", ""}};
  ASSERT_TRUE(PrepareFileRecord(p).ok());
  EXPECT_EQ(p["md5sum"], "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(p["file_size"], 3);
  std::remove(path);
}

TEST(PrepareFileRecord, RemoteSourcesNeedAGivenMd5) {
  json p = {{"submitted_file_name", "gs://bucket/reads.fastq.gz"}};
  Status s = PrepareFileRecord(p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("give md5sum"), std::string::npos);
  // s3:// objects are read (tests/cli/s3_source.sh), but only through an endpoint.
  json s3 = {{"submitted_file_name", "s3://bucket/reads.fastq.gz"}};
  s = PrepareFileRecord(s3);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("no S3 endpoint"), std::string::npos);
  EXPECT_FALSE(s3.contains("md5sum"));
  json given = {{"submitted_file_name", "s3://bucket/reads.fastq.gz"}, {"md5sum", "00112233445566778899aabbccddeeff"}};
  EXPECT_TRUE(PrepareFileRecord(given).ok());
  EXPECT_FALSE(given.contains("file_size"));
}

TEST(PrepareFileRecord, MissingLocalFileWithoutMd5IsAnError) {
  json p = {{"submitted_file_name", "/nonexistent/r1.fastq.gz"}};
  Status s = PrepareFileRecord(p);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.where(), "/submitted_file_name");
}

TEST(PrepareFileRecord, SingleEndedDropsPairedEnd) {
  json p = {{"run_type", "single-ended"}, {"paired_end", "1"}, {"md5sum", "x"}};
  ASSERT_TRUE(PrepareFileRecord(p).ok());
  EXPECT_FALSE(p.contains("paired_end"));
  json q = {{"run_type", "paired-ended"}, {"paired_end", "2"}};
  ASSERT_TRUE(PrepareFileRecord(q).ok());
  EXPECT_EQ(q["paired_end"], "2");
}

TEST(InlineAttachments, BuildsADataUriAndRefusesUnknownExtensions) {
  const std::string path = "/tmp/dcc-payload-test-" + std::to_string(getpid()) + ".txt";
  std::ofstream(path) << "hi";
  json p = {{"attachment", {{"path", path}}}, {"description", {{"path", "not an attachment"}, {"x", 1}}}};
  ASSERT_TRUE(InlineAttachments(p).ok());
  EXPECT_EQ(p["attachment"]["type"], "text/plain");
  EXPECT_EQ(p["attachment"]["href"], "data:text/plain;base64,aGk=");
  EXPECT_EQ(p["attachment"]["download"], path.substr(5));
  EXPECT_EQ(p["description"]["x"], 1);  // only {"path": ...} alone is the shortcut
  std::remove(path.c_str());
  json bad = {{"plot", {{"path", "/tmp/x.unknownext"}}}};
  Status s = InlineAttachments(bad);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(s.where(), "/plot");
}

TEST(SubmissionLog, HostTagNeverBreaksAFileName) {
  EXPECT_EQ(SubmissionLog::HostTag("http://127.0.0.1:8000"), "127.0.0.1_8000");
  EXPECT_EQ(SubmissionLog::HostTag("https://user:pw@portal.example.org/base/"), "portal.example.org");
  EXPECT_EQ(SubmissionLog::HostTag("www.encodeproject.org"), "www.encodeproject.org");
}

}  // namespace
}  // namespace dcc::client
