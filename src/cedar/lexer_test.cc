#include "cedar/lexer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace haven::cedar {
namespace {

std::vector<Tok> Kinds(std::string_view text) {
  Lexer lex(text);
  std::vector<Tok> out;
  for (Token t = lex.Next();; t = lex.Next()) {
    out.push_back(t.kind);
    if (t.kind == Tok::kEnd || t.kind == Tok::kError) break;
  }
  return out;
}

std::string Unescaped(std::string_view body) {
  Result<std::string> r = UnescapeString(body);
  return r.ok() ? *r : "ERROR: " + r.error().message();
}

TEST(Lexer, SplitsOperatorsLongestFirst) {
  EXPECT_EQ(
      Kinds("== != <= >= < > = ! || && :: : + - * / %"),
      (std::vector<Tok>{Tok::kEqEq, Tok::kNotEq, Tok::kLessEq, Tok::kGreaterEq,
                        Tok::kLess, Tok::kGreater, Tok::kAssign, Tok::kBang,
                        Tok::kOrOr, Tok::kAndAnd, Tok::kColonColon, Tok::kColon,
                        Tok::kPlus, Tok::kMinus, Tok::kStar, Tok::kSlash,
                        Tok::kPercent, Tok::kEnd}));
}

TEST(Lexer, ReadsIdentifiersNumbersStringsAndSlots) {
  Lexer lex(R"(foo_1 123abc "a\"b" ?principal)");
  Token t = lex.Next();
  EXPECT_EQ(t.kind, Tok::kIdent);
  EXPECT_EQ(lex.text(t), "foo_1");
  t = lex.Next();
  EXPECT_EQ(t.kind, Tok::kNumber);
  EXPECT_EQ(lex.text(t), "123");
  t = lex.Next();
  EXPECT_EQ(t.kind, Tok::kIdent);
  EXPECT_EQ(lex.text(t), "abc");
  t = lex.Next();
  EXPECT_EQ(t.kind, Tok::kString);
  EXPECT_EQ(lex.text(t), R"("a\"b")");
  t = lex.Next();
  EXPECT_EQ(t.kind, Tok::kSlot);
  EXPECT_EQ(lex.text(t), "?principal");
  EXPECT_EQ(lex.Next().kind, Tok::kEnd);
  EXPECT_EQ(lex.Next().kind, Tok::kEnd);
}

TEST(Lexer, SkipsCommentsAndUnicodeWhitespace) {
  EXPECT_EQ(
      Kinds("a // comment ( [\n b\xC2\xA0"
            "c\xE2\x80\xA8//x"),
      (std::vector<Tok>{Tok::kIdent, Tok::kIdent, Tok::kIdent, Tok::kEnd}));
}

TEST(Lexer, TracksLinesAndColumnsInCodePoints) {
  Lexer lex("a\n  \xC3\xA9\xC3\xA9 // \n\"x\ny\" b");
  EXPECT_EQ(lex.Next().loc.line, 1);
  Token t = lex.Next();  // the invalid character é
  EXPECT_EQ(t.kind, Tok::kError);
  EXPECT_EQ(t.loc.line, 2);
  EXPECT_EQ(t.loc.column, 3);
  Lexer lex2("\"x\ny\" \xC2\xA0 b");
  lex2.Next();
  t = lex2.Next();
  EXPECT_EQ(t.loc.line, 2);
  EXPECT_EQ(t.loc.column, 6);
}

TEST(Lexer, RejectsStrayCharacters) {
  for (std::string_view s :
       {"|", "&", "#", "$", "?", "?1", "\"abc", "\"a\\\nb\"", "\xC3\xA9"}) {
    Lexer lex(s);
    EXPECT_EQ(lex.Next().kind, Tok::kError) << s;
    EXPECT_FALSE(lex.error().empty());
  }
}

TEST(Lexer, StringsMayHoldRawNewlines) {
  EXPECT_EQ(Kinds("\"a\nb\""), (std::vector<Tok>{Tok::kString, Tok::kEnd}));
}

TEST(UnescapeString, AcceptsRustEscapes) {
  EXPECT_EQ(Unescaped(R"(\n\r\t\\\0\'\")"), std::string("\n\r\t\\\0'\"", 7));
  EXPECT_EQ(Unescaped(R"(\x41\x7f)"), "A\x7f");
  EXPECT_EQ(Unescaped(R"(\u{41}\u{e9}\u{1F600}\u{1_F6_00}\u{00000A})"),
            "A\xC3\xA9\xF0\x9F\x98\x80\xF0\x9F\x98\x80\n");
  EXPECT_EQ(Unescaped("plain \xC3\xA9 text\nnewline"),
            "plain \xC3\xA9 text\nnewline");
}

TEST(UnescapeString, RejectsWhatRustRejects) {
  for (std::string_view s :
       {R"(\q)", R"(\*)", R"(\x80)", R"(\xG1)", R"(\x4)", R"(\u41)", R"(\u{})",
        R"(\u{_1})", R"(\u{0000001})", R"(\u{D800})", R"(\u{110000})",
        R"(\u{12)", "\\", "a\rb"}) {
    EXPECT_FALSE(UnescapeString(s).ok()) << s;
  }
  EXPECT_EQ(Unescaped(R"(ab\qc)"),
            "ERROR: the input `\\q` is not a valid escape");
}

TEST(UnescapePattern, SplitsWildcardsFromEscapedStars) {
  Result<Pattern> p = UnescapePattern(R"(a\*b*c**)");
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->size(), 5u);
  EXPECT_FALSE((*p)[0].wildcard);
  EXPECT_EQ((*p)[0].literal, "a*b");
  EXPECT_TRUE((*p)[1].wildcard);
  EXPECT_EQ((*p)[2].literal, "c");
  EXPECT_TRUE((*p)[3].wildcard);
  EXPECT_TRUE((*p)[4].wildcard);
  EXPECT_FALSE(UnescapePattern(R"(\q)").ok());
  EXPECT_TRUE(UnescapePattern("")->empty());
}

TEST(IsUnicodeSpace, KnowsTheWhiteSpaceProperty) {
  for (uint32_t c : {0x09u, 0x20u, 0x85u, 0xA0u, 0x1680u, 0x2000u, 0x200Au,
                     0x2028u, 0x2029u, 0x202Fu, 0x205Fu, 0x3000u}) {
    EXPECT_TRUE(IsUnicodeSpace(c)) << c;
  }
  for (uint32_t c : {0x41u, 0x200Bu, 0xFEFFu, 0x180Eu}) {
    EXPECT_FALSE(IsUnicodeSpace(c)) << c;
  }
}

}  // namespace
}  // namespace haven::cedar
