#include "gateway/json_text.h"

#include <gtest/gtest.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

std::string ToChars(double d) {
  char buf[32];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, d).ptr);
}

std::string Shortest(double d) {
  char buf[32];
  return std::string(buf, ShortestDoubleText(d, buf));
}

TEST(ShortestDoubleText, WritesWhatToCharsWritesForEdgeValues) {
  using L = std::numeric_limits<double>;
  const double values[] = {0.0,
                           -0.0,
                           1.0,
                           -1.0,
                           0.1,
                           1e21,
                           1e-7,
                           100000.0,
                           41.8781136,
                           -87.6297982,
                           L::max(),
                           L::lowest(),
                           L::min(),
                           -L::min(),
                           L::denorm_min(),
                           L::epsilon(),
                           5e-324,
                           -2.2250738585072014e-308,
                           123456789012345680.0,
                           0.30000000000000004};
  for (double d : values) {
    EXPECT_EQ(Shortest(d), ToChars(d)) << ToChars(d);
    EXPECT_EQ(Shortest(d), ToChars(d)) << "remembered: " << ToChars(d);
  }
  // +0 and -0 differ only in the sign bit: each keeps its own text.
  EXPECT_EQ(Shortest(0.0), "0");
  EXPECT_EQ(Shortest(-0.0), "-0");
  EXPECT_EQ(Shortest(-2.2250738585072014e-308).size(), 24u);
}

// Many more values than slots, each asked for several times in a random
// order, so that values evict each other from shared slots and are
// remembered again: every answer must still be its own value's text.
TEST(ShortestDoubleText, AgreesWithToCharsThroughHitsMissesAndEvictions) {
  std::mt19937_64 rng(20261128);
  std::uniform_real_distribution<double> lat(41.64, 42.03), lon(-87.94, -87.52);
  std::vector<double> values;
  for (int i = 0; i < 3000; ++i) {
    values.push_back(i % 2 ? lat(rng) : lon(rng));
  }
  for (int i = 0; i < 1000; ++i) {  // any bit pattern, NaN and inf left out
    double d = std::bit_cast<double>(rng());
    if (std::isfinite(d)) values.push_back(d);
  }
  for (int round = 0; round < 20000 * 10; ++round) {
    double d = values[rng() % values.size()];
    ASSERT_EQ(Shortest(d), ToChars(d)) << "round " << round;
  }
}

TEST(ShortestDoubleText, IsRightFromManyThreadsAtOnce) {
  std::vector<std::string> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &seen] {
      std::string all;
      for (int i = 0; i < 5000; ++i) {
        double d = 41.0 + (t * 5000 + i) * 1e-7;
        if (Shortest(d) != ToChars(d)) return;
        all += Shortest(d);
      }
      seen[t] = all;
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_FALSE(seen[t].empty()) << "thread " << t;
}

}  // namespace
}  // namespace haven::gateway
