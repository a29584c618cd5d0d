#include "ledger/hash.h"

// The one-shot SHA256_* functions are deprecated in OpenSSL 3 but remain the
// fastest way to hash many short inputs: EVP adds a method lookup and context
// set-up per call, which costs as much as hashing a 65-byte node.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace haven::ledger {

Hash Sha256(std::string_view data) {
  Hash out;
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         out.data());
  return out;
}

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

Hash HashChildren(const Hash& left, const Hash& right) {
  unsigned char buf[1 + 2 * kHashSize];
  buf[0] = 0x01;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 1 + kHashSize);
  Hash out;
  SHA256(buf, sizeof(buf), out.data());
  return out;
}

const Hash& EmptyRoot() {
  static const Hash kEmpty = Sha256("");
  return kEmpty;
}

}  // namespace haven::ledger
