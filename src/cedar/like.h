// Cedar's `like` operator: a pattern of literal runs and `*` wildcards.
//
//   Pattern p = {{false, "ab"}, {true, ""}, {false, "c"}};  // ab*c
//   bool m = LikeMatches("abxyzc", p);  // true
//
// Cedar matches Unicode scalar values; because UTF-8 is self-synchronizing
// and the only wildcard matches any run, matching bytes gives the same
// answer for valid UTF-8 text and patterns. Pure function; thread-safe.
#ifndef HAVEN_CEDAR_LIKE_H_
#define HAVEN_CEDAR_LIKE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cedar/ast.h"

namespace haven::cedar {

// Whether the whole of `text` matches `pattern`. Linear in practice: the
// classic greedy algorithm with one backtrack point (the last `*`).
bool LikeMatches(std::string_view text, const Pattern& pattern);

// A pattern prepared once (the evaluator keeps one per `like` node).
class LikeMatcher {
 public:
  LikeMatcher() = default;
  explicit LikeMatcher(const Pattern& pattern);
  bool Matches(std::string_view text) const;

 private:
  enum class Shape : uint8_t { kExact, kPrefix, kSuffix, kInfix, kGeneral };
  void Classify();

  // The runs between wildcards: R0 * R1 * ... * Rk (k = number of `*`).
  std::vector<std::string> runs_{std::string()};
  Shape shape_ = Shape::kExact;  // a common shape, matched without the loop
};

// Whether any of several patterns matches one text, as `x like p1 || x like
// p2 || ...` would say (each `like` gives a boolean, so only the answer
// matters). When every pattern is `*word*` with a non-empty word (a
// condition naming any of several words), one pass over the text finds the
// positions whose first two bytes start a word (16 at a time with SSE2) and
// compares only those words there; otherwise each pattern is tried in turn.
class LikeAnyMatcher {
 public:
  LikeAnyMatcher() = default;
  explicit LikeAnyMatcher(const std::vector<Pattern>& patterns);
  bool Matches(std::string_view text) const;

 private:
  std::vector<LikeMatcher> each_;  // used when words_ is empty
  std::vector<std::string> words_;
  // For each byte, the words (bit i: words_[i]) that start with it, and the
  // words whose second byte it is (or that have only one byte).
  std::array<uint64_t, 256> firsts_{};
  std::array<uint64_t, 256> seconds_{};
  uint64_t one_byte_ = 0;  // the words of one byte
  // The distinct first two bytes of the words, when there are at most 8 and
  // no word of one byte: positions are then found 16 at a time (SSE2).
  struct Pair {
    alignas(16) char first[16];  // the first byte, in every lane
    alignas(16) char second[16];
  };
  std::vector<Pair> pairs_;
  bool MatchesByPairs(const char* t, size_t n) const;
  // Whether a word starts at t[at] (at + 1 < n).
  bool WordAt(const char* t, size_t n, size_t at) const;
};

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_LIKE_H_
