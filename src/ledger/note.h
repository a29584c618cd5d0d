// C2SP signed notes with Ed25519 keys: the envelope of Haven's checkpoints.
//
//   StatusOr<Signer> signer = Signer::Generate("haven.example/audit");
//   std::string note = signer->Sign("hello\n");   // text + signature line
//   VerifierKey key = signer->verifier();
//   StatusOr<std::string> text = OpenNote(note, {&key, 1});  // "hello\n"
//
// Formats (docs/ledger-format.md §4.2, §5): a verifier key is
// `name+keyid+base64(0x01‖pubkey)`, a signing key
// `PRIVATE+KEY+name+keyid+base64(0x01‖seed)`, and the key id is the first 4
// bytes, big-endian, of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ pubkey).
//
// Values; all functions are thread-safe. A Signer holds its secret key in
// memory for its lifetime.
#ifndef HAVEN_LEDGER_NOTE_H_
#define HAVEN_LEDGER_NOTE_H_

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/status.h"

namespace haven::ledger {

inline constexpr uint8_t kSignatureTypeEd25519 = 0x01;
inline constexpr size_t kMaxNoteSize = 1 << 20;

// True if `name` can name a key: non-empty, valid UTF-8, no spaces, no
// control characters and no '+'.
bool IsValidKeyName(std::string_view name);

// The key id of an Ed25519 key called `name`.
uint32_t KeyId(std::string_view name,
               const std::array<uint8_t, 32>& public_key);

// A public key that checks note signatures.
struct VerifierKey {
  std::string name;
  uint32_t key_id = 0;
  std::array<uint8_t, 32> public_key{};

  // `name+keyid+base64(0x01‖key)`, no newline.
  std::string ToString() const;
};

// Parses the text form of a verifier key. Surrounding whitespace is not
// accepted except one final newline. The key id must match the key.
StatusOr<VerifierKey> ParseVerifierKey(std::string_view text);

// An Ed25519 signing key with its name.
class Signer {
 public:
  // A fresh key from the operating system's random source.
  static StatusOr<Signer> Generate(std::string_view name);
  // Parses `PRIVATE+KEY+name+keyid+base64(0x01‖seed)` (one final newline
  // allowed).
  static StatusOr<Signer> Parse(std::string_view text);

  const VerifierKey& verifier() const { return verifier_; }
  // The text form of the signing key, no newline.
  std::string ToString() const;
  // Returns the signed note: text, a blank line, one signature line. `text`
  // must be a valid note text (see ParseNote).
  StatusOr<std::string> Sign(std::string_view text) const;

 private:
  Signer() = default;
  VerifierKey verifier_;
  std::array<uint8_t, 32> seed_{};
  std::array<uint8_t, 64> secret_key_{};
};

// One signature line of a note.
struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // the raw signature after the key id
};

// A parsed, unverified note.
struct Note {
  std::string text;  // including its final newline
  std::vector<NoteSignature> signatures;
};

// Parses a signed note without checking signatures. Rejects notes over 1 MiB,
// invalid UTF-8, control characters other than newline, a text that does not
// end in a newline, a missing blank line, malformed signature lines, and
// more than 100 signatures.
StatusOr<Note> ParseNote(std::string_view msg);

// Parses and verifies a note: at least one signature by one of `known` (same
// name and key id) must verify; a signature by a known key that does not
// verify, or two by the same known key, are errors; other lines are ignored.
// Returns the note's text.
StatusOr<std::string> OpenNote(std::string_view msg,
                               std::span<const VerifierKey> known);

}  // namespace haven::ledger

#endif  // HAVEN_LEDGER_NOTE_H_
