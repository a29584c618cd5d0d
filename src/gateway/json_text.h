// IsPlainJsonText: whether a string may stand as it is between the quotes of
// a JSON string (RFC 8259 section 7), so that an answer can copy it whole.
//
//   if (IsPlainJsonText(s)) out += '"' + s + '"'; else escape it.
//
// True when every byte is ASCII from 0x20 to 0x7f other than '"' and '\\',
// as most record values are (JSON lets DEL stand unescaped). False for
// anything else, including valid UTF-8, which the escaping path then
// handles.
// A pure function; thread-safe.
#ifndef HAVEN_GATEWAY_JSON_TEXT_H_
#define HAVEN_GATEWAY_JSON_TEXT_H_

#include <cstdint>
#include <cstring>
#include <string_view>

namespace haven::gateway {

inline bool IsPlainJsonText(std::string_view s) {
  // Eight bytes at a time (it runs on every string of every answer). With
  // h = 0x80 in each byte and l = 0x01 in each byte, (x - l * n) & ~x & h is
  // non-zero exactly when some byte of x is below n (n <= 0x80), and
  // (x - l) & ~x & h when some byte is zero: Hacker's Delight 6-1.
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  constexpr uint64_t kHigh = 0x8080808080808080ull;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, s.data() + i, 8);
    uint64_t bad = (x - kOnes * 0x20) & ~x & kHigh;  // a byte below 0x20
    bad |= x & kHigh;                                // a byte of 0x80 or more
    bad |= has_zero(x ^ (kOnes * '"'));
    bad |= has_zero(x ^ (kOnes * '\\'));
    if (bad != 0) return false;
  }
  for (; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_JSON_TEXT_H_
