#include "ledger/merkle.h"

#include <bit>
#include <cstring>

namespace haven::ledger {
namespace {

// The largest power of two strictly smaller than n (n >= 2): RFC 9162's k.
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

Hash ToHash(std::string_view bytes) {
  Hash h;
  std::memcpy(h.data(), bytes.data(), kHashSize);
  return h;
}

Status Rejected(const char* why) { return Status::VerificationFailed(why); }

// PATH(m, D[lo:hi]) of RFC 9162 §2.1.3.1, appended bottom-up to *out.
Status Path(uint64_t m, uint64_t lo, uint64_t hi, const NodeSource& nodes,
            std::vector<Hash>* out) {
  if (hi - lo <= 1) return Status::Ok();
  uint64_t k = SplitPoint(hi - lo);
  if (m < lo + k) {
    HAVEN_LEDGER_RETURN_IF_ERROR(Path(m, lo, lo + k, nodes, out));
    StatusOr<Hash> h = RangeHash(lo + k, hi, nodes);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  } else {
    HAVEN_LEDGER_RETURN_IF_ERROR(Path(m, lo + k, hi, nodes, out));
    StatusOr<Hash> h = RangeHash(lo, lo + k, nodes);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::Ok();
}

// SUBPROOF(m, D[lo:hi], b) of RFC 9162 §2.1.4.1, appended bottom-up to *out.
Status SubProof(uint64_t m, uint64_t lo, uint64_t hi, bool whole,
                const NodeSource& nodes, std::vector<Hash>* out) {
  uint64_t n = hi - lo;
  if (m == n) {
    if (whole) return Status::Ok();
    StatusOr<Hash> h = RangeHash(lo, hi, nodes);
    if (!h.ok()) return h.status();
    out->push_back(*h);
    return Status::Ok();
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    HAVEN_LEDGER_RETURN_IF_ERROR(SubProof(m, lo, lo + k, whole, nodes, out));
    StatusOr<Hash> h = RangeHash(lo + k, hi, nodes);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  } else {
    HAVEN_LEDGER_RETURN_IF_ERROR(
        SubProof(m - k, lo + k, hi, false, nodes, out));
    StatusOr<Hash> h = RangeHash(lo, lo + k, nodes);
    if (!h.ok()) return h.status();
    out->push_back(*h);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<CompactRange> CompactRange::FromNodes(uint64_t size,
                                               const NodeSource& nodes) {
  CompactRange range;
  range.size_ = size;
  uint64_t begin = 0;
  for (int level = 63; level >= 0; --level) {
    uint64_t span = uint64_t{1} << level;
    if ((size & span) == 0) continue;
    Hash h;
    HAVEN_LEDGER_RETURN_IF_ERROR(nodes.GetNode(level, begin >> level, &h));
    range.hashes_.push_back(h);
    begin += span;
  }
  return range;
}

void CompactRange::Append(const Hash& leaf, std::vector<Hash>* completed) {
  Push(leaf, completed, {}, {});
}

void CompactRange::Push(const Hash& leaf, std::vector<Hash>* completed,
                        std::span<const std::vector<Hash>> inner,
                        std::span<const uint64_t> first) {
  hashes_.push_back(leaf);
  if (completed != nullptr) completed->push_back(leaf);
  // Each trailing one bit of the old size is a perfect subtree that the new
  // leaf's subtree now pairs with: the parent at level h is node
  // size_ >> h, taken from `inner` when it was hashed there.
  const int merges = std::countr_one(size_);
  for (int h = 1; h <= merges; ++h) {
    const uint64_t index = size_ >> h;
    Hash right = hashes_.back();
    hashes_.pop_back();
    if (static_cast<size_t>(h) < inner.size() && index >= first[h]) {
      hashes_.back() = inner[h][index - first[h]];
    } else {
      hashes_.back() = HashChildren(hashes_.back(), right);
    }
    if (completed != nullptr) completed->push_back(hashes_.back());
  }
  ++size_;
}

void CompactRange::AppendMany(std::span<const Hash> leaves,
                              std::vector<Hash>* completed) {
  if (leaves.size() < 4) {
    for (const Hash& leaf : leaves) Append(leaf, completed);
    return;
  }
  // inner[h][j]: the node at level h and index first[h] + j, for every node
  // whose leaves all lie in [begin, end). Level 0 is `leaves` itself.
  const uint64_t begin = size_;
  const uint64_t end = begin + leaves.size();
  std::vector<std::vector<Hash>> inner(1);
  std::vector<uint64_t> first = {begin};
  for (int h = 1; h < 64; ++h) {
    const uint64_t lo =
        (begin >> h) + ((begin & ((uint64_t{1} << h) - 1)) != 0);
    const uint64_t hi = end >> h;
    if (hi <= lo) break;
    const Hash* below = h == 1 ? leaves.data() : inner[h - 1].data();
    const uint64_t below_first = first[h - 1];
    std::vector<Hash> level(hi - lo);
    size_t j = 0;
    for (; j + 1 < level.size(); j += 2) {
      const Hash* a = below + (2 * (lo + j) - below_first);
      HashChildrenPair(a[0], a[1], a[2], a[3], &level[j], &level[j + 1]);
    }
    if (j < level.size()) {
      const Hash* a = below + (2 * (lo + j) - below_first);
      level[j] = HashChildren(a[0], a[1]);
    }
    inner.push_back(std::move(level));
    first.push_back(lo);
  }
  // The incremental walk of Append, taking each parent from `inner` when it
  // lies within the new leaves.
  for (const Hash& leaf : leaves) Push(leaf, completed, inner, first);
}

Hash CompactRange::Root() const {
  if (hashes_.empty()) return EmptyRoot();
  Hash root = hashes_.back();
  for (size_t i = hashes_.size() - 1; i-- > 0;) {
    root = HashChildren(hashes_[i], root);
  }
  return root;
}

StatusOr<Hash> RangeHash(uint64_t begin, uint64_t end,
                         const NodeSource& nodes) {
  if (begin >= end) return Status::InvalidArgument("empty range");
  uint64_t n = end - begin;
  if (std::has_single_bit(n)) {
    int level = std::countr_zero(n);
    if (begin % n != 0) return Status::InvalidArgument("unaligned range");
    Hash h;
    HAVEN_LEDGER_RETURN_IF_ERROR(nodes.GetNode(level, begin >> level, &h));
    return h;
  }
  // Walk the right edge of [begin, end): perfect subtrees from the left,
  // then fold them from the right.
  Hash parts[64];
  int count = 0;
  uint64_t at = begin;
  for (int level = 63; level >= 0; --level) {
    uint64_t span = uint64_t{1} << level;
    if ((n & span) == 0) continue;
    if (at % span != 0) return Status::InvalidArgument("unaligned range");
    HAVEN_LEDGER_RETURN_IF_ERROR(
        nodes.GetNode(level, at >> level, &parts[count]));
    ++count;
    at += span;
  }
  Hash root = parts[count - 1];
  for (int i = count - 1; i-- > 0;) root = HashChildren(parts[i], root);
  return root;
}

StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                           const NodeSource& nodes) {
  if (index >= size) {
    return Status::InvalidArgument("index " + std::to_string(index) +
                                   " is not below tree size " +
                                   std::to_string(size));
  }
  std::vector<Hash> proof;
  proof.reserve(64);
  HAVEN_LEDGER_RETURN_IF_ERROR(Path(index, 0, size, nodes, &proof));
  return proof;
}

StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                             const NodeSource& nodes) {
  if (size1 == 0 || size1 > size2) {
    return Status::InvalidArgument("no consistency proof from size " +
                                   std::to_string(size1) + " to size " +
                                   std::to_string(size2));
  }
  std::vector<Hash> proof;
  if (size1 == size2) return proof;
  proof.reserve(64);
  HAVEN_LEDGER_RETURN_IF_ERROR(SubProof(size1, 0, size2, true, nodes, &proof));
  return proof;
}

Status VerifyInclusion(uint64_t index, uint64_t size,
                       std::string_view leaf_hash,
                       std::span<const std::string> proof,
                       std::string_view root) {
  if (leaf_hash.size() != kHashSize)
    return Rejected("leaf hash is not 32 bytes");
  if (root.size() != kHashSize) return Rejected("root hash is not 32 bytes");
  if (proof.size() > 64) return Rejected("inclusion proof is too long");
  Hash hashes[64];
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return Rejected("inclusion proof hash is not 32 bytes");
    }
    hashes[i] = ToHash(proof[i]);
  }
  return VerifyInclusion(index, size, ToHash(leaf_hash),
                         std::span<const Hash>(hashes, proof.size()),
                         ToHash(root));
}

Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root) {
  // RFC 9162 §2.1.3.2, step by step.
  if (index >= size) return Rejected("leaf index is not below tree size");
  uint64_t fn = index;
  uint64_t sn = size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (sn == 0) return Rejected("inclusion proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      r = HashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = HashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Rejected("inclusion proof is too short");
  if (r != root) return Rejected("inclusion proof does not lead to the root");
  return Status::Ok();
}

Status VerifyConsistency(uint64_t size1, uint64_t size2,
                         std::span<const std::string> proof,
                         std::string_view root1, std::string_view root2) {
  if (root1.size() != kHashSize) return Rejected("first root is not 32 bytes");
  if (root2.size() != kHashSize) return Rejected("second root is not 32 bytes");
  if (proof.size() > 128) return Rejected("consistency proof is too long");
  std::vector<Hash> hashes(proof.size());
  for (size_t i = 0; i < proof.size(); ++i) {
    if (proof[i].size() != kHashSize) {
      return Rejected("consistency proof hash is not 32 bytes");
    }
    hashes[i] = ToHash(proof[i]);
  }
  return VerifyConsistency(size1, size2, hashes, ToHash(root1), ToHash(root2));
}

Status VerifyConsistency(uint64_t size1, uint64_t size2,
                         std::span<const Hash> proof, const Hash& root1,
                         const Hash& root2) {
  if (size1 == 0)
    return Rejected("consistency from the empty tree proves nothing");
  if (size1 > size2) return Rejected("first size is larger than second size");
  if (size1 == size2) {
    if (!proof.empty())
      return Rejected("proof between equal sizes must be empty");
    if (root1 != root2) return Rejected("equal sizes but different roots");
    return Status::Ok();
  }
  // RFC 9162 §2.1.4.2.
  if (proof.empty()) return Rejected("consistency proof is empty");
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(size1)) path.push_back(root1);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = size1 - 1;
  uint64_t sn = size2 - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Rejected("consistency proof is too long");
    if ((fn & 1) == 1 || fn == sn) {
      fr = HashChildren(c, fr);
      sr = HashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = HashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Rejected("consistency proof is too short");
  if (fr != root1)
    return Rejected("consistency proof does not lead to the first root");
  if (sr != root2)
    return Rejected("consistency proof does not lead to the second root");
  return Status::Ok();
}

void InMemoryTree::AppendLeafHash(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const auto& row = levels_[level];
    Hash parent = HashChildren(row[row.size() - 2], row[row.size() - 1]);
    if (levels_.size() == level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(parent);
  }
}

Status InMemoryTree::GetNode(int level, uint64_t index, Hash* out) const {
  if (level < 0 || static_cast<size_t>(level) >= levels_.size() ||
      index >= levels_[level].size()) {
    return Status::NotFound("no node at level " + std::to_string(level) +
                            " index " + std::to_string(index));
  }
  *out = levels_[level][index];
  return Status::Ok();
}

namespace {
Hash Mth(const std::vector<Hash>& leaves, uint64_t lo, uint64_t hi) {
  if (hi - lo == 1) return leaves[lo];
  uint64_t k = SplitPoint(hi - lo);
  return HashChildren(Mth(leaves, lo, lo + k), Mth(leaves, lo + k, hi));
}
}  // namespace

Hash InMemoryTree::RootAt(uint64_t size) const {
  if (size == 0) return EmptyRoot();
  return Mth(levels_[0], 0, size);
}

}  // namespace haven::ledger
