// C2SP tlog-proof: an offline proof that an entry is in a checkpointed log.
//
//   TlogProof p{.index = 7, .hashes = proof, .checkpoint = signed_note};
//   std::string text = p.ToText();
//   StatusOr<TlogProof> back = ParseTlogProof(text);
//   StatusOr<Checkpoint> cp = VerifyTlogProof(*back, entry, key);
//
// Format (docs/ledger-format.md §6): the line `c2sp.org/tlog-proof@v1`, an
// optional `extra <base64>` line, `index <n>`, the inclusion proof hashes one
// base64 per line, a blank line, and the signed checkpoint verbatim. Values;
// thread-safe.
#ifndef HAVEN_LEDGER_TLOG_PROOF_H_
#define HAVEN_LEDGER_TLOG_PROOF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/checkpoint.h"
#include "ledger/hash.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace haven::ledger {

struct TlogProof {
  std::optional<std::string> extra;  // opaque, unauthenticated
  uint64_t index = 0;
  std::vector<Hash> hashes;
  std::string checkpoint;  // the signed note

  std::string ToText() const;
};

StatusOr<TlogProof> ParseTlogProof(std::string_view text);

// Verifies the checkpoint's signature with `key`, then the inclusion of
// `entry` at the proof's index against the checkpoint. Returns the
// checkpoint.
StatusOr<Checkpoint> VerifyTlogProof(const TlogProof& proof,
                                     std::string_view entry,
                                     const VerifierKey& key);

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_TLOG_PROOF_H_
