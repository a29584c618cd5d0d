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
  auto bad = [&](uint64_t x) {
    uint64_t b = (x - kOnes * 0x20) & ~x & kHigh;  // a byte below 0x20
    b |= x & kHigh;                                // a byte of 0x80 or more
    b |= has_zero(x ^ (kOnes * '"'));
    b |= has_zero(x ^ (kOnes * '\\'));
    return b != 0;
  };
  const size_t n = s.size();
  uint64_t x;
  if (n == 0) return true;
  if (n < 8) {
    x = kOnes * 'a';  // a plain filler in the bytes past the end
    std::memcpy(&x, s.data(), n);
    return !bad(x);
  }
  for (size_t i = 0; i + 8 < n; i += 8) {
    std::memcpy(&x, s.data() + i, 8);
    if (bad(x)) return false;
  }
  std::memcpy(&x, s.data() + n - 8, 8);  // the last eight, overlapping
  return !bad(x);
}

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_JSON_TEXT_H_
