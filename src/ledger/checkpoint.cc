#include "ledger/checkpoint.h"

#include <cstring>

#include "ledger/base64.h"

namespace haven::ledger {

bool ParseDecimal(std::string_view s, uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  if (s.size() > 1 && s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

std::string Checkpoint::ToText() const {
  std::string text = origin + "\n" + std::to_string(size) + "\n" +
                     Base64Encode(AsBytes(root)) + "\n";
  for (const std::string& e : extensions) text += e + "\n";
  return text;
}

StatusOr<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (text.empty() || text.back() != '\n') {
    return Status::InvalidArgument("checkpoint does not end in a newline");
  }
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    size_t eol = text.find('\n', start);
    lines.push_back(text.substr(start, eol - start));
    start = eol + 1;
  }
  if (lines.size() < 3) {
    return Status::InvalidArgument("checkpoint has fewer than three lines");
  }
  Checkpoint cp;
  if (lines[0].empty())
    return Status::InvalidArgument("checkpoint origin is empty");
  cp.origin = std::string(lines[0]);
  if (!ParseDecimal(lines[1], &cp.size)) {
    return Status::InvalidArgument("checkpoint size is not a decimal number");
  }
  std::optional<std::string> root = Base64Decode(lines[2]);
  if (!root || root->size() != kHashSize) {
    return Status::InvalidArgument("checkpoint root is not base64 of 32 bytes");
  }
  std::memcpy(cp.root.data(), root->data(), kHashSize);
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) {
      return Status::InvalidArgument("checkpoint has an empty extension line");
    }
    cp.extensions.emplace_back(lines[i]);
  }
  return cp;
}

StatusOr<Checkpoint> OpenCheckpoint(std::string_view signed_note,
                                    const VerifierKey& key) {
  StatusOr<std::string> text = OpenNote(signed_note, {&key, 1});
  if (!text.ok()) return text.status();
  StatusOr<Checkpoint> cp = ParseCheckpoint(*text);
  if (!cp.ok()) return cp.status();
  if (cp->origin != key.name) {
    return Status::VerificationFailed("checkpoint origin '" + cp->origin +
                                      "' is not the key's name '" + key.name +
                                      "'");
  }
  return cp;
}

}  // namespace haven::ledger
