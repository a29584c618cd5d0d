#include "ledger/sha256_ni.h"

// SHA-256 as FIPS 180-4 defines it, with the rounds and the message schedule
// done by SHA256RNDS2, SHA256MSG1 and SHA256MSG2. These instructions keep the
// eight working variables in two registers, ABEF and CDGH (A in the high
// lane); each SHA256RNDS2 does two rounds. The tests compare every length up
// to several blocks, and random inputs, with OpenSSL.

#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVEN_LEDGER_SHA_NI 1
#else
#define HAVEN_LEDGER_SHA_NI 0
#endif

namespace haven::ledger::sha256_ni {

#if HAVEN_LEDGER_SHA_NI

namespace {

#define HAVEN_SHA_TARGET __attribute__((target("sha,ssse3,sse4.1")))

// FIPS 180-4 §4.2.2.
alignas(16) constexpr uint32_t kK[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

// FIPS 180-4 §5.3.3.
alignas(16) constexpr uint32_t kInit[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                           0xa54ff53a, 0x510e527f, 0x9b05688c,
                                           0x1f83d9ab, 0x5be0cd19};

// The message prefix ‖ data, padded (§5.1.1: 0x80, zeros, the length in bits
// as 8 big-endian bytes), as 64-byte blocks. Whole blocks past the first are
// read from `data` in place; only the first (which holds the prefix) and the
// last one or two are copied.
class Blocks {
 public:
  Blocks(unsigned char prefix, std::string_view data) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(data.data());
    const uint64_t length = uint64_t{data.size()} + 1;
    full_ = length / 64;
    const size_t rest = length % 64;  // message bytes in the tail
    count_ = full_ + (rest + 9 <= 64 ? 1 : 2);
    std::memset(tail_, 0, sizeof(tail_));
    if (full_ == 0) {
      tail_[0] = prefix;
      std::memcpy(tail_ + 1, bytes, data.size());
    } else {
      first_[0] = prefix;
      std::memcpy(first_ + 1, bytes, 63);
      bytes_ = bytes;
      std::memcpy(tail_, bytes + 64 * full_ - 1, rest);
    }
    tail_[rest] = 0x80;
    uint8_t* end = tail_ + 64 * (count_ - full_);
    const uint64_t bits = length * 8;
    for (int i = 0; i < 8; ++i)
      end[-1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  }
  Blocks(const Blocks&) = delete;
  Blocks& operator=(const Blocks&) = delete;

  size_t count() const { return count_; }
  const uint8_t* operator[](size_t k) const {
    if (k >= full_) return tail_ + 64 * (k - full_);
    return k == 0 ? first_ : bytes_ + 64 * k - 1;  // message byte 64k
  }

 private:
  size_t full_ = 0;                 // blocks made of message bytes only
  size_t count_ = 0;                // all blocks
  const uint8_t* bytes_ = nullptr;  // the data, when full_ > 0
  uint8_t first_[64];
  uint8_t tail_[128];
};

struct State {
  __m128i abef;
  __m128i cdgh;
};

HAVEN_SHA_TARGET inline __m128i ByteSwapMask() {
  return _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
}

HAVEN_SHA_TARGET inline State Init() {
  const __m128i abcd = _mm_load_si128(reinterpret_cast<const __m128i*>(kInit));
  const __m128i efgh =
      _mm_load_si128(reinterpret_cast<const __m128i*>(kInit + 4));
  const __m128i cdab = _mm_shuffle_epi32(abcd, 0xB1);
  const __m128i hgfe = _mm_shuffle_epi32(efgh, 0x1B);
  return {_mm_alignr_epi8(cdab, hgfe, 8), _mm_blend_epi16(hgfe, cdab, 0xF0)};
}

// One 64-byte block into each of L states, the L lanes interleaved
// instruction by instruction so that their rounds overlap in the SHA unit.
// Four rounds per step g: W[4g..4g+3] + K is fed to two SHA256RNDS2; the
// schedule for step g+1 is finished (MSG2) and for step g+3 begun (MSG1).
template <int L>
HAVEN_SHA_TARGET inline __attribute__((always_inline)) void Compress(
    State* s, const uint8_t* const* block) {
  const __m128i mask = ByteSwapMask();
  __m128i w[L][4];
  State saved[L];
#pragma GCC unroll 2
  for (int l = 0; l < L; ++l) saved[l] = s[l];
#pragma GCC unroll 16
  for (int g = 0; g < 16; ++g) {
    const __m128i k =
        _mm_load_si128(reinterpret_cast<const __m128i*>(kK + 4 * g));
#pragma GCC unroll 2
    for (int l = 0; l < L; ++l) {
      if (g < 4) {
        w[l][g] = _mm_shuffle_epi8(
            _mm_loadu_si128(
                reinterpret_cast<const __m128i*>(block[l] + 16 * g)),
            mask);
      }
      __m128i wk = _mm_add_epi32(w[l][g & 3], k);
      s[l].cdgh = _mm_sha256rnds2_epu32(s[l].cdgh, s[l].abef, wk);
      if (g >= 3 && g <= 14) {
        const __m128i t = _mm_alignr_epi8(w[l][g & 3], w[l][(g + 3) & 3], 4);
        w[l][(g + 1) & 3] = _mm_sha256msg2_epu32(
            _mm_add_epi32(w[l][(g + 1) & 3], t), w[l][g & 3]);
      }
      wk = _mm_shuffle_epi32(wk, 0x0E);
      s[l].abef = _mm_sha256rnds2_epu32(s[l].abef, s[l].cdgh, wk);
      if (g >= 1 && g <= 12) {
        w[l][(g - 1) & 3] =
            _mm_sha256msg1_epu32(w[l][(g - 1) & 3], w[l][g & 3]);
      }
    }
  }
#pragma GCC unroll 2
  for (int l = 0; l < L; ++l) {
    s[l].abef = _mm_add_epi32(s[l].abef, saved[l].abef);
    s[l].cdgh = _mm_add_epi32(s[l].cdgh, saved[l].cdgh);
  }
}

HAVEN_SHA_TARGET inline void Final(const State& s, Hash* out) {
  const __m128i feba = _mm_shuffle_epi32(s.abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(s.cdgh, 0xB1);
  const __m128i dcba = _mm_blend_epi16(feba, dchg, 0xF0);
  const __m128i hgfe = _mm_alignr_epi8(dchg, feba, 8);
  const __m128i mask = ByteSwapMask();
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out->data()),
                   _mm_shuffle_epi8(dcba, mask));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out->data() + 16),
                   _mm_shuffle_epi8(hgfe, mask));
}

