// Glob matching for `like`. The pattern is split at its wildcards into runs
// R0 * R1 * ... * Rk: the text must start with R0, end with Rk, and hold
// R1..R(k-1) in order between them; finding each leftmost is optimal.

#include "cedar/like.h"

namespace haven::cedar {

LikeMatcher::LikeMatcher(const Pattern& pattern) {
  for (const PatternElem& e : pattern) {
    if (e.wildcard) {
      runs_.emplace_back();
    } else {
      runs_.back() += e.literal;
    }
  }
}

bool LikeMatcher::Matches(std::string_view text) const {
  if (runs_.size() == 1) return text == runs_[0];
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

bool LikeMatches(std::string_view text, const Pattern& pattern) {
  return LikeMatcher(pattern).Matches(text);
}

}  // namespace haven::cedar
