#include "ledger/tlog_proof.h"

#include <cstring>

#include "ledger/base64.h"
#include "ledger/merkle.h"

namespace haven::ledger {
namespace {
constexpr std::string_view kHeader = "c2sp.org/tlog-proof@v1";
}  // namespace

std::string TlogProof::ToText() const {
  std::string out(kHeader);
  out += "\n";
  if (extra) out += "extra " + Base64Encode(*extra) + "\n";
  out += "index " + std::to_string(index) + "\n";
  for (const Hash& h : hashes) out += Base64Encode(AsBytes(h)) + "\n";
  out += "\n";
  out += checkpoint;
  return out;
}

StatusOr<TlogProof> ParseTlogProof(std::string_view text) {
  if (text.size() > kMaxNoteSize + 8192) {
    return Status::InvalidArgument("tlog-proof is too large");
  }
  auto next_line = [&](std::string_view* line) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return false;
    *line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    return true;
  };
  std::string_view line;
  if (!next_line(&line) || line != kHeader) {
    return Status::InvalidArgument("tlog-proof does not start with " +
                                   std::string(kHeader));
  }
  TlogProof p;
  if (!next_line(&line))
    return Status::InvalidArgument("tlog-proof is truncated");
  if (line.substr(0, 6) == "extra ") {
    std::optional<std::string> extra = Base64Decode(line.substr(6));
    if (!extra)
      return Status::InvalidArgument("tlog-proof extra is not base64");
    p.extra = std::move(*extra);
    if (!next_line(&line))
      return Status::InvalidArgument("tlog-proof is truncated");
  }
  if (line.substr(0, 6) != "index " ||
      !ParseDecimal(line.substr(6), &p.index)) {
    return Status::InvalidArgument("tlog-proof has no valid index line");
  }
  while (true) {
    if (!next_line(&line))
      return Status::InvalidArgument("tlog-proof is truncated");
    if (line.empty()) break;
    if (p.hashes.size() == 64) {
      return Status::InvalidArgument("tlog-proof has more than 64 hashes");
    }
    std::optional<std::string> h = Base64Decode(line);
    if (!h || h->size() != kHashSize) {
      return Status::InvalidArgument(
          "tlog-proof hash is not base64 of 32 bytes");
    }
    Hash hash;
    std::memcpy(hash.data(), h->data(), kHashSize);
    p.hashes.push_back(hash);
  }
  if (text.empty())
    return Status::InvalidArgument("tlog-proof has no checkpoint");
  p.checkpoint = std::string(text);
  return p;
}

StatusOr<Checkpoint> VerifyTlogProof(const TlogProof& proof,
                                     std::string_view entry,
                                     const VerifierKey& key) {
  StatusOr<Checkpoint> cp = OpenCheckpoint(proof.checkpoint, key);
  if (!cp.ok()) return cp.status();
  Status s = VerifyInclusion(proof.index, cp->size, HashLeaf(entry),
                             proof.hashes, cp->root);
  if (!s.ok()) return s;
  return cp;
}

}  // namespace haven::ledger
