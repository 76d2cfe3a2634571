// aws-chunked (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) uploads against a real dccd: the
// request is signed here as the AWS SDKs sign it (common/sigv4.h, which matches AWS's
// published vectors), and a tampered chunk must be refused without changing the record.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <thread>

#include <nlohmann/json.hpp>

#include "common/hashing.h"
#include "common/sigv4.h"
#include "support/dccd_harness.h"

namespace dcc::testing {
namespace {
using nlohmann::json;

class S3StreamingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir("dcc-s3-streaming");
    std::vector<std::string> args = {"--s3-listen", "127.0.0.1:0", "--s3-port-file", (dir_ / "s3port").string()};
    for (const auto& a : ExtraServeArgs()) args.push_back(a);
    harness_ = std::make_unique<DccdHarness>(HarnessOptions{DCCD_PATH, DCC_PROFILES_DIR, dir_, false, args});
    harness_->Setup();
    harness_->Start();
    std::ifstream(dir_ / "s3port") >> s3_port_;
    auto admin = Api("admin");
    for (auto [type, body] : std::vector<std::pair<std::string, json>>{
             {"/award", {{"name", "U1"}, {"project", "ENCODE"}, {"rfa", "ENCODE4"}, {"title", "A"}}},
             {"/lab", {{"name", "lab-a"}, {"title", "Lab A"}}},
             {"/biosample_type", {{"name", "k562"}, {"classification", "cell line"}, {"term_id", "EFO:1"}, {"term_name", "K562"}}}}) {
      auto r = admin->Post(type.c_str(), body.dump(), "application/json");
      ASSERT_TRUE(r && r->status == 201) << (r ? r->body : "no response");
    }
    auto r = Api("alice")->Post("/experiment", json{{"lab", "lab-a"}, {"award", "U1"}, {"assay_term_name", "ChIP-seq"},
                                                    {"biosample_ontology", "k562"}, {"aliases", {"lab-a:e1"}}}.dump(),
                                "application/json");
    ASSERT_TRUE(r && r->status == 201);
  }
  void TearDown() override {
    harness_.reset();
    std::filesystem::remove_all(dir_);
  }
  virtual std::vector<std::string> ExtraServeArgs() const { return {}; }
  std::unique_ptr<httplib::Client> Api(const std::string& who) {
    auto c = harness_->Client();
    const auto& cred = harness_->credentials().at(who);
    c->set_basic_auth(cred.id.c_str(), cred.secret.c_str());
    return c;
  }
  // Creates a file record for `content`; returns its object frame.
  json NewFile(const std::string& content) {
    MultiHasher h;
    h.Update(content.data(), content.size());
    auto r = Api("alice")->Post("/file", json{{"lab", "lab-a"}, {"award", "U1"}, {"dataset", "lab-a:e1"},
                                              {"file_format", "bam"}, {"output_type", "alignments"},
                                              {"md5sum", h.Finish().md5}, {"file_size", content.size()}}.dump(),
                                "application/json");
    EXPECT_TRUE(r && r->status == 201);
    return json::parse(r->body)["@graph"][0];
  }
  // PUTs `content` aws-chunked in 64 KiB chunks, signed with the file's credentials.
  // `tamper` flips one byte of the second chunk after signing.
  httplib::Result PutChunked(const json& file, const std::string& content, bool tamper) {
    const json& cred = file["upload_credentials"];
    std::string url = cred["upload_url"];
    std::string path = "/" + url.substr(5);  // s3://bucket/key -> /bucket/key
    char date[32];
    std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", std::gmtime(&now));
    std::string amz_date = date;
    std::string scope = amz_date.substr(0, 8) + "/us-east-1/s3/aws4_request";
    const size_t kChunk = 64 * 1024;
    std::vector<std::string> chunks;
    for (size_t off = 0; off < content.size(); off += kChunk) chunks.push_back(content.substr(off, kChunk));
    chunks.push_back("");
    size_t encoded = 0;
    for (const auto& c : chunks) {
      char hex[32];
      std::snprintf(hex, sizeof hex, "%zx", c.size());
      encoded += std::strlen(hex) + std::strlen(";chunk-signature=") + 64 + 2 + c.size() + 2;
    }
    sigv4::Request req{"PUT", path, {},
                       {{"content-encoding", "aws-chunked"},
                        {"content-length", std::to_string(encoded)},
                        {"host", "127.0.0.1:" + std::to_string(s3_port_)},
                        {"x-amz-content-sha256", sigv4::kStreamingPayload},
                        {"x-amz-date", amz_date},
                        {"x-amz-decoded-content-length", std::to_string(content.size())},
                        {"x-amz-security-token", cred["session_token"]}}};
    std::vector<std::string> signed_headers;
    for (const auto& [k, v] : req.headers) signed_headers.push_back(k);
    std::string key = sigv4::SigningKey(cred["secret_key"], amz_date.substr(0, 8), "us-east-1", "s3");
    std::string seed = sigv4::Signature(key, sigv4::StringToSign(amz_date, scope,
                                                                 sigv4::CanonicalRequest(req, signed_headers, sigv4::kStreamingPayload)));
    std::string body, previous = seed;
    for (size_t i = 0; i < chunks.size(); ++i) {
      std::string sig = sigv4::Signature(key, sigv4::ChunkStringToSign(amz_date, scope, previous,
                                                                       sigv4::Sha256Hex(chunks[i])));
      char hex[32];
      std::snprintf(hex, sizeof hex, "%zx", chunks[i].size());
      std::string data = chunks[i];
      if (tamper && i == 1) data[10] ^= 1;
      body += std::string(hex) + ";chunk-signature=" + sig + "\r\n" + data + "\r\n";
      previous = sig;
    }
    EXPECT_EQ(body.size(), encoded);
    std::string auth = std::string(sigv4::kAlgorithm) + " Credential=" + cred["access_key"].get<std::string>() + "/" +
                       scope + ", SignedHeaders=";
    for (size_t i = 0; i < signed_headers.size(); ++i) auth += (i ? ";" : "") + signed_headers[i];
    auth += ", Signature=" + seed;
    httplib::Client s3("127.0.0.1", s3_port_);
    httplib::Headers h;
    for (const auto& [k, v] : req.headers)
      if (k != "host" && k != "content-length") h.emplace(k, v);
    h.emplace("Authorization", auth);
    return s3.Put(path.c_str(), h, body, "application/octet-stream");
  }
  std::string StatusOf(const json& file) {
    auto r = Api("alice")->Get((file["@id"].get<std::string>()).c_str());
    return json::parse(r->body)["status"];
  }

