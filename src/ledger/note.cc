#include "ledger/note.h"

#include <sodium.h>

#include <cstdio>
#include <cstring>

#include "ledger/base64.h"
#include "ledger/hash.h"

namespace haven::ledger {
namespace {

constexpr std::string_view kEmDash = "\xE2\x80\x94";  // U+2014
constexpr std::string_view kPrivatePrefix = "PRIVATE+KEY+";
constexpr size_t kMaxSignatures = 100;

bool EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

// Decodes one UTF-8 code point at s[i]; returns its length or 0 if invalid.
size_t Utf8Length(std::string_view s, size_t i, uint32_t* cp) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(s[i + k]); };
  uint8_t c = b(0);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t n;
  uint32_t v;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    v = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    v = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    v = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    v = (v << 6) | (b(k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return n;
}

// Valid UTF-8 without control characters, except newline when allowed.
bool IsCleanText(std::string_view s, bool allow_newline) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    size_t n = Utf8Length(s, i, &cp);
    if (n == 0) return false;
    if ((cp < 0x20 && !(allow_newline && cp == '\n')) || cp == 0x7F) {
      return false;
    }
    i += n;
  }
  return true;
}

std::string Hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

bool ParseHex8(std::string_view s, uint32_t* out) {
  if (s.size() != 8) return false;
  uint32_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else {
      return false;  // lowercase only: one spelling per key
    }
    v = (v << 4) | static_cast<uint32_t>(d);
  }
  *out = v;
  return true;
}

std::string_view StripOneNewline(std::string_view s) {
  if (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  return s;
}

// Splits "name+keyid+key" at its first two '+' (base64 may hold more).
bool SplitPlus(std::string_view s, size_t n,
               std::vector<std::string_view>* out) {
  out->clear();
  size_t start = 0;
  while (out->size() + 1 < n) {
    size_t p = s.find('+', start);
    if (p == std::string_view::npos) return false;
    out->push_back(s.substr(start, p - start));
    start = p + 1;
  }
  out->push_back(s.substr(start));
  return true;
}

// Decodes "name+keyid+base64(0x01‖key32)" into its parts.
Status ParseKeyParts(std::string_view text, std::string* name, uint32_t* id,
                     std::array<uint8_t, 32>* key) {
  std::vector<std::string_view> parts;
  if (!SplitPlus(text, 3, &parts)) {
    return Status::InvalidArgument("key is not name+keyid+key");
  }
  if (!IsValidKeyName(parts[0])) return Status::InvalidArgument("bad key name");
  if (!ParseHex8(parts[1], id)) {
    return Status::InvalidArgument("key id is not 8 lowercase hex digits");
  }
  std::optional<std::string> raw = Base64Decode(parts[2]);
  if (!raw || raw->size() != 33) {
    return Status::InvalidArgument("key is not base64 of 33 bytes");
  }
  if (static_cast<uint8_t>((*raw)[0]) != kSignatureTypeEd25519) {
    return Status::InvalidArgument("key is not an Ed25519 key (type 0x01)");
  }
  std::memcpy(key->data(), raw->data() + 1, 32);
  *name = std::string(parts[0]);
  return Status::Ok();
}

}  // namespace

bool IsValidKeyName(std::string_view name) {
  if (name.empty() || !IsCleanText(name, false)) return false;
  for (size_t i = 0; i < name.size();) {
    uint32_t cp;
    size_t n = Utf8Length(name, i, &cp);
    // ASCII and Unicode spaces (the ones Go's unicode.IsSpace knows).
    if (cp == ' ' || cp == '+' || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
        (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 ||
        cp == 0x202F || cp == 0x205F || cp == 0x3000) {
      return false;
    }
    i += n;
  }
  return true;
}

uint32_t KeyId(std::string_view name,
               const std::array<uint8_t, 32>& public_key) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kSignatureTypeEd25519));
  input.append(reinterpret_cast<const char*>(public_key.data()), 32);
  Hash h = Sha256(input);
  return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) |
         (uint32_t{h[2]} << 8) | uint32_t{h[3]};
}

std::string VerifierKey::ToString() const {
  std::string raw(1, static_cast<char>(kSignatureTypeEd25519));
  raw.append(reinterpret_cast<const char*>(public_key.data()), 32);
  return name + "+" + Hex8(key_id) + "+" + Base64Encode(raw);
}

StatusOr<VerifierKey> ParseVerifierKey(std::string_view text) {
  text = StripOneNewline(text);
  VerifierKey key;
  HAVEN_LEDGER_RETURN_IF_ERROR(
      ParseKeyParts(text, &key.name, &key.key_id, &key.public_key));
  if (KeyId(key.name, key.public_key) != key.key_id) {
    return Status::InvalidArgument("verifier key id does not match its key");
  }
  return key;
}

StatusOr<Signer> Signer::Generate(std::string_view name) {
  if (!EnsureSodium()) return Status::IOError("libsodium failed to initialize");
  if (!IsValidKeyName(name)) {
    return Status::InvalidArgument("bad key name: '" + std::string(name) + "'");
  }
  Signer s;
  randombytes_buf(s.seed_.data(), s.seed_.size());
  crypto_sign_seed_keypair(s.verifier_.public_key.data(), s.secret_key_.data(),
                           s.seed_.data());
  s.verifier_.name = std::string(name);
  s.verifier_.key_id = KeyId(name, s.verifier_.public_key);
  return s;
}

