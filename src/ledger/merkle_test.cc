#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include "ledger/base64.h"

namespace haven::ledger {
namespace {

InMemoryTree TreeOf(uint64_t n) {
  InMemoryTree t;
  for (uint64_t i = 0; i < n; ++i) t.Append("entry " + std::to_string(i));
  return t;
}

std::string Hex(const Hash& h) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (uint8_t b : h) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

TEST(Merkle, EmptyRootIsSha256OfNothing) {
  EXPECT_EQ(Hex(CompactRange().Root()),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Merkle, RootsMatchRfc6962ReferenceTree) {
  // The 8 leaves and roots of the RFC 6962 test tree used by
  // transparency-dev/merkle and certificate-transparency-go.
  const std::vector<std::string> leaves = {
      "",
      std::string("\x00", 1),
      std::string("\x10", 1),
      std::string("\x20\x21", 2),
      std::string("\x30\x31", 2),
      std::string("\x40\x41\x42\x43", 4),
      std::string("\x50\x51\x52\x53\x54\x55\x56\x57", 8),
      std::string(
          "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
          16)};
  const char* roots[] = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  CompactRange r;
  for (size_t i = 0; i < leaves.size(); ++i) {
    r.Append(HashLeaf(leaves[i]), nullptr);
    EXPECT_EQ(Hex(r.Root()), roots[i]) << "size " << i + 1;
  }
}

TEST(Merkle, CompactRangeAgreesWithRecursiveDefinitionAtEverySize) {
  InMemoryTree t = TreeOf(300);
  CompactRange r;
  for (uint64_t n = 1; n <= 300; ++n) {
    r.Append(HashLeaf("entry " + std::to_string(n - 1)), nullptr);
    ASSERT_EQ(r.Root(), t.RootAt(n)) << n;
  }
}

TEST(Merkle, CompletedNodesComeInPostOrderAtTheirPositions) {
  InMemoryTree t = TreeOf(100);
  CompactRange r;
  std::vector<Hash> all;
  for (uint64_t i = 0; i < 100; ++i) {
    r.Append(HashLeaf("entry " + std::to_string(i)), &all);
    ASSERT_EQ(all.size(), NodeCount(i + 1));
  }
  for (int level = 0; level < 7; ++level) {
    for (uint64_t k = 0; ((k + 1) << level) <= 100; ++k) {
      Hash h;
      ASSERT_TRUE(t.GetNode(level, k, &h).ok());
      EXPECT_EQ(all[NodePosition(level, k)], h) << level << "," << k;
    }
  }
}

// AppendMany must leave the same right edge and emit the same post-order
// nodes as one Append per leaf, from any starting size and for any count,
// including runs that cross and end on perfect-subtree boundaries.
TEST(Merkle, AppendManyEqualsOneAppendPerLeaf) {
  std::vector<Hash> leaves;
  for (int i = 0; i < 700; ++i) leaves.push_back(HashLeaf(std::to_string(i)));
  for (size_t start : {0, 1, 2, 3, 5, 7, 8, 63, 64, 100, 255, 256, 257}) {
    for (size_t count : {0, 1, 3, 4, 5, 8, 31, 64, 65, 127, 128, 300, 443}) {
      CompactRange one, many;
      for (size_t i = 0; i < start; ++i) {
        one.Append(leaves[i], nullptr);
        many.Append(leaves[i], nullptr);
      }
      std::vector<Hash> one_nodes, many_nodes;
      for (size_t i = start; i < start + count; ++i) {
        one.Append(leaves[i], &one_nodes);
      }
      many.AppendMany(std::span<const Hash>(leaves).subspan(start, count),
                      &many_nodes);
      ASSERT_EQ(many.size(), one.size()) << start << "+" << count;
      ASSERT_EQ(many.hashes(), one.hashes()) << start << "+" << count;
      ASSERT_EQ(many_nodes, one_nodes) << start << "+" << count;
      ASSERT_EQ(many.Root(), one.Root()) << start << "+" << count;
    }
  }
}

TEST(Hash, ChildrenPairEqualsTwoNodeHashes) {
  Hash a = HashLeaf("a"), b = HashLeaf("b"), c = HashLeaf("c"),
       d = HashLeaf("d");
  Hash x, y;
  HashChildrenPair(a, b, c, d, &x, &y);
  EXPECT_EQ(x, HashChildren(a, b));
  EXPECT_EQ(y, HashChildren(c, d));
}

TEST(Merkle, CompactRangeLoadsFromStoredNodes) {
  InMemoryTree t = TreeOf(77);
  for (uint64_t n = 0; n <= 77; ++n) {
    StatusOr<CompactRange> r = CompactRange::FromNodes(n, t);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->Root(), t.RootAt(n));
  }
}

TEST(Merkle, EveryInclusionProofVerifiesAndLeadsToTheRoot) {
  InMemoryTree t = TreeOf(70);
  for (uint64_t n = 1; n <= 70; ++n) {
    Hash root = t.RootAt(n);
    for (uint64_t m = 0; m < n; ++m) {
      StatusOr<std::vector<Hash>> p = InclusionProof(m, n, t);
      ASSERT_TRUE(p.ok());
      Hash leaf = HashLeaf("entry " + std::to_string(m));
      ASSERT_TRUE(VerifyInclusion(m, n, leaf, *p, root).ok()) << m << "/" << n;
      // Wrong index, size, leaf or root, or a changed proof: rejected.
      // (A proof can verify at another size against the same root: RFC
      // 9162 binds the size only through the signed checkpoint.)
      EXPECT_FALSE(VerifyInclusion(m, n + 1, leaf, *p, t.RootAt(n + 1)).ok());
      if (m + 1 < n) {
        EXPECT_FALSE(VerifyInclusion(m + 1, n, leaf, *p, root).ok());
      }
      EXPECT_FALSE(VerifyInclusion(m, n, HashLeaf("x"), *p, root).ok());
      if (!p->empty()) {
        std::vector<Hash> bad = *p;
        bad.back()[0] ^= 1;
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, bad, root).ok());
        bad = *p;
        bad.pop_back();
        EXPECT_FALSE(VerifyInclusion(m, n, leaf, bad, root).ok());
      }
      std::vector<Hash> longer = *p;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(m, n, leaf, longer, root).ok());
    }
  }
}

