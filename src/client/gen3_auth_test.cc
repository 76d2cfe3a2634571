#include "dcc/gen3_auth.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

namespace dcc {
namespace {

std::string B64(const std::string& s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

// An unsigned JWT with this payload: the client never checks signatures.
std::string Jwt(const nlohmann::json& payload) {
  return B64(R"({"alg":"RS256","typ":"JWT"})") + "." + B64(payload.dump()) + ".c2ln";
}

TEST(Gen3Jwt, CommonsUrlFromIss) {
  EXPECT_EQ(*CommonsUrlFromToken(Jwt({{"iss", "https://data.example.org/user"}})), "https://data.example.org");
  EXPECT_EQ(*CommonsUrlFromToken(Jwt({{"iss", "http://127.0.0.1:8080/user/"}})), "http://127.0.0.1:8080");
  EXPECT_EQ(*CommonsUrlFromToken(Jwt({{"iss", "https://x.org"}})), "https://x.org");
  EXPECT_EQ(CommonsUrlFromToken(Jwt({{"sub", "1"}})).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CommonsUrlFromToken(Jwt({{"iss", "x.org"}})).status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CommonsUrlFromToken("not-a-jwt").status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CommonsUrlFromToken("a.!!!.c").status().code(), Status::Code::kInvalidArgument);
}

TEST(Gen3Jwt, RefreshRuleIsTheSdks) {
  EXPECT_FALSE(TokenNeedsRefresh(/*exp=*/1000, /*now=*/699));
  EXPECT_TRUE(TokenNeedsRefresh(1000, 701));
  EXPECT_TRUE(TokenNeedsRefresh(1000, 1001));
}

TEST(Gen3Credentials, LookupLikeTheSdk) {
  auto home = std::filesystem::temp_directory_path() / ("dcc-gen3-home-" + std::to_string(::getpid()));
  std::filesystem::create_directories(home / ".gen3");
  std::ofstream(home / ".gen3" / "prod.json") << R"({"api_key":"k.e.y","key_id":"id1"})";
  std::ofstream(home / ".gen3" / "bad") << "{not json";
  std::ofstream(home / "nokey.json") << R"({"key_id":"x"})";
  setenv("HOME", home.c_str(), 1);
  auto c = LoadGen3Credentials("prod");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->api_key, "k.e.y");
  EXPECT_EQ(c->key_id, "id1");
  setenv("GEN3_API_KEY", "prod", 1);
  EXPECT_TRUE(LoadGen3Credentials("").ok());
  unsetenv("GEN3_API_KEY");
  EXPECT_EQ(LoadGen3Credentials("").status().code(), Status::Code::kNotFound);  // ~/.gen3/credentials
  EXPECT_EQ(LoadGen3Credentials("bad").status().code(), Status::Code::kInvalidArgument);
  auto nokey = LoadGen3Credentials((home / "nokey.json").string());
  EXPECT_EQ(nokey.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(nokey.status().message().find("api_key"), std::string::npos);
}

struct FakeFence {
  std::atomic<int64_t> now{1'000'000};
  std::atomic<int> calls{0};
  int lifetime = 3600;
  Gen3AuthOptions Options() {
    Gen3AuthOptions o;
    o.now = [this] { return now.load(); };
    o.exchange = [this](const Gen3Credentials&) -> Result<std::string> {
      int n = ++calls;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // widen the race window
      return Jwt({{"exp", now.load() + lifetime}, {"jti", n}});
    };
    return o;
  }
};

TEST(Gen3TokenSource, RefreshesFiveMinutesEarly) {
  FakeFence fence;
  Gen3Credentials c{Jwt({{"iss", "http://127.0.0.1:1/user"}}), "id", "creds.json"};
  auto src = Gen3TokenSource::Create(c, fence.Options());
  ASSERT_TRUE(src.ok()) << src.status().ToString();
  EXPECT_EQ((*src)->endpoint(), "http://127.0.0.1:1");
  std::string t1 = *(*src)->Token();
  EXPECT_EQ(*(*src)->Token(), t1);
  fence.now += 3600 - 301;
  EXPECT_EQ(*(*src)->Token(), t1);
  fence.now += 2;  // inside the 300 s margin
  std::string t2 = *(*src)->Token();
  EXPECT_NE(t2, t1);
  EXPECT_EQ((*src)->exchanges(), 2);
}

TEST(Gen3TokenSource, ShortTokensLiveHalfTheirLife) {
  FakeFence fence;
  fence.lifetime = 20;
  auto src = Gen3TokenSource::Create({Jwt({{"iss", "http://h/user"}}), "", "c"}, fence.Options());
  std::string t1 = *(*src)->Token();
  fence.now += 9;
  EXPECT_EQ(*(*src)->Token(), t1);
  fence.now += 2;
  EXPECT_NE(*(*src)->Token(), t1);
}

TEST(Gen3TokenSource, SingleFlightAcrossThreads) {
  FakeFence fence;
  auto src = Gen3TokenSource::Create({Jwt({{"iss", "http://h/user"}}), "", "c"}, fence.Options());
  std::string first = *(*src)->Token();
  // Eight workers get the same 401 for the same token: one exchange serves them all.
  std::vector<std::thread> workers;
  std::vector<std::string> got(8);
  for (int i = 0; i < 8; ++i) workers.emplace_back([&, i] { got[i] = *(*src)->Refresh(first); });
  for (auto& w : workers) w.join();
  EXPECT_EQ(fence.calls.load(), 2);
  for (const auto& g : got) EXPECT_EQ(g, got[0]);
  EXPECT_NE(got[0], first);
}

TEST(Gen3TokenSource, RefusalIsUnauthenticatedAndBadKeyInvalid) {
  Gen3AuthOptions o;
  o.exchange = [](const Gen3Credentials&) -> Result<std::string> { return Status::Unauthenticated("revoked"); };
  auto src = Gen3TokenSource::Create({Jwt({{"iss", "http://h/user"}}), "", "c"}, o);
  EXPECT_EQ((*src)->Token().status().code(), Status::Code::kUnauthenticated);
  auto bad = Gen3TokenSource::Create({"garbage", "", "creds.json"}, Gen3AuthOptions{});
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.status().where(), "creds.json");
  // No iss but an explicit endpoint is fine.
  Gen3AuthOptions with_endpoint;
  with_endpoint.endpoint = "http://h/";
  auto ok = Gen3TokenSource::Create({Jwt({{"sub", "1"}}), "", "c"}, with_endpoint);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)->endpoint(), "http://h");
}

}  // namespace
}  // namespace dcc