  std::filesystem::path dir_;
  std::unique_ptr<DccdHarness> harness_;
  int s3_port_ = 0;
};

// A presigned PUT URL for the file's key, signed `age_seconds` ago, valid `expires` s.
std::string Presign(const json& file, int port, int64_t age_seconds, int64_t expires) {
  const json& cred = file["upload_credentials"];
  std::string url = cred["upload_url"];
  std::string path = "/" + url.substr(5);
  char date[32];
  std::time_t then = std::time(nullptr) - age_seconds;
  std::strftime(date, sizeof date, "%Y%m%dT%H%M%SZ", std::gmtime(&then));
  std::string amz_date = date;
  std::string scope = amz_date.substr(0, 8) + "/us-east-1/s3/aws4_request";
  sigv4::Request req{"PUT", path,
                     {{"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
                      {"X-Amz-Credential", cred["access_key"].get<std::string>() + "/" + scope},
                      {"X-Amz-Date", amz_date},
                      {"X-Amz-Expires", std::to_string(expires)},
                      {"X-Amz-Security-Token", cred["session_token"]},
                      {"X-Amz-SignedHeaders", "host"}},
                     {{"host", "127.0.0.1:" + std::to_string(port)}}};
  std::string key = sigv4::SigningKey(cred["secret_key"], amz_date.substr(0, 8), "us-east-1", "s3");
  std::string sig = sigv4::Signature(key, sigv4::StringToSign(amz_date, scope,
                                                              sigv4::CanonicalRequest(req, {"host"}, sigv4::kUnsignedPayload)));
  std::string q;
  for (const auto& [k, v] : req.query) q += (q.empty() ? "?" : "&") + sigv4::UriEncode(k, false) + "=" + sigv4::UriEncode(v, false);
  return sigv4::UriEncode(path, true) + q + "&X-Amz-Signature=" + sig;
}

std::string Content(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i * 31 + 7);
  return s;
}

