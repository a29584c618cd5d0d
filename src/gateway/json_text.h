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
//
// ShortestDoubleText: the text std::to_chars(out, out + 32, d) writes for a
// finite double (the shortest that reads back as d), remembered per
// thread for the values met most recently.
//
//   char buf[32];
//   size_t n = ShortestDoubleText(41.8781136, buf);  // "41.8781136", 10
//
// Thread-safe: each thread has its own memo.
#ifndef HAVEN_GATEWAY_JSON_TEXT_H_
#define HAVEN_GATEWAY_JSON_TEXT_H_

#include <bit>
#include <charconv>
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

// Shortest-round-trip formatting (Ryu, in libstdc++) costs about 25-60 ns
// here for a coordinate of 16-17 digits, and an answer of plate reads holds
// two for each of ~50 rows; but the reads come from a city's cameras, which
// stand still, so the same few hundred values recur in every answer. A
// two-way set-associative memo (2,048 sets of one 64-byte cache line, 128 KiB
// a thread) answers those with a hash, a compare and a 24-byte copy; any
// other value costs that and a store. `out` has room for 32 bytes; the text
// is at most 24 ("-2.2250738585072014e-308"), and only texts of up to 23
// are remembered.
inline size_t ShortestDoubleText(double d, char* out) {
  struct Slot {
    uint64_t bits;
    uint8_t len;  // 0: empty (no text is empty)
    char text[23];
  };
  struct alignas(64) Set {
    Slot way[2];  // way[0] the more recently stored
  };
  constexpr int kSetBits = 11;
  thread_local Set memo[size_t{1} << kSetBits];
  const uint64_t bits = std::bit_cast<uint64_t>(d);
  Set& set = memo[(bits * 0x9E3779B97F4A7C15ull) >> (64 - kSetBits)];
  for (const Slot& s : set.way) {
    if (s.len != 0 && s.bits == bits) {
      std::memcpy(out, s.text, sizeof s.text);
      return s.len;
    }
  }
  const size_t n =
      static_cast<size_t>(std::to_chars(out, out + 32, d).ptr - out);
  if (n <= sizeof set.way[0].text) {
    set.way[1] = set.way[0];
    set.way[0].bits = bits;
    set.way[0].len = static_cast<uint8_t>(n);
    std::memcpy(set.way[0].text, out, n);
  }
  return n;
}

}  // namespace haven::gateway

#endif  // HAVEN_GATEWAY_JSON_TEXT_H_
