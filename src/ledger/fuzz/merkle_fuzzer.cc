// Fuzzes the RFC 9162 verifiers with arbitrary sizes, indices and hashes,
// and checks that proofs Haven makes for the fuzzed shape always verify.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "ledger/merkle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace hl = haven::ledger;
  if (size < 16) return 0;
  uint64_t a, b;
  std::memcpy(&a, data, 8);
  std::memcpy(&b, data + 8, 8);
  std::string rest(reinterpret_cast<const char*>(data + 16), size - 16);
  std::vector<std::string> proof;
  for (size_t at = 0; at < rest.size(); at += 32)
    proof.push_back(rest.substr(at, 32));
  std::string root = proof.empty() ? std::string() : proof.back();
  (void)hl::VerifyInclusion(a, b, root, proof, root);
  (void)hl::VerifyConsistency(a, b, proof, root, root);
  // A small tree of the fuzzed shape: its own proofs must verify.
  uint64_t n = 1 + b % 300, m = a % n;
  hl::InMemoryTree t;
  for (uint64_t i = 0; i < n; ++i) t.Append(std::to_string(i));
  auto p = hl::InclusionProof(m, n, t);
  if (!p.ok() || !hl::VerifyInclusion(m, n, hl::HashLeaf(std::to_string(m)), *p,
                                      t.RootAt(n))
                      .ok()) {
    std::abort();
  }
  uint64_t m1 = 1 + a % n;
  auto c = hl::ConsistencyProof(m1, n, t);
  if (!c.ok() ||
      !hl::VerifyConsistency(m1, n, *c, t.RootAt(m1), t.RootAt(n)).ok()) {
    std::abort();
  }
  return 0;
}
