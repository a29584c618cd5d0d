#include "ledger/crc32c.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

namespace haven::ledger {
namespace {

TEST(Crc32c, MatchesRfc3720Vectors) {
  char buf[32];
  std::memset(buf, 0, sizeof(buf));
  EXPECT_EQ(crc32c::Value(buf, sizeof(buf)), 0x8a9136aau);
  std::memset(buf, 0xff, sizeof(buf));
  EXPECT_EQ(crc32c::Value(buf, sizeof(buf)), 0x62a8ab43u);
  EXPECT_EQ(crc32c::Value("123456789", 9), 0xe3069283u);
}

TEST(Crc32c, ExtendEqualsValueOfConcatenation) {
  std::string s;
  for (int i = 0; i < 1000; ++i) s.push_back(static_cast<char>(i * 31));
  for (size_t cut : {0, 1, 7, 8, 9, 500, 999, 1000}) {
    uint32_t a = crc32c::Value(s.data(), cut);
    EXPECT_EQ(crc32c::Extend(a, s.data() + cut, s.size() - cut),
              crc32c::Value(s.data(), s.size()))
        << cut;
  }
}

// Bit by bit from the definition (reflected polynomial 0x82F63B78), to
// check the fast paths against: every length up to 700 (zero to three rounds
// of three 64-byte streams, and every tail), from several starting CRCs.
uint32_t BitwiseExtend(uint32_t crc, const std::string& s) {
  uint32_t c = ~crc;
  for (unsigned char b : s) {
    c ^= b;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

TEST(Crc32c, EveryLengthAgreesWithTheBitwiseDefinition) {
  std::mt19937 rng(20261129);
  for (size_t n = 0; n <= 700; ++n) {
    std::string s(n + 7, '\0');
    for (char& ch : s) ch = static_cast<char>(rng());
    for (uint32_t start : {0u, 0xffffffffu, static_cast<uint32_t>(rng())}) {
      // At every alignment of the data.
      for (size_t off : {0, 1, 7}) {
        ASSERT_EQ(crc32c::Extend(start, s.data() + off, n),
                  BitwiseExtend(start, s.substr(off, n)))
            << "length " << n << " offset " << off << " start " << start;
      }
    }
  }
}

}  // namespace
}  // namespace haven::ledger
