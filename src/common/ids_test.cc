#include "common/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace dcc {

TEST(Ids, Uuid4HasVersionAndVariant) {
  std::string u = NewUuid4();
  EXPECT_TRUE(LooksLikeUuid(u)) << u;
  EXPECT_EQ(u[14], '4');
  EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos) << u;
  EXPECT_FALSE(LooksLikeUuid("not-a-uuid"));
}

TEST(Ids, AccessionShape) {
  std::string a = NewAccession("DCC", "BS");
  EXPECT_EQ(a.size(), 11u);
  EXPECT_EQ(a.substr(0, 5), "DCCBS");
  EXPECT_TRUE(LooksLikeAccession(a)) << a;
  EXPECT_TRUE(LooksLikeAccession("ENCSR123ABC"));
  EXPECT_TRUE(LooksLikeAccession("TSTFF334203"));
  EXPECT_FALSE(LooksLikeAccession("ENCSR12ABCD"));
  EXPECT_FALSE(LooksLikeAccession("lab:thing"));
}

TEST(Ids, AccessKeysUseTheReferenceFormat) {
  std::string id = NewAccessKeyId();
  std::string secret = NewSecretAccessKey();
  ASSERT_EQ(id.size(), 8u);
  ASSERT_EQ(secret.size(), 16u);
  for (char c : id) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) << id;
  for (char c : secret) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << secret;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) seen.insert(NewAccessKeyId());
  EXPECT_GT(seen.size(), 990u);
}

TEST(Ids, RequestIdsAreRandom96BitBase32) {
  std::string id = NewRequestId();
  ASSERT_EQ(id.size(), 20u) << id;  // ceil(96 / 5)
  for (char c : id) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << id;
  // 96 bits: two processes (or one process twice) never draw the same id in practice,
  // so 10,000 draws are all distinct.
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(NewRequestId());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Ids, Base32KnownVector) {
  // RFC 4648 test vector: "foobar" -> "MZXW6YTBOI" (unpadded).
  const unsigned char foobar[] = {'f', 'o', 'o', 'b', 'a', 'r'};
  EXPECT_EQ(Base32Encode(foobar, 6, true), "MZXW6YTBOI");
}

}  // namespace dcc
