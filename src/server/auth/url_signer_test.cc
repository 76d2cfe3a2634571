// Signed download URLs (issue 9 item 8): the MAC input was "download\n<path>\nk=v...", so
// an expires value "<E>\nfilename=<N>" (sent as %0A) kept the signature valid while adding
// a field, and any unsigned parameter was accepted. These tests pin the canonical,
// length-prefixed encoding and the refusal of anything the signer did not sign.
#include "server/auth/url_signer.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace dcc::server {
namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

const std::string kPath = "/_blobs/g/one.bin";

// The decoded query of a URL Sign returned ("<path>?a=b&..."), as the HTTP edge gives it.
Query QueryOf(const std::string& url) {
  Query q;
  std::string rest = url.substr(url.find('?') + 1);
  while (!rest.empty()) {
    std::string pair = rest.substr(0, rest.find('&'));
    rest = rest.find('&') == std::string::npos ? "" : rest.substr(rest.find('&') + 1);
    std::string k = pair.substr(0, pair.find('=')), v = pair.substr(pair.find('=') + 1), out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size()) {
        out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        out += v[i];
      }
    }
    q.push_back({k, out});
  }
  return q;
}

std::string& ValueOf(Query& q, const std::string& k) {
  for (auto& [name, v] : q)
    if (name == k) return v;
  throw std::logic_error("no " + k);
}

TEST(UrlSigner, ValidUrlVerifiesWithItsFields) {
  UrlSigner signer(std::string(32, 'k'));
  std::string url = signer.Sign(kPath, {"one bin&x=y.txt", "abc", 300000, 2000});
  auto d = signer.Verify(kPath, QueryOf(url), 1000);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->filename, "one bin&x=y.txt");
  EXPECT_EQ(d->etag, "abc");
  EXPECT_EQ(d->size, 300000u);
  EXPECT_EQ(d->expires, 2000);
  EXPECT_FALSE(signer.Verify(kPath, QueryOf(url), 2001).ok());  // expired
}

TEST(UrlSigner, NewlineInjectionInExpiresIsRefused) {
  // The old scheme's attack: a field's value that spells the next field.
  UrlSigner signer(std::string(32, 'k'));
  Query q = QueryOf(signer.Sign(kPath, {"", "abc", 5, 2000}));
  // Under "k=v\n" joining, etag="abc\nexpires=2000" with no expires field gave the same MAC.
  Query forged;
  for (auto& [k, v] : q) {
    if (k == "etag")
      forged.push_back({k, v + "\nexpires=2000"});
    else if (k != "expires")
      forged.push_back({k, v});
  }
  auto r = signer.Verify(kPath, forged, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kPermissionDenied);
  // And an expires that smuggles a filename in.
  Query smuggled = q;
  ValueOf(smuggled, "expires") += "\nfilename=evil.sh";
  EXPECT_FALSE(signer.Verify(kPath, smuggled, 1000).ok());
}

TEST(UrlSigner, UnsignedParameterIsRefused) {
  UrlSigner signer(std::string(32, 'k'));
  Query q = QueryOf(signer.Sign(kPath, {"one.bin", "abc", 5, 2000}));
  Query added = q;
  added.push_back({"response-content-disposition", "inline"});
  auto r = signer.Verify(kPath, added, 1000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("response-content-disposition"), std::string::npos);
  Query twice = q;
  twice.push_back({"filename", "evil.sh"});
  EXPECT_EQ(signer.Verify(kPath, twice, 1000).status().code(), Status::Code::kInvalidArgument);
}

TEST(UrlSigner, ModifiedFieldOrPathIsRefused) {
  UrlSigner signer(std::string(32, 'k'));
  Query q = QueryOf(signer.Sign(kPath, {"one.bin", "abc", 5, 2000}));
  for (const char* f : {"filename", "etag", "size", "expires"}) {
    Query changed = q;
    ValueOf(changed, f) += "1";
    EXPECT_EQ(signer.Verify(kPath, changed, 1000).status().code(), Status::Code::kPermissionDenied)
        << f;
  }
  EXPECT_FALSE(signer.Verify("/_blobs/g/other.bin", q, 1000).ok());
  Query dropped;
  for (auto& kv : q)
    if (kv.first != "etag") dropped.push_back(kv);
  EXPECT_FALSE(signer.Verify(kPath, dropped, 1000).ok());
  UrlSigner stranger(std::string(32, 'x'));
  EXPECT_FALSE(stranger.Verify(kPath, q, 1000).ok());
}

TEST(UrlSigner, OldFormatUrlIsRefused) {
  // Before the canonical encoding, a URL's field set was free; such URLs lack nothing but
  // carry a MAC over the old input, so they no longer verify (they expired within hours).
  UrlSigner signer(std::string(32, 'k'));
  Query q = {{"expires", "2000"}, {"filename", "one.bin"}, {"signature", std::string(64, '0')}};
  EXPECT_EQ(signer.Verify(kPath, q, 1000).status().code(), Status::Code::kPermissionDenied);
}

}  // namespace
}  // namespace dcc::server
