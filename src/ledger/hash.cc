#include "ledger/hash.h"

// The low-level SHA256_Init/Update/Final functions are deprecated in OpenSSL 3
// but remain the fastest way to hash many short inputs: EVP adds a method
// lookup and context set-up per call, which costs as much as hashing a 65-byte
// node. The one-shot SHA256() is no exception: in OpenSSL 3 it is
// EVP_Q_digest, which fetches the method by name and allocates a context on
// every call, so it is not used here.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "ledger/sha256_ni.h"

namespace haven::ledger {

namespace {

Hash Digest(const void* data, size_t size) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data, size);
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

}  // namespace

Hash Sha256(std::string_view data) { return Digest(data.data(), data.size()); }

Hash HashLeaf(std::string_view entry) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  static constexpr unsigned char kLeafPrefix = 0x00;
  SHA256_Update(&ctx, &kLeafPrefix, 1);
  SHA256_Update(&ctx, entry.data(), entry.size());
  Hash out;
  SHA256_Final(out.data(), &ctx);
  return out;
}

void HashLeafPair(std::string_view a, std::string_view b, Hash* ha, Hash* hb) {
  if (sha256_ni::Available()) {
    sha256_ni::HashPrefixed2(0x00, a, 0x00, b, ha, hb);
  } else {
    *ha = HashLeaf(a);
    *hb = HashLeaf(b);
  }
}

Hash HashChildren(const Hash& left, const Hash& right) {
  unsigned char buf[1 + 2 * kHashSize];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 1 + kHashSize);
  return Digest(buf, sizeof(buf));
}

void HashChildrenPair(const Hash& left_a, const Hash& right_a,
                      const Hash& left_b, const Hash& right_b, Hash* ha,
                      Hash* hb) {
  if (!sha256_ni::Available()) {
    *ha = HashChildren(left_a, right_a);
    *hb = HashChildren(left_b, right_b);
    return;
  }
  unsigned char a[2 * kHashSize];
  unsigned char b[2 * kHashSize];
  std::copy(left_a.begin(), left_a.end(), a);
  std::copy(right_a.begin(), right_a.end(), a + kHashSize);
  std::copy(left_b.begin(), left_b.end(), b);
  std::copy(right_b.begin(), right_b.end(), b + kHashSize);
  sha256_ni::HashPrefixed2(
      0x01, std::string_view(reinterpret_cast<const char*>(a), sizeof(a)), 0x01,
      std::string_view(reinterpret_cast<const char*>(b), sizeof(b)), ha, hb);
}

const Hash& EmptyRoot() {
  static const Hash kEmpty = Sha256("");
  return kEmpty;
}

}  // namespace haven::ledger
