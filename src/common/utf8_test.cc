// FindInvalidUtf8 (issue 9, items 5 and 16): the offset and reason of the first bad byte.
#include "common/utf8.h"

#include <gtest/gtest.h>

namespace dcc {
namespace {

TEST(Utf8, ValidTextHasNoError) {
  EXPECT_FALSE(FindInvalidUtf8(""));
  EXPECT_FALSE(FindInvalidUtf8("plain ascii"));
  EXPECT_FALSE(FindInvalidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
}

TEST(Utf8, FirstBadByteIsLocated) {
  auto bad = FindInvalidUtf8(
      "ab\xff"
      "cd");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->offset, 2u);
  EXPECT_FALSE(bad->reason.empty());
  auto truncated = FindInvalidUtf8("caf\xc3\xa9!\xe2\x82");
  ASSERT_TRUE(truncated);
  EXPECT_EQ(truncated->offset, 6u);
  auto overlong = FindInvalidUtf8("x\xc0\xaf");
  ASSERT_TRUE(overlong);
  EXPECT_EQ(overlong->offset, 1u);
  auto surrogate = FindInvalidUtf8("\xed\xa0\x80");
  ASSERT_TRUE(surrogate);
  EXPECT_EQ(surrogate->offset, 0u);
}

}  // namespace
}  // namespace dcc