TEST_F(S3StreamingTest, SignedChunkedUploadVerifiesAndCompletesTheFile) {
  std::string content = Content(200000);
  json file = NewFile(content);
  auto res = PutChunked(file, content, /*tamper=*/false);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(StatusOf(file), "in progress");
}

TEST_F(S3StreamingTest, ATamperedChunkIsRefusedAndChangesNothing) {
  std::string content = Content(200000);
  json file = NewFile(content);
  auto res = PutChunked(file, content, /*tamper=*/true);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 403) << res->body;
  EXPECT_NE(res->body.find("SignatureDoesNotMatch"), std::string::npos) << res->body;
  EXPECT_EQ(StatusOf(file), "uploading");
}

TEST_F(S3StreamingTest, PresignedPutWorksUntilItExpires) {
  std::string content = Content(3000);
  json file = NewFile(content);
  httplib::Client s3("127.0.0.1", s3_port_);
  auto expired = s3.Put(Presign(file, s3_port_, 7200, 60).c_str(), content, "application/octet-stream");
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->status, 403) << expired->body;
  EXPECT_NE(expired->body.find("expired"), std::string::npos) << expired->body;
  EXPECT_EQ(StatusOf(file), "uploading");
  auto ok = s3.Put(Presign(file, s3_port_, 0, 300).c_str(), content, "application/octet-stream");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
  EXPECT_EQ(StatusOf(file), "in progress");
}

TEST_F(S3StreamingTest, RequestsSignedLongAgoAreRefused) {
  std::string content = Content(1000);
  json file = NewFile(content);
  // A presigned URL that is still valid but carries a signature for another method.
  httplib::Client s3("127.0.0.1", s3_port_);
  auto wrong_method = s3.Get(Presign(file, s3_port_, 0, 300).c_str());
  ASSERT_TRUE(wrong_method);
  EXPECT_EQ(wrong_method->status, 403) << wrong_method->body;
  EXPECT_NE(wrong_method->body.find("SignatureDoesNotMatch"), std::string::npos);
  // No credentials at all.
  auto anonymous = s3.Put(("/" + file["upload_credentials"]["upload_url"].get<std::string>().substr(5)).c_str(), content,
                          "application/octet-stream");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 403);
  EXPECT_EQ(StatusOf(file), "uploading");
}

// Sends `sent` bytes of a body that declares `declared` bytes, then half-closes; returns
// the raw response.
std::string ShortBody(int port, const std::string& target, size_t declared, size_t sent) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return "connect failed";
  std::string req = "PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) +
                    "\r\nContent-Length: " + std::to_string(declared) + "\r\nConnection: close\r\n\r\n" +
                    std::string(sent, 'x');
  (void)!write(fd, req.data(), req.size());
  shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, n);
  close(fd);
  return out;
}

TEST_F(S3StreamingTest, ABodyShorterThanItsContentLengthStoresNothing) {
  std::string content = Content(1000);
  json file = NewFile(content);
  std::string response = ShortBody(s3_port_, Presign(file, s3_port_, 0, 300), 1000, 500);
  // cpp-httplib closes the connection without a response when a body ends before its
  // Content-Length (the handler's 400 IncompleteBody is not written), so the client sees
  // the connection end; what matters here is that nothing was stored.
  EXPECT_EQ(response.find(" 200 "), std::string::npos) << response;
  EXPECT_EQ(StatusOf(file), "uploading");
  // The same URL still works with the whole body: nothing half-written was kept.
  httplib::Client s3("127.0.0.1", s3_port_);
  auto ok = s3.Put(Presign(file, s3_port_, 0, 300).c_str(), content, "application/octet-stream");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

class S3ShortCredentialsTest : public S3StreamingTest {
 protected:
  std::vector<std::string> ExtraServeArgs() const override { return {"--upload-credential-seconds", "1"}; }
};

TEST_F(S3ShortCredentialsTest, ExpiredUploadCredentialsAreRefused) {
  std::string content = Content(1000);
  json file = NewFile(content);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));  // let the 1 s credentials lapse
  httplib::Client s3("127.0.0.1", s3_port_);
  auto res = s3.Put(Presign(file, s3_port_, 0, 300).c_str(), content, "application/octet-stream");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400) << res->body;
  EXPECT_NE(res->body.find("ExpiredToken"), std::string::npos) << res->body;
  EXPECT_EQ(StatusOf(file), "uploading");
}

}  // namespace
}  // namespace dcc::testing
