#include "ledger/sha256_ni.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "ledger/hash.h"

// Everything here is checked against OpenSSL's SHA-256 (ledger::Sha256 and
// HashLeaf), which is the reference.
namespace haven::ledger {
namespace {

std::string RandomBytes(std::mt19937_64& rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

Hash Reference(unsigned char prefix, const std::string& data) {
  return Sha256(std::string(1, static_cast<char>(prefix)) + data);
}

TEST(Sha256Ni, ReportsWhetherTheCpuHasIt) {
  if (!sha256_ni::Available()) {
    GTEST_SKIP() << "no SHA-NI on this CPU (or under this emulator)";
  }
  SUCCEED();
}

TEST(Sha256Ni, MatchesOpenSslAtEveryLengthAcrossFiveBlocks) {
  if (!sha256_ni::Available()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(1);
  // 0..330 covers every position of the padding and of the length field
  // relative to a block boundary, in the first blocks and past them.
  for (size_t n = 0; n <= 330; ++n) {
    const std::string data = RandomBytes(rng, n);
    for (unsigned char prefix : {0x00, 0x01, 0xff}) {
      ASSERT_EQ(sha256_ni::HashPrefixed(prefix, data), Reference(prefix, data))
          << "length " << n << ", prefix " << int(prefix);
    }
  }
}

TEST(Sha256Ni, PairMatchesOpenSslForEveryPairOfLengths) {
  if (!sha256_ni::Available()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(2);
  // Lanes of equal and unequal block counts: each lane must finish alone
  // correctly once the other has run out of blocks.
  for (size_t na = 0; na <= 200; na += 3) {
    for (size_t nb = 0; nb <= 200; nb += 7) {
      const std::string a = RandomBytes(rng, na);
      const std::string b = RandomBytes(rng, nb);
      Hash ha, hb;
      sha256_ni::HashPrefixed2(0x00, a, 0x01, b, &ha, &hb);
      ASSERT_EQ(ha, Reference(0x00, a)) << na << " " << nb;
      ASSERT_EQ(hb, Reference(0x01, b)) << na << " " << nb;
    }
  }
}

TEST(Sha256Ni, PairMatchesOpenSslOnLargeRandomInputs) {
  if (!sha256_ni::Available()) GTEST_SKIP() << "no SHA-NI";
  std::mt19937_64 rng(3);
  for (int i = 0; i < 300; ++i) {
    const std::string a = RandomBytes(rng, rng() % 5000);
    const std::string b = RandomBytes(rng, rng() % 5000);
    Hash ha, hb;
    sha256_ni::HashPrefixed2(0x00, a, 0x00, b, &ha, &hb);
    ASSERT_EQ(ha, Reference(0x00, a));
    ASSERT_EQ(hb, Reference(0x00, b));
  }
}

TEST(Sha256Ni, SameInputInBothLanes) {
  if (!sha256_ni::Available()) GTEST_SKIP() << "no SHA-NI";
  const std::string s(1000, 'x');
  Hash ha, hb;
  sha256_ni::HashPrefixed2(0x00, s, 0x00, s, &ha, &hb);
  EXPECT_EQ(ha, hb);
  EXPECT_EQ(ha, HashLeaf(s));
}

// HashLeafPair is the public face: the same answer with or without SHA-NI.
TEST(Hash, LeafPairEqualsTwoLeafHashes) {
  std::mt19937_64 rng(4);
  for (int i = 0; i < 500; ++i) {
    const std::string a = RandomBytes(rng, rng() % 600);
    const std::string b = RandomBytes(rng, rng() % 600);
    Hash ha, hb;
    HashLeafPair(a, b, &ha, &hb);
    ASSERT_EQ(ha, HashLeaf(a));
    ASSERT_EQ(hb, HashLeaf(b));
  }
  // RFC 6962's leaf hash of the empty entry, in both lanes.
  Hash ha, hb;
  HashLeafPair("", "", &ha, &hb);
  EXPECT_EQ(ha, HashLeaf(""));
  EXPECT_EQ(hb, HashLeaf(""));
}

}  // namespace
}  // namespace haven::ledger
