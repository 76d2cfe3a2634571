#include "server/auth/token_service.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/base64url.h"

namespace dcc::server {
namespace {

namespace fs = std::filesystem;

nlohmann::json Claims(const std::string& jwt) {
  size_t a = jwt.find('.'), b = jwt.find('.', a + 1);
  std::string payload;
  EXPECT_TRUE(FromB64Url(jwt.substr(a + 1, b - a - 1), &payload));
  return nlohmann::json::parse(payload);
}

class TokenServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/dcc-token-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = OpenSqliteRecordStore((dir_ / "dcc.sqlite").string()).value();
    auto w = store_->Write().value();
    ASSERT_TRUE(w->PutPrincipal(alice_).ok());
    ASSERT_TRUE(w->Commit().ok());
    TokenOptions o;
    o.issuer = "http://127.0.0.1:9/user";
    tokens_ = std::make_unique<TokenService>(*store_, *JwtKeys::LoadOrCreate(dir_.string()), o);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  Principal alice_{"alice@x.org", "u-alice", false, {}};
  std::unique_ptr<RecordStore> store_;
  std::unique_ptr<TokenService> tokens_;
};

TEST_F(TokenServiceTest, KeyFileIsPrivateAndStable) {
  EXPECT_EQ(fs::status(dir_ / "jwt_rs256.pem").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(JwtKeys::LoadOrCreate(dir_.string())->kid, tokens_->keys().kid);
}

TEST_F(TokenServiceTest, LifetimesAreClamped) {
  auto key = tokens_->CreateApiKey(alice_, 999999999, {});
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  auto kc = Claims(key->api_key);
  EXPECT_EQ(kc["pur"], "api_key");
  EXPECT_EQ(kc["jti"], key->key_id);
  EXPECT_EQ(kc["aud"], nlohmann::json::array({"gen3"}));
  EXPECT_EQ(kc["exp"].get<int64_t>() - kc["iat"].get<int64_t>(), 30 * 24 * 3600);
  auto tok = tokens_->ExchangeApiKey(key->api_key, 99999);
  ASSERT_TRUE(tok.ok()) << tok.status().ToString();
  auto tc = Claims(*tok);
  EXPECT_EQ(tc["pur"], "access");
  EXPECT_EQ(tc["sub"], "u-alice");
  EXPECT_EQ(tc["context"]["user"]["name"], "alice@x.org");
  EXPECT_EQ(tc["exp"].get<int64_t>() - tc["iat"].get<int64_t>(), 3600);
  auto shorter = tokens_->ExchangeApiKey(key->api_key, 60);
  EXPECT_EQ(Claims(*shorter)["exp"].get<int64_t>() - Claims(*shorter)["iat"].get<int64_t>(), 60);
  EXPECT_FALSE(tokens_->CreateApiKey(alice_, -1, {}).ok());
}

TEST_F(TokenServiceTest, VerifyAndRevoke) {
  auto key = tokens_->CreateApiKey(alice_, 0, {"credentials"});
  auto tok = tokens_->ExchangeApiKey(key->api_key, 0);
  auto v = tokens_->VerifyAccessToken(*tok);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->email, "alice@x.org");
  EXPECT_NE(std::find(v->scope.begin(), v->scope.end(), "credentials"), v->scope.end());
  EXPECT_EQ(tokens_->RevokeApiKey("bob@x.org", key->key_id).code(), Status::Code::kNotFound);
  ASSERT_TRUE(tokens_->RevokeApiKey("alice@x.org", key->key_id).ok());
  EXPECT_EQ(tokens_->VerifyAccessToken(*tok).status().code(), Status::Code::kUnauthenticated);
  EXPECT_EQ(tokens_->ExchangeApiKey(key->api_key, 0).status().code(), Status::Code::kUnauthenticated);
  EXPECT_TRUE(tokens_->ListApiKeys("alice@x.org")->empty());
}

TEST_F(TokenServiceTest, RefusesOtherIssuersAndOtherKeys) {
  auto key = tokens_->CreateApiKey(alice_, 0, {});
  auto tok = tokens_->ExchangeApiKey(key->api_key, 0);
  tokens_->SetIssuer("http://elsewhere/user");
  EXPECT_NE(tokens_->VerifyAccessToken(*tok).status().message().find("not by this server"), std::string::npos);
  // A token signed by another key pair does not verify.
  fs::path other = dir_ / "other";
  fs::create_directories(other);
  TokenService stranger(*store_, *JwtKeys::LoadOrCreate(other.string()), tokens_->options());
  auto foreign = stranger.ExchangeApiKey(key->api_key, 0);
  EXPECT_EQ(foreign.status().code(), Status::Code::kUnauthenticated);
}

}  // namespace
}  // namespace dcc::server
