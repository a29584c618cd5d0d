// The RFC 9162 Merkle tree: incremental root, proofs and their verification.
//
// Pure code: nothing here touches disk, clock or global state.
//
//   CompactRange tree;                       // the right edge of [0, n)
//   tree.Append(HashLeaf("a"), nullptr);
//   Hash root = tree.Root();
//
//   StatusOr<std::vector<Hash>> proof = InclusionProof(index, size, nodes);
//   Status ok = VerifyInclusion(index, size, leaf, *proof, root);
//
// A NodeSource supplies the hash of any perfect subtree (level l, index k),
// which covers leaves [k·2^l, (k+1)·2^l). Proofs are built from O(log n) of
// them and never need the entries.
//
// Thread-safety: free functions are thread-safe; CompactRange and
// InMemoryTree are not (use one per thread or guard them).
#ifndef HAVEN_LEDGER_MERKLE_H_
#define HAVEN_LEDGER_MERKLE_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/hash.h"
#include "ledger/status.h"

namespace haven::ledger {

// Supplies stored perfect-subtree hashes. Implementations must be safe to call
// from the threads that generate proofs.
class NodeSource {
 public:
  virtual ~NodeSource() = default;
  // Stores in *out the hash of the perfect subtree at (level, index).
  [[nodiscard]] virtual Status GetNode(int level, uint64_t index,
                                       Hash* out) const = 0;
};

// CompactRange is the right edge of a tree of `size()` leaves: the roots of
// the perfect subtrees, largest (leftmost) first, one per set bit of size.
class CompactRange {
 public:
  CompactRange() = default;

  // Loads the right edge of a tree of `size` leaves from stored nodes.
  static StatusOr<CompactRange> FromNodes(uint64_t size,
                                          const NodeSource& nodes);

  uint64_t size() const { return size_; }
  const std::vector<Hash>& hashes() const { return hashes_; }

  // Appends one leaf hash. If `completed` is not null, appends to it the nodes
  // that become complete, in post-order: the leaf, then each new parent from
  // the lowest level up (docs/ledger-format.md §3.2).
  void Append(const Hash& leaf, std::vector<Hash>* completed);

  // Appends `leaves` in order, with the same result and the same `completed`
  // nodes as one Append each, but hashing the new nodes that lie wholly
  // within `leaves` level by level, two at a time (HashChildrenPair).
  void AppendMany(std::span<const Hash> leaves, std::vector<Hash>* completed);

  // The RFC 9162 root, MTH(D[0:size]); SHA-256("") when empty.
  Hash Root() const;

 private:
  // Append's step, taking a parent from inner[h][index - first[h]] when
  // level h has it (index ≥ first[h]) instead of hashing it.
  void Push(const Hash& leaf, std::vector<Hash>* completed,
            std::span<const std::vector<Hash>> inner,
            std::span<const uint64_t> first);

  uint64_t size_ = 0;
  std::vector<Hash> hashes_;
};

// The number of stored post-order nodes of a tree of `size` leaves.
inline uint64_t NodeCount(uint64_t size) {
  return 2 * size - static_cast<uint64_t>(__builtin_popcountll(size));
}

// The post-order position of the node at (level, index).
inline uint64_t NodePosition(int level, uint64_t index) {
  uint64_t last_leaf = ((index + 1) << level) - 1;
  return 2 * last_leaf -
         static_cast<uint64_t>(__builtin_popcountll(last_leaf)) +
         static_cast<uint64_t>(level);
}

// MTH(D[begin:end]) for a range of the tree whose size is at least `end`,
// computed from stored nodes. `begin` must be a multiple of the largest power
// of two not above end - begin (true for every range a proof needs).
StatusOr<Hash> RangeHash(uint64_t begin, uint64_t end, const NodeSource& nodes);

// RFC 9162 §2.1.3.1: the inclusion proof of leaf `index` in the tree of `size`
// leaves, from the leaf's sibling up.
StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size,
                                           const NodeSource& nodes);

// RFC 9162 §2.1.4.1: the consistency proof from `size1` to `size2`.
// Requires 0 < size1 <= size2; empty when size1 == size2.
StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2,
                                             const NodeSource& nodes);

// RFC 9162 §2.1.3.2, with the implicit checks: every hash 32 bytes, index <
// size, and a proof of exactly the needed length. Arguments are raw bytes so
// that malformed input can be rejected rather than be unrepresentable.
Status VerifyInclusion(uint64_t index, uint64_t size,
                       std::string_view leaf_hash,
                       std::span<const std::string> proof,
                       std::string_view root);
Status VerifyInclusion(uint64_t index, uint64_t size, const Hash& leaf_hash,
                       std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2, with the implicit checks: every hash 32 bytes; size1 = 0
// rejected; size1 > size2 rejected; size1 = size2 needs an empty proof and
// equal roots.
Status VerifyConsistency(uint64_t size1, uint64_t size2,
                         std::span<const std::string> proof,
                         std::string_view root1, std::string_view root2);
Status VerifyConsistency(uint64_t size1, uint64_t size2,
                         std::span<const Hash> proof, const Hash& root1,
                         const Hash& root2);

// InMemoryTree keeps every node of every level; a reference for tests,
// fuzzers and small trees.
class InMemoryTree : public NodeSource {
 public:
  void Append(std::string_view entry) { AppendLeafHash(HashLeaf(entry)); }
  void AppendLeafHash(const Hash& leaf);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  // MTH(D[0:size]) computed from scratch by the RFC's recursive definition.
  Hash RootAt(uint64_t size) const;
  Status GetNode(int level, uint64_t index, Hash* out) const override;

 private:
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_MERKLE_H_