TEST(Merkle, EveryConsistencyProofVerifies) {
  InMemoryTree t = TreeOf(70);
  for (uint64_t n = 1; n <= 70; ++n) {
    for (uint64_t m = 1; m <= n; ++m) {
      StatusOr<std::vector<Hash>> p = ConsistencyProof(m, n, t);
      ASSERT_TRUE(p.ok());
      Hash r1 = t.RootAt(m), r2 = t.RootAt(n);
      ASSERT_TRUE(VerifyConsistency(m, n, *p, r1, r2).ok()) << m << "->" << n;
      if (m < n) {
        EXPECT_FALSE(VerifyConsistency(m, n, *p, r2, r1).ok());
        EXPECT_FALSE(VerifyConsistency(m, n, *p, t.RootAt(m - 1), r2).ok());
        std::vector<Hash> bad = *p;
        bad[0][5] ^= 0x80;
        EXPECT_FALSE(VerifyConsistency(m, n, bad, r1, r2).ok());
        EXPECT_FALSE(VerifyConsistency(m, n, {}, r1, r2).ok());
      }
    }
  }
}

TEST(Merkle, ConsistencyFromSizeZeroIsRejected) {
  InMemoryTree t = TreeOf(4);
  EXPECT_FALSE(ConsistencyProof(0, 4, t).ok());
  EXPECT_FALSE(
      VerifyConsistency(0, 4, std::span<const Hash>(), EmptyRoot(), t.RootAt(4))
          .ok());
  EXPECT_FALSE(
      VerifyConsistency(0, 0, std::span<const Hash>(), EmptyRoot(), EmptyRoot())
          .ok());
}

TEST(Merkle, HashesOfOtherThan32BytesAreRejected) {
  InMemoryTree t = TreeOf(5);
  std::string root(AsBytes(t.RootAt(5)));
  std::string leaf(AsBytes(HashLeaf("entry 4")));
  std::vector<std::string> proof;
  std::vector<Hash> hashes = *InclusionProof(4, 5, t);
  for (const Hash& h : hashes) proof.emplace_back(AsBytes(h));
  ASSERT_TRUE(VerifyInclusion(4, 5, leaf, proof, root).ok())
      << VerifyInclusion(4, 5, leaf, proof, root).ToString();
  EXPECT_FALSE(VerifyInclusion(4, 5, leaf + "x", proof, root).ok());
  EXPECT_FALSE(VerifyInclusion(4, 5, leaf, proof, root.substr(1)).ok());
  proof[0].push_back(0);
  EXPECT_FALSE(VerifyInclusion(4, 5, leaf, proof, root).ok());
  // Equal sizes with equal but short "roots": still not hashes.
  EXPECT_FALSE(VerifyConsistency(1, 1, {}, "short", "short").ok());
}

TEST(Merkle, RangeHashOfARightEdgeEqualsTheRecursiveRoot) {
  InMemoryTree t = TreeOf(64);
  StatusOr<Hash> h = RangeHash(32, 45, t);
  ASSERT_TRUE(h.ok());
  InMemoryTree sub;
  for (int i = 32; i < 45; ++i) sub.Append("entry " + std::to_string(i));
  EXPECT_EQ(*h, sub.RootAt(13));
  EXPECT_FALSE(RangeHash(3, 5, t).ok());  // not aligned
}

}  // namespace
}  // namespace haven::ledger
