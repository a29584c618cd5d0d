#include "gateway/json_text.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace haven::gateway {
namespace {

// The rule, one byte at a time.
bool Reference(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

TEST(IsPlainJsonText, EveryByteAtEveryPositionAgreesWithTheRule) {
  for (size_t len = 1; len <= 24; ++len) {
    for (size_t pos = 0; pos < len; ++pos) {
      for (int b = 0; b < 256; ++b) {
        std::string s(len, 'a');
        s[pos] = static_cast<char>(b);
        ASSERT_EQ(IsPlainJsonText(s), Reference(s))
            << "len " << len << " pos " << pos << " byte " << b;
      }
    }
  }
}

TEST(IsPlainJsonText, EveryPairOfNeighbouringBytesAgreesWithTheRule) {
  // Borrows between neighbouring bytes are where word-at-a-time tests fail.
  for (size_t pos : {0, 3, 6, 7, 8, 14}) {
    for (int a = 0; a < 256; ++a) {
      for (int b = 0; b < 256; ++b) {
        std::string s(16, 'Z');
        s[pos] = static_cast<char>(a);
        s[pos + 1] = static_cast<char>(b);
        ASSERT_EQ(IsPlainJsonText(s), Reference(s))
            << "pos " << pos << " bytes " << a << ", " << b;
      }
    }
  }
}

TEST(IsPlainJsonText, RandomStringsAgreeWithTheRule) {
  std::mt19937_64 rng(20261128);
  for (int i = 0; i < 200000; ++i) {
    std::string s(rng() % 40, '\0');
    // Mostly plain bytes, with a few of each kind of trouble.
    for (char& c : s) {
      uint64_t r = rng();
      c = static_cast<char>(r % 16 == 0 ? (r >> 8) & 0xff
                                        : 0x20 + (r >> 8) % 96);
    }
    ASSERT_EQ(IsPlainJsonText(s), Reference(s)) << "case " << i;
  }
}

TEST(IsPlainJsonText, Examples) {
  EXPECT_TRUE(IsPlainJsonText(""));
  EXPECT_TRUE(IsPlainJsonText("MLZ4120"));
  EXPECT_TRUE(IsPlainJsonText("2025-06-27T00:31:54Z and more than 8 bytes"));
  EXPECT_TRUE(IsPlainJsonText("del \x7f is allowed"));
  EXPECT_FALSE(IsPlainJsonText("a quote \" here"));
  EXPECT_FALSE(IsPlainJsonText("back\\slash at byte 4"));
  EXPECT_FALSE(IsPlainJsonText("tab\tin the first word"));
  EXPECT_FALSE(IsPlainJsonText("caf\xc3\xa9 is UTF-8, escaped elsewhere"));
  EXPECT_FALSE(IsPlainJsonText(std::string_view("nul\0byte", 8)));
}

}  // namespace
}  // namespace haven::gateway
