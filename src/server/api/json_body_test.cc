#include "server/api/json_body.h"

#include <gtest/gtest.h>

#include "server/http/body_budget.h"

namespace dcc::server {
namespace {

std::string Nested(int n) { return std::string(n, '[') + "1" + std::string(n, ']'); }

HttpRequest WithBody(std::string body) {
  HttpRequest req;
  req.credentials_verified = true;
  req.headers.emplace("Content-Length", std::to_string(body.size()));
  req.stream_body = [body](const BodySink& sink) { return sink(body.data(), body.size()); };
  return req;
}

// Deep JSON parsed fine and then crashed the recursive walks after it (issue 9 item 2).
TEST(JsonBodyDepthDefect, DeeperThanTheLimitIsInvalidArgumentBeforeAnyWalk) {
  auto deep = ParseUntrustedJson(Nested(100000), "the request body", nullptr);
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(deep.status().message().find("deeper than 64"), std::string::npos)
      << deep.status().ToString();
  EXPECT_FALSE(ParseUntrustedJson(Nested(kMaxJsonDepth + 1), "x", nullptr).ok());
  auto limit = ParseUntrustedJson(Nested(kMaxJsonDepth), "x", nullptr);
  ASSERT_TRUE(limit.ok()) << limit.status().ToString();
  EXPECT_EQ(limit->dump(), Nested(kMaxJsonDepth));
  std::string objects;
  for (int i = 0; i < 65; ++i) objects += "{\"a\":";
  objects += "1" + std::string(65, '}');
  EXPECT_FALSE(ParseUntrustedJson(objects, "x", nullptr).ok());
}

// 1e400 escaped ENCODE's parser as an out_of_range exception: a 500 (issue 9 item 5).
TEST(JsonBodyHugeNumberDefect, NumbersBeyondADoubleAreInvalidArgument) {
  for (const char* text : {"{\"a\":1e400}", "[-1e400]", "1e999"}) {
    auto r = ParseUntrustedJson(text, "the request body", nullptr);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << text;
    EXPECT_NE(r.status().message().find("number overflow"), std::string::npos)
        << r.status().ToString();
  }
  EXPECT_TRUE(ParseUntrustedJson("{\"a\":1e308}", "x", nullptr).ok());
}

TEST(JsonBody, MalformedAndEmptyBodiesAreInvalidArgument) {
  auto bad = ParseUntrustedJson("{\"a\":", "the request body", nullptr);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().where(), "byte 6");
  HttpRequest empty = WithBody("  ");
  EXPECT_EQ(ParseJsonBody(empty).status().code(), Status::Code::kInvalidArgument);
}

// A 60 MiB [0,0,...] grew a 1 GiB DOM (issue 9 item 3): the DOM is charged as it grows.
TEST(JsonBodyBudgetDefect, TheDocumentIsChargedAndReleasedWithTheRequest) {
  const size_t before = BodyBudget::held();
  {
    HttpRequest req = WithBody("[" + std::string(3000, '1') + "]");
    std::string text = "[0";
    for (int i = 0; i < 5000; ++i) text += ",0";
    text += "]";
    ASSERT_TRUE(ParseUntrustedJson(text, "x", &req).ok());
    EXPECT_GE(req.budget.bytes(), 5000 * kDomBytesPerValue);
    EXPECT_GE(BodyBudget::held(), before + 5000 * kDomBytesPerValue);
  }
  EXPECT_EQ(BodyBudget::held(), before);
}

TEST(JsonBodyBudgetDefect, ADocumentLargerThanTheWholeBudgetIsTooLarge) {
  BodyBudget::SetLimit(1 << 20);
  HttpRequest req;
  std::string text = "[0";
  for (int i = 0; i < 40000; ++i) text += ",0";  // 40,000 x 64 B > 1 MiB
  text += "]";
  auto r = ParseUntrustedJson(text, "x", &req);
  BodyBudget::SetLimit(0);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kTooLarge);
}

TEST(JsonBodyBudgetDefect, ABodyPastWhatOthersHoldIsUnavailable) {
  BodyBudget::SetLimit(1 << 20);
  {
    BodyCharge other;
    ASSERT_TRUE(other.Add(800 << 10).ok());
    HttpRequest req = WithBody(std::string(300 << 10, ' '));
    EXPECT_EQ(req.Body().status().code(), Status::Code::kUnavailable);
  }
  HttpRequest req = WithBody("{\"a\":1}");
  auto r = ParseJsonBody(req);
  BodyBudget::SetLimit(0);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
}

TEST(BodyLimitsDefect, ACallerWithoutVerifiedCredentialsGetsTheAnonymousLimit) {
  HttpRequest req = WithBody(std::string(5000, ' '));
  req.max_body = 1 << 20;
  req.max_anonymous_body = 4096;
  req.credentials_verified = false;
  auto r = req.Body();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kTooLarge);
  EXPECT_NE(r.status().message().find("without verified credentials"), std::string::npos);
  HttpRequest ok = WithBody(std::string(5000, ' '));
  ok.max_body = 1 << 20;
  ok.max_anonymous_body = 4096;
  EXPECT_TRUE(ok.Body().ok());  // WithBody verified the credentials
}

}  // namespace
}  // namespace dcc::server
