#include "ledger/hash.h"

#include <gtest/gtest.h>

namespace haven::ledger {
namespace {

std::string Hex(const Hash& h) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

TEST(Hash, Sha256OfAbcIsTheFips180Vector) {
  EXPECT_EQ(Hex(Sha256("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Hash, LeafHashPrefixesZeroByte) {
  EXPECT_EQ(HashLeaf("abc"), Sha256(std::string("\0abc", 4)));
  // RFC 6962 reference: the leaf hash of the empty entry.
  EXPECT_EQ(Hex(HashLeaf("")),
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
}

TEST(Hash, NodeHashPrefixesOneByteThenLeftThenRight) {
  Hash l = HashLeaf("l"), r = HashLeaf("r");
  std::string input =
      "\x01" + std::string(AsBytes(l)) + std::string(AsBytes(r));
  EXPECT_EQ(HashChildren(l, r), Sha256(input));
  EXPECT_NE(HashChildren(l, r), HashChildren(r, l));
}

}  // namespace
}  // namespace haven::ledger
