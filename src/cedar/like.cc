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

bool LikeMatches(std::string_view text, const Pattern& pattern) {
  return LikeMatcher(pattern).Matches(text);
}

}  // namespace haven::cedar