StatusOr<Signer> Signer::Parse(std::string_view text) {
  if (!EnsureSodium()) return Status::IOError("libsodium failed to initialize");
  text = StripOneNewline(text);
  if (text.substr(0, kPrivatePrefix.size()) != kPrivatePrefix) {
    return Status::InvalidArgument(
        "signing key does not start with PRIVATE+KEY+");
  }
  text.remove_prefix(kPrivatePrefix.size());
  Signer s;
  uint32_t id;
  HAVEN_LEDGER_RETURN_IF_ERROR(
      ParseKeyParts(text, &s.verifier_.name, &id, &s.seed_));
  crypto_sign_seed_keypair(s.verifier_.public_key.data(), s.secret_key_.data(),
                           s.seed_.data());
  s.verifier_.key_id = KeyId(s.verifier_.name, s.verifier_.public_key);
  if (s.verifier_.key_id != id) {
    return Status::InvalidArgument("signing key id does not match its key");
  }
  return s;
}

std::string Signer::ToString() const {
  std::string raw(1, static_cast<char>(kSignatureTypeEd25519));
  raw.append(reinterpret_cast<const char*>(seed_.data()), 32);
  return std::string(kPrivatePrefix) + verifier_.name + "+" +
         Hex8(verifier_.key_id) + "+" + Base64Encode(raw);
}

StatusOr<std::string> Signer::Sign(std::string_view text) const {
  if (text.empty() || text.back() != '\n' || !IsCleanText(text, true) ||
      text.find("\n\n") != std::string_view::npos || text.front() == '\n') {
    return Status::InvalidArgument("not a valid note text");
  }
  std::string sig(4 + crypto_sign_BYTES, '\0');
  uint32_t id = verifier_.key_id;
  sig[0] = static_cast<char>(id >> 24);
  sig[1] = static_cast<char>(id >> 16);
  sig[2] = static_cast<char>(id >> 8);
  sig[3] = static_cast<char>(id);
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data() + 4),
                       nullptr,
                       reinterpret_cast<const unsigned char*>(text.data()),
                       text.size(), secret_key_.data());
  std::string note(text);
  note += "\n";
  note += kEmDash;
  note += " " + verifier_.name + " " + Base64Encode(sig) + "\n";
  return note;
}

StatusOr<Note> ParseNote(std::string_view msg) {
  if (msg.size() > kMaxNoteSize)
    return Status::InvalidArgument("note too large");
  if (!IsCleanText(msg, true)) {
    return Status::InvalidArgument("note is not UTF-8 text without controls");
  }
  size_t split = msg.rfind("\n\n");
  if (split == std::string_view::npos) {
    return Status::InvalidArgument("note has no blank line before signatures");
  }
  Note note;
  note.text = std::string(msg.substr(0, split + 1));
  std::string_view sigs = msg.substr(split + 2);
  if (sigs.empty() || sigs.back() != '\n') {
    return Status::InvalidArgument("note signatures must end in a newline");
  }
  while (!sigs.empty()) {
    size_t eol = sigs.find('\n');
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (note.signatures.size() == kMaxSignatures) {
      return Status::InvalidArgument("note has too many signatures");
    }
    if (line.substr(0, kEmDash.size() + 1) != std::string(kEmDash) + " ") {
      return Status::InvalidArgument("signature line does not start with '— '");
    }
    line.remove_prefix(kEmDash.size() + 1);
    size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      return Status::InvalidArgument("signature line has no signature");
    }
    NoteSignature s;
    s.name = std::string(line.substr(0, sp));
    if (!IsValidKeyName(s.name)) {
      return Status::InvalidArgument("signature line has a bad key name");
    }
    std::optional<std::string> raw = Base64Decode(line.substr(sp + 1));
    if (!raw || raw->size() < 5) {
      return Status::InvalidArgument("signature is not base64 of id and bytes");
    }
    const auto* r = reinterpret_cast<const uint8_t*>(raw->data());
    s.key_id = (uint32_t{r[0]} << 24) | (uint32_t{r[1]} << 16) |
               (uint32_t{r[2]} << 8) | uint32_t{r[3]};
    s.signature = raw->substr(4);
    note.signatures.push_back(std::move(s));
  }
  return note;
}

StatusOr<std::string> OpenNote(std::string_view msg,
                               std::span<const VerifierKey> known) {
  if (!EnsureSodium()) return Status::IOError("libsodium failed to initialize");
  StatusOr<Note> note = ParseNote(msg);
  if (!note.ok()) return note.status();
  std::vector<bool> seen(known.size(), false);
  bool verified = false;
  for (const NoteSignature& s : note->signatures) {
    for (size_t k = 0; k < known.size(); ++k) {
      if (known[k].name != s.name || known[k].key_id != s.key_id) continue;
      if (seen[k]) {
        return Status::VerificationFailed("note has two signatures by key " +
                                          s.name);
      }
      seen[k] = true;
      if (s.signature.size() != crypto_sign_BYTES ||
          crypto_sign_verify_detached(
              reinterpret_cast<const unsigned char*>(s.signature.data()),
              reinterpret_cast<const unsigned char*>(note->text.data()),
              note->text.size(), known[k].public_key.data()) != 0) {
        return Status::VerificationFailed("invalid signature by key " + s.name);
      }
      verified = true;
    }
  }
  if (!verified) {
    return Status::VerificationFailed("note has no signature by a known key");
  }
  return std::move(note->text);
}

}  // namespace haven::ledger
