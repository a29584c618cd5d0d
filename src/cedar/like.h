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

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_LIKE_H_