HAVEN_SHA_TARGET void HashOne(const Blocks& b, Hash* out) {
  State s = Init();
  for (size_t k = 0; k < b.count(); ++k) {
    const uint8_t* block = b[k];
    Compress<1>(&s, &block);
  }
  Final(s, out);
}

HAVEN_SHA_TARGET void HashTwo(const Blocks& a, const Blocks& b, Hash* ha,
                              Hash* hb) {
  State s[2] = {Init(), Init()};
  const size_t both = std::min(a.count(), b.count());
  for (size_t k = 0; k < both; ++k) {
    const uint8_t* blocks[2] = {a[k], b[k]};
    Compress<2>(s, blocks);
  }
  for (size_t k = both; k < a.count(); ++k) {
    const uint8_t* block = a[k];
    Compress<1>(&s[0], &block);
  }
  for (size_t k = both; k < b.count(); ++k) {
    const uint8_t* block = b[k];
    Compress<1>(&s[1], &block);
  }
  Final(s[0], ha);
  Final(s[1], hb);
}

bool Detect() {
  constexpr unsigned kSsse3 = 1u << 9;   // CPUID.1:ECX
  constexpr unsigned kSse41 = 1u << 19;  // CPUID.1:ECX
  constexpr unsigned kShaNi = 1u << 29;  // CPUID.(7,0):EBX
  unsigned a, b, c, d;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
  if ((c & kSsse3) == 0 || (c & kSse41) == 0) return false;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
  return (b & kShaNi) != 0;
}

}  // namespace

bool Available() {
  static const bool available = Detect();
  return available;
}

Hash HashPrefixed(unsigned char prefix, std::string_view data) {
  Blocks b(prefix, data);
  Hash out;
  HashOne(b, &out);
  return out;
}

void HashPrefixed2(unsigned char prefix_a, std::string_view a,
                   unsigned char prefix_b, std::string_view b, Hash* ha,
                   Hash* hb) {
  Blocks ba(prefix_a, a);
  Blocks bb(prefix_b, b);
  HashTwo(ba, bb, ha, hb);
}

#else  // !HAVEN_LEDGER_SHA_NI

bool Available() { return false; }
Hash HashPrefixed(unsigned char, std::string_view) { __builtin_trap(); }
void HashPrefixed2(unsigned char, std::string_view, unsigned char,
                   std::string_view, Hash*, Hash*) {
  __builtin_trap();
}

#endif

}  // namespace haven::ledger::sha256_ni
