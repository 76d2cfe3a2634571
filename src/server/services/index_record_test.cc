#include "server/services/index_record.h"

#include <gtest/gtest.h>

namespace dcc::server {
namespace {
using nlohmann::json;

json Valid() {
  return {{"form", "object"},
          {"size", 3},
          {"hashes", {{"md5", "900150983cd24fb0d6963f7d28e17f72"}}},
          {"urls", json::array()}};
}

TEST(IndexRecordTest, HashesMustBeLowerCaseHexOfTheirLength) {
  EXPECT_TRUE(ValidateHash("md5", "900150983cd24fb0d6963f7d28e17f72").ok());
  EXPECT_FALSE(ValidateHash("md5", "900150983CD24FB0D6963F7D28E17F72").ok());
  EXPECT_FALSE(ValidateHash("md5", "900150983cd24fb0d6963f7d28e17f7").ok());
  EXPECT_TRUE(ValidateHash("crc", "0a1b2c3d").ok());
  EXPECT_TRUE(ValidateHash("etag", "900150983cd24fb0d6963f7d28e17f72-12").ok());
  EXPECT_FALSE(ValidateHash("etag", "900150983cd24fb0d6963f7d28e17f72-").ok());
  EXPECT_FALSE(ValidateHash("sha", "0a1b2c3d").ok());
}

TEST(IndexRecordTest, CreateBodyNeedsItsKeysAndNoOthers) {
  ObjectRow row;
  EXPECT_TRUE(ApplyCreateBody(Valid(), row).ok());
  EXPECT_EQ(row.size, 3u);
  for (const char* key : {"form", "size", "hashes", "urls"}) {
    json body = Valid();
    body.erase(key);
    ObjectRow r;
    Status s = ApplyCreateBody(body, r);
    EXPECT_EQ(s.code(), Status::Code::kInvalidArgument) << key;
    EXPECT_EQ(s.where(), std::string("/") + key);
  }
  json extra = Valid();
  extra["colour"] = "red";
  ObjectRow r;
  EXPECT_NE(ApplyCreateBody(extra, r).message().find("'colour' was unexpected"), std::string::npos);
}

TEST(IndexRecordTest, ListsAreDeduplicatedInOrder) {
  json body = Valid();
  body["acl"] = {"b", "a", "b"};
  ObjectRow row;
  ASSERT_TRUE(ApplyCreateBody(body, row).ok());
  EXPECT_EQ(row.acl, (std::vector<std::string>{"b", "a"}));
}

TEST(IndexRecordTest, ContentDatesDefaultAndOrder) {
  json body = Valid();
  body["content_created_date"] = "2026-01-02T03:04:05Z";
  ObjectRow row;
  ASSERT_TRUE(ApplyCreateBody(body, row).ok());
  EXPECT_EQ(row.content_created, "2026-01-02T03:04:05");
  EXPECT_EQ(row.content_updated, "2026-01-02T03:04:05");
  body["content_updated_date"] = "2026-01-01T00:00:00";
  ObjectRow r2;
  EXPECT_FALSE(ApplyCreateBody(body, r2).ok());
  body["content_updated_date"] = "yesterday";
  ObjectRow r3;
  EXPECT_FALSE(ApplyCreateBody(body, r3).ok());
}

TEST(IndexRecordTest, UpdateReplacesUrlsAndDropsTheirMetadata) {
  ObjectRow row;
  json body = Valid();
  body["urls"] = {"s3://a", "s3://b"};
  body["urls_metadata"] = {{"s3://a", {{"k", "v"}}}, {"s3://b", {{"k", "w"}}}};
  ASSERT_TRUE(ApplyCreateBody(body, row).ok());
  ASSERT_TRUE(ApplyUpdateBody({{"urls", {"s3://b"}}}, row).ok());
  EXPECT_EQ(row.urls_metadata, json({{"s3://b", {{"k", "w"}}}}));
  EXPECT_FALSE(ApplyUpdateBody({{"size", 4}}, row).ok());
  EXPECT_FALSE(ApplyUpdateBody({{"hashes", json::object()}}, row).ok());
}

TEST(IndexRecordTest, RenderedDocHasEveryKey) {
  ObjectRow row;
  row.did = "dg.4242/00000000-0000-4000-8000-000000000001";
  RenderIndexDoc(row);
  json doc = json::parse(row.doc);
  for (const char* key :
       {"did", "baseid", "rev", "size", "file_name", "version", "uploader", "urls", "urls_metadata",
        "acl", "authz", "hashes", "metadata", "form", "created_date", "updated_date", "description",
        "content_created_date", "content_updated_date"})
    EXPECT_TRUE(doc.contains(key)) << key;
  EXPECT_TRUE(doc["size"].is_null());
}

TEST(IndexRecordTest, DidsEndWithAUuid) {
  EXPECT_TRUE(ValidDid("dg.4242/00000000-0000-4000-8000-000000000001"));
  EXPECT_TRUE(ValidDid("00000000-0000-4000-8000-000000000001"));
  EXPECT_FALSE(ValidDid("00000000-0000-4000-8000-000000000001/extra"));
  EXPECT_EQ(NewRev().size(), 8u);
  EXPECT_EQ(IndexDateNow().find('+'), std::string::npos);
}

}  // namespace
}  // namespace dcc::server
