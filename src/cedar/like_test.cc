#include "cedar/like.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>

namespace haven::cedar {
namespace {

PatternElem Lit(const char* s) { return PatternElem{false, s}; }
PatternElem Star() { return PatternElem{true, ""}; }

TEST(Like, WithoutWildcardsMatchesOnlyTheSameText) {
  EXPECT_TRUE(LikeMatches("abc", {Lit("abc")}));
  EXPECT_FALSE(LikeMatches("abcd", {Lit("abc")}));
  EXPECT_FALSE(LikeMatches("ab", {Lit("abc")}));
  EXPECT_TRUE(LikeMatches("", {}));
  EXPECT_FALSE(LikeMatches("a", {}));
}

TEST(Like, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(LikeMatches("", {Star()}));
  EXPECT_TRUE(LikeMatches("anything", {Star()}));
  EXPECT_TRUE(LikeMatches("ac", {Lit("a"), Star(), Lit("c")}));
  EXPECT_TRUE(LikeMatches("abbbc", {Lit("a"), Star(), Lit("c")}));
  EXPECT_FALSE(LikeMatches("abbbcd", {Lit("a"), Star(), Lit("c")}));
  EXPECT_TRUE(LikeMatches("case-123", {Lit("case-"), Star()}));
  EXPECT_TRUE(LikeMatches("x.pdf", {Star(), Lit(".pdf")}));
  EXPECT_TRUE(LikeMatches("**", {Star(), Star()}));
}

TEST(Like, PrefixAndSuffixMayNotOverlap) {
  EXPECT_FALSE(LikeMatches("aba", {Lit("ab"), Star(), Lit("ba")}));
  EXPECT_TRUE(LikeMatches("abba", {Lit("ab"), Star(), Lit("ba")}));
}

TEST(Like, MiddleRunsAreFoundInOrder) {
  Pattern p = {Star(), Lit("b"), Star(), Lit("a"), Star()};
  EXPECT_TRUE(LikeMatches("xbyaz", p));
  EXPECT_FALSE(LikeMatches("xaybz", p));
  Pattern q = {Lit("a"), Star(), Lit("aa"), Star(), Lit("a")};
  EXPECT_TRUE(LikeMatches("aaaa", q));
  EXPECT_FALSE(LikeMatches("aaa", q));
}

TEST(Like, AdjacentLiteralRunsJoin) {
  EXPECT_TRUE(LikeMatches("a*b", {Lit("a"), Lit("*"), Lit("b")}));
  EXPECT_FALSE(LikeMatches("axb", {Lit("a"), Lit("*"), Lit("b")}));
}

TEST(Like, MatchesUnicodeCharactersWhole) {
  EXPECT_TRUE(LikeMatches("héllo", {Lit("h"), Star(), Lit("llo")}));
  EXPECT_TRUE(LikeMatches("日本語", {Star(), Lit("本"), Star()}));
  EXPECT_FALSE(LikeMatches("日本語", {Star(), Lit("中"), Star()}));
  EXPECT_TRUE(LikeMatches("🦀", {Star()}));
}

TEST(Like, MatcherCanBeReused) {
  LikeMatcher m({Lit("a"), Star()});
  EXPECT_TRUE(m.Matches("abc"));
  EXPECT_FALSE(m.Matches("bc"));
  EXPECT_TRUE(m.Matches("a"));
}

}  // namespace
}  // namespace haven::cedar

namespace haven::cedar {
namespace {

TEST(Like, CommonShapesMatchLikeTheGeneralCase) {
  PatternElem a{false, "ab"}, star{true, ""};
  const Pattern shapes[] = {{a},          {a, star},
                            {star, a},    {star, a, star},
                            {a, star, a}, {star, a, star, a, star}};
  const char* texts[] = {"",     "a",   "ab", "abab",  "xab",   "abx",
                         "xabx", "aab", "ba", "abxab", "ababab"};
  for (const Pattern& p : shapes) {
    for (const char* t : texts) {
      // Reference: a plain recursive glob matcher.
      std::string pat;
      for (const PatternElem& e : p) pat += e.wildcard ? "\x01" : e.literal;
      std::function<bool(const char*, const char*)> glob =
          [&](const char* s, const char* q) -> bool {
        if (*q == 0) return *s == 0;
        if (*q == '\x01') return glob(s, q + 1) || (*s && glob(s + 1, q));
        return *s == *q && glob(s + 1, q + 1);
      };
      EXPECT_EQ(LikeMatches(t, p), glob(t, pat.c_str())) << pat << " " << t;
    }
  }
}

}  // namespace
}  // namespace haven::cedar

namespace haven::cedar {
namespace {

TEST(LikeAny, MatchesWhenAnyPatternMatches) {
  PatternElem star{true, ""};
  auto infix = [&](const char* w) {
    return Pattern{star, PatternElem{false, w}, star};
  };
  const std::vector<std::vector<Pattern>> sets = {
      {infix("ICE"), infix("ERO"), infix("immigra"), infix("deport")},
      {infix("a"), infix("ab"), infix("b")},  // one-byte words
      {infix("本"), infix("xy")},
      {infix("ICE"), Pattern{PatternElem{false, "JC"}, star}},  // mixed
      {infix("x"), Pattern{star, star}},
      {Pattern{}, infix("q")},
  };
  const char* texts[] = {"",        "a",           "b",      "ICE",
                         "xICEx",   "ICE+ERO",     "ERO",    "immigr",
                         "immigra", "deportation", "日本語", "JC12",
                         "xy",      "yx",          "q",      "burglary"};
  for (const std::vector<Pattern>& set : sets) {
    LikeAnyMatcher any(set);
    for (const char* t : texts) {
      bool want = false;
      for (const Pattern& p : set) want = want || LikeMatches(t, p);
      EXPECT_EQ(any.Matches(t), want) << t;
    }
  }
}

}  // namespace
}  // namespace haven::cedar
