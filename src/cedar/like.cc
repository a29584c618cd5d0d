// Glob matching for `like`. The pattern is split at its wildcards into runs
// R0 * R1 * ... * Rk: the text must start with R0, end with Rk, and hold
// R1..R(k-1) in order between them; finding each leftmost is optimal.

#include "cedar/like.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace haven::cedar {

LikeMatcher::LikeMatcher(const Pattern& pattern) {
  for (const PatternElem& e : pattern) {
    if (e.wildcard) {
      runs_.emplace_back();
    } else {
      runs_.back() += e.literal;
    }
  }
  Classify();
}

void LikeMatcher::Classify() {
  // Patterns such as "abc", "abc*", "*abc" and "*abc*" are the usual ones.
  if (runs_.size() == 1) {
    shape_ = Shape::kExact;
  } else if (runs_.size() == 2 && runs_[1].empty()) {
    shape_ = Shape::kPrefix;
  } else if (runs_.size() == 2 && runs_[0].empty()) {
    shape_ = Shape::kSuffix;
  } else if (runs_.size() == 3 && runs_[0].empty() && runs_[2].empty()) {
    shape_ = Shape::kInfix;
  } else {
    shape_ = Shape::kGeneral;
  }
}

bool LikeMatcher::Matches(std::string_view text) const {
  switch (shape_) {
    case Shape::kExact:
      return text == runs_[0];
    case Shape::kPrefix:
      return text.substr(0, runs_[0].size()) == runs_[0];
    case Shape::kSuffix:
      return text.size() >= runs_[1].size() &&
             text.substr(text.size() - runs_[1].size()) == runs_[1];
    case Shape::kInfix:
      return text.find(runs_[1]) != std::string_view::npos;
    case Shape::kGeneral:
      break;
  }
  const std::string& prefix = runs_.front();
  const std::string& suffix = runs_.back();
  if (text.size() < prefix.size() + suffix.size()) return false;
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  if (text.substr(text.size() - suffix.size()) != suffix) return false;
  text.remove_suffix(suffix.size());
  for (size_t i = 1; i + 1 < runs_.size(); ++i) {
    const std::string& run = runs_[i];
    if (run.empty()) continue;
    size_t at = text.find(run);
    if (at == std::string_view::npos) return false;
    text.remove_prefix(at + run.size());
  }
  return true;
}

LikeAnyMatcher::LikeAnyMatcher(const std::vector<Pattern>& patterns) {
  for (const Pattern& p : patterns) {
    // *word*: a wildcard, literals, a wildcard (adjacent literals join).
    bool infix = p.size() >= 3 && p.front().wildcard && p.back().wildcard;
    std::string word;
    for (size_t i = 1; infix && i + 1 < p.size(); ++i) {
      if (p[i].wildcard) infix = false;
      word += p[i].literal;
    }
    if (!infix || word.empty() || words_.size() == 64) {
      words_.clear();
      break;
    }
    words_.push_back(std::move(word));
  }
  if (words_.empty()) {
    for (const Pattern& p : patterns) each_.emplace_back(p);
    return;
  }
  for (size_t i = 0; i < words_.size(); ++i) {
    const std::string& w = words_[i];
    const uint64_t bit = uint64_t{1} << i;
    firsts_[static_cast<unsigned char>(w[0])] |= bit;
    if (w.size() == 1) {
      one_byte_ |= bit;
      for (uint64_t& s : seconds_) s |= bit;
    } else {
      seconds_[static_cast<unsigned char>(w[1])] |= bit;
    }
  }
#if defined(__SSE2__)
  if (one_byte_ == 0) {
    for (const std::string& w : words_) {
      bool seen = false;
      for (const Pair& q : pairs_)
        seen = seen || (q.first[0] == w[0] && q.second[0] == w[1]);
      if (seen) continue;
      Pair p;
      std::memset(p.first, w[0], sizeof(p.first));
      std::memset(p.second, w[1], sizeof(p.second));
      pairs_.push_back(p);
    }
    if (pairs_.size() > 8) pairs_.clear();
  }
#endif
}

inline bool LikeAnyMatcher::WordAt(const char* t, size_t n, size_t at) const {
  // Candidates agree with the text in their first two bytes.
  for (uint64_t m = firsts_[static_cast<unsigned char>(t[at])] &
                    seconds_[static_cast<unsigned char>(t[at + 1])];
       m != 0; m &= m - 1) {
    const std::string& w = words_[__builtin_ctzll(m)];
    if (w.size() <= n - at && BytesEqual(t + at, w.data(), w.size()))
      return true;
  }
  return false;
}

bool LikeAnyMatcher::MatchesByPairs(const char* t, size_t n) const {
#if defined(__SSE2__)
  // 16 positions at a time: a bit for each position whose two bytes start
  // a word. The last chunk ends at the text's end (overlapping the one
  // before), or for a short text is a zero-padded copy; positions past the
  // text are dropped before any word is compared.
  char tail[32];
  for (size_t base = 0; base + 1 < n; base += 16) {
    const char* p = t + base;
    if (n - base < 17) {
      if (n >= 17) {
        base = n - 17;
        p = t + base;
      } else {
        std::memset(tail, 0, sizeof(tail));
        std::memcpy(tail, t, n);
        p = tail;
      }
    }
    const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
    __m128i hit = _mm_setzero_si128();
    for (const Pair& q : pairs_) {
      const __m128i a =
          _mm_load_si128(reinterpret_cast<const __m128i*>(q.first));
      const __m128i b =
          _mm_load_si128(reinterpret_cast<const __m128i*>(q.second));
      hit = _mm_or_si128(
          hit, _mm_and_si128(_mm_cmpeq_epi8(x0, a), _mm_cmpeq_epi8(x1, b)));
    }
    for (unsigned mask = _mm_movemask_epi8(hit); mask != 0; mask &= mask - 1) {
      const size_t at = base + __builtin_ctz(mask);
      if (at + 1 >= n) break;
      if (WordAt(t, n, at)) return true;
    }
  }
#else
  (void)t;
  (void)n;
#endif
  return false;
}

bool LikeAnyMatcher::Matches(std::string_view text) const {
  if (words_.empty()) {
    for (const LikeMatcher& m : each_)
      if (m.Matches(text)) return true;
    return false;
  }
  const size_t n = text.size();
  if (n == 0) return false;
  const char* t = text.data();
  if (!pairs_.empty()) return MatchesByPairs(t, n);
  for (size_t at = 0; at + 1 < n; ++at)
    if (WordAt(t, n, at)) return true;
  return (firsts_[static_cast<unsigned char>(t[n - 1])] & one_byte_) != 0;
}

bool LikeMatches(std::string_view text, const Pattern& pattern) {
  return LikeMatcher(pattern).Matches(text);
}

}  // namespace haven::cedar
