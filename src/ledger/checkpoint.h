// C2SP tlog-checkpoint bodies: origin, tree size and root hash.
//
//   Checkpoint cp{"haven.example/audit", 10, root};
//   std::string body = cp.ToText();   // "haven.example/audit\n10\n<b64>\n"
//   StatusOr<Checkpoint> back = ParseCheckpoint(body);
//
// The body is what the log signs (see note.h); OpenCheckpoint verifies the
// signature and parses in one step. Values; functions are thread-safe.
#ifndef HAVEN_LEDGER_CHECKPOINT_H_
#define HAVEN_LEDGER_CHECKPOINT_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/hash.h"
#include "ledger/note.h"
#include "ledger/status.h"

namespace haven::ledger {

struct Checkpoint {
  std::string origin;
  uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;  // optional lines after the root

  // The note text: one line each, each ending in a newline.
  std::string ToText() const;
  bool operator==(const Checkpoint&) const = default;
};

// Parses a checkpoint body. The origin must be non-empty, the size decimal
// without leading zeroes, the root base64 of 32 bytes, and extension lines
// non-empty.
StatusOr<Checkpoint> ParseCheckpoint(std::string_view text);

// Parses a decimal u64 with no sign, no leading zeroes (except "0") and no
// overflow.
bool ParseDecimal(std::string_view s, uint64_t* out);

// Verifies a signed checkpoint note with `key`, parses its body and checks
// that its origin is the key's name (Haven names the key after the log).
StatusOr<Checkpoint> OpenCheckpoint(std::string_view signed_note,
                                    const VerifierKey& key);

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_CHECKPOINT_H_
