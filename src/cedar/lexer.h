// The tokens of Cedar policy text, and the unescaping of its string literals.
//
//   Lexer lex(text);
//   for (Token t = lex.Next(); t.kind != Tok::kEnd; t = lex.Next()) {
//     if (t.kind == Tok::kError) { ... lex.error() ... }
//   }
//
// The token set and the string escapes follow cedar-policy-core's
// grammar.lalrpop and unescape.rs (Cedar 4.x): identifiers are ASCII
// [_a-zA-Z][_a-zA-Z0-9]*; numbers are unsigned [0-9]+; strings are "..." with
// Rust escapes; whitespace is any Unicode White_Space; `//` starts a comment
// that runs to the end of the line.
//
// A Lexer borrows its text, which must outlive it. Thread-compatible.
#ifndef HAVEN_CEDAR_LEXER_H_
#define HAVEN_CEDAR_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "cedar/ast.h"
#include "cedar/result.h"

namespace haven::cedar {

enum class Tok : uint8_t {
  kEnd,     // end of input
  kError,   // a character or string the language does not have
  kIdent,   // foo, permit, true, if, ... (keywords are identifiers here)
  kNumber,  // 123 (unsigned; the parser checks the range)
  kString,  // "..." (text() includes the quotes; unescape with UnescapeString)
  kSlot,    // ?principal, ?resource, or any other ?name (an error later)
  kAt,
  kDot,
  kComma,
  kSemi,
  kColon,
  kColonColon,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kEqEq,
  kNotEq,
  kLess,
  kLessEq,
  kGreater,
  kGreaterEq,
  kOrOr,
  kAndAnd,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kPercent,
  kBang,
  kAssign,  // `=`: not an operator; the parser suggests `==`
};

struct Token {
  Tok kind = Tok::kEnd;
  uint32_t begin = 0;  // byte offsets into the text, [begin, end)
  uint32_t end = 0;
  SourceLoc loc;  // of `begin`; column counts code points, 1-based
};

class Lexer {
 public:
  // `text` must be at most UINT32_MAX bytes (the parser enforces a far
  // smaller limit).
  explicit Lexer(std::string_view text) : text_(text) {}

  // The next token. After kEnd, returns kEnd again. A kError token covers
  // the offending text and error() says what is wrong with it.
  Token Next();

  // The text of a token.
  std::string_view text(const Token& t) const {
    return text_.substr(t.begin, t.end - t.begin);
  }
  // Why the last kError token is an error.
  const std::string& error() const { return error_; }

 private:
  // Moves pos_ to `to`, keeping line_ and column_ in step.
  void MoveTo(size_t to);
  // Skips whitespace and comments.
  void SkipSpace();

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::string error_;
};

// A readable name for a token kind, as used in error messages ("`(`",
// "identifier", "end of input").
const char* TokName(Tok kind);

// Unescapes the body of a string literal (without its quotes) by Cedar's
// rules: \n \r \t \\ \0 \' \" \xHH (HH at most 7F) and \u{H..} (1 to 6 hex
// digits, `_` allowed after the first, a Unicode scalar value). A bare
// carriage return is an error, as in Rust. On error, the message names the
// first bad escape, e.g. "the input `\q` is not a valid escape".
Result<std::string> UnescapeString(std::string_view body);

// Unescapes the body of a `like` pattern literal: as UnescapeString, except
// that `*` is a wildcard and `\*` a literal star. Adjacent literal
// characters are merged into one element; each `*` is its own element.
Result<Pattern> UnescapePattern(std::string_view body);

// Whether `c` is a Unicode White_Space code point (Cedar skips these
// between tokens).
bool IsUnicodeSpace(uint32_t c);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_LEXER_H_
