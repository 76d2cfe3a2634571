#include "server/http/byte_range.h"

#include <gtest/gtest.h>

namespace dcc::server {

TEST(ByteRange, Forms) {
  EXPECT_FALSE(ParseByteRange("", 100)->has_value());
  auto r = ParseByteRange("bytes=0-9", 100);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)->offset, 0u);
  EXPECT_EQ((*r)->length, 10u);
  EXPECT_EQ((*ParseByteRange("bytes=90-", 100))->length, 10u);
  EXPECT_EQ((*ParseByteRange("bytes=-30", 100))->offset, 70u);
  EXPECT_EQ((*ParseByteRange("bytes=95-200", 100))->length, 5u);  // clipped
}

TEST(ByteRange, SeveralRangesMeanTheWholeObject) {
  auto r = ParseByteRange("bytes=0-1,5-6", 100);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST(ByteRange, Unsatisfiable) {
  for (const char* h : {"bytes=100-", "bytes=5-2", "bytes=a-b", "items=0-1", "bytes=-0"}) {
    auto r = ParseByteRange(h, 100);
    EXPECT_FALSE(r.ok()) << h;
  }
}

}  // namespace dcc::server
