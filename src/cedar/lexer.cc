// A hand-written lexer for Cedar policy text. It scans bytes; the only
// non-ASCII text it must understand is Unicode whitespace between tokens
// (grammar.lalrpop skips r"\s*", which is Unicode-aware) and code points
// inside strings, which it passes through untouched.
#include "cedar/lexer.h"

#include <cstring>

namespace haven::cedar {
namespace {

bool IsIdentStart(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(unsigned char c) {
  return IsIdentStart(c) || (c >= '0' && c <= '9');
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }

// Decodes the UTF-8 code point at s[i]; sets *len to its byte length (1 for
// a malformed byte, which decodes as 0xFFFD).
uint32_t DecodeUtf8(std::string_view s, size_t i, size_t* len) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) -> int {
    if (i + k >= s.size()) return -1;
    unsigned char b = static_cast<unsigned char>(s[i + k]);
    return (b & 0xC0) == 0x80 ? (b & 0x3F) : -1;
  };
  if (c < 0x80) {
    *len = 1;
    return c;
  }
  if ((c & 0xE0) == 0xC0) {
    int b1 = cont(1);
    if (b1 >= 0) {
      *len = 2;
      return ((c & 0x1Fu) << 6) | static_cast<uint32_t>(b1);
    }
  } else if ((c & 0xF0) == 0xE0) {
    int b1 = cont(1), b2 = cont(2);
    if (b1 >= 0 && b2 >= 0) {
      *len = 3;
      return ((c & 0x0Fu) << 12) | (static_cast<uint32_t>(b1) << 6) |
             static_cast<uint32_t>(b2);
    }
  } else if ((c & 0xF8) == 0xF0) {
    int b1 = cont(1), b2 = cont(2), b3 = cont(3);
    if (b1 >= 0 && b2 >= 0 && b3 >= 0) {
      *len = 4;
      return ((c & 0x07u) << 18) | (static_cast<uint32_t>(b1) << 12) |
             (static_cast<uint32_t>(b2) << 6) | static_cast<uint32_t>(b3);
    }
  }
  *len = 1;
  return 0xFFFD;
}

void AppendUtf8(uint32_t c, std::string* out) {
  if (c < 0x80) {
    out->push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (c >> 6)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (c >> 12)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (c >> 18)));
    out->push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

int HexDigit(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Error BadEscape(std::string_view body, size_t from, size_t to) {
  if (to > body.size()) to = body.size();
  return Error("the input `" + std::string(body.substr(from, to - from)) +
               "` is not a valid escape");
}

// The shared unescaper (rustc_lexer's unescape_str, which Cedar uses).
// Calls emit(code_point, is_escaped_star) for each character. With
// `pattern`, `\*` is accepted and reported as an escaped star.
template <typename Emit>
Status Unescape(std::string_view body, bool pattern, Emit emit) {
  size_t i = 0;
  while (i < body.size()) {
    unsigned char c = static_cast<unsigned char>(body[i]);
    if (c == '\r') return Error("bare carriage return in a string literal");
    if (c != '\\') {
      size_t len;
      uint32_t cp = DecodeUtf8(body, i, &len);
      emit(cp, false);
      i += len;
      continue;
    }
    size_t start = i++;
    if (i >= body.size()) return BadEscape(body, start, i);
    unsigned char e = static_cast<unsigned char>(body[i++]);
    switch (e) {
      case 'n':
        emit('\n', false);
        break;
      case 'r':
        emit('\r', false);
        break;
      case 't':
        emit('\t', false);
        break;
      case '\\':
        emit('\\', false);
        break;
      case '0':
        emit(0, false);
        break;
      case '\'':
        emit('\'', false);
        break;
      case '"':
        emit('"', false);
        break;
      case '*':
        if (!pattern) return BadEscape(body, start, i);
        emit('*', true);
        break;
      case 'x': {
        int hi = i < body.size() ? HexDigit(body[i]) : -1;
        if (hi < 0) return BadEscape(body, start, i + 1);
        int lo = i + 1 < body.size() ? HexDigit(body[i + 1]) : -1;
        if (lo < 0) return BadEscape(body, start, i + 2);
        i += 2;
        if (hi > 7) return BadEscape(body, start, i);
        emit(static_cast<uint32_t>(hi * 16 + lo), false);
        break;
      }
      case 'u': {
        if (i >= body.size() || body[i] != '{')
          return BadEscape(body, start, i);
        ++i;
        if (i >= body.size()) return BadEscape(body, start, i);
        if (body[i] == '_' || body[i] == '}')
          return BadEscape(body, start, i + 1);
        int d = HexDigit(body[i]);
        if (d < 0) return BadEscape(body, start, i + 1);
        ++i;
        uint32_t value = static_cast<uint32_t>(d);
        int digits = 1;
        for (;;) {
          if (i >= body.size()) return BadEscape(body, start, i);
          unsigned char u = static_cast<unsigned char>(body[i++]);
          if (u == '_') continue;
          if (u == '}') break;
          d = HexDigit(u);
          if (d < 0) return BadEscape(body, start, i);
          if (++digits <= 6) value = value * 16 + static_cast<uint32_t>(d);
        }
        if (digits > 6 || value > 0x10FFFF ||
            (value >= 0xD800 && value <= 0xDFFF)) {
          return BadEscape(body, start, i);
        }
        emit(value, false);
        break;
      }
      default: {
        // Show the whole (possibly multi-byte) character after the slash.
        size_t len;
        DecodeUtf8(body, i - 1, &len);
        return BadEscape(body, start, i - 1 + len);
      }
    }
  }
  return Status();
}

}  // namespace

bool IsUnicodeSpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

void Lexer::MoveTo(size_t to) {
  for (size_t i = pos_; i < to; ++i) {
    unsigned char c = static_cast<unsigned char>(text_[i]);
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++column_;
    }
  }
  pos_ = to;
}

void Lexer::SkipSpace() {
  const size_t n = text_.size();
  for (;;) {
    size_t i = pos_;
    while (i < n) {
      unsigned char c = static_cast<unsigned char>(text_[i]);
      if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' ||
          c == '\f') {
        ++i;
      } else if (c >= 0x80) {
        size_t len;
        if (!IsUnicodeSpace(DecodeUtf8(text_, i, &len))) break;
        i += len;
      } else {
        break;
      }
    }
    if (i + 1 < n && text_[i] == '/' && text_[i + 1] == '/') {
      i += 2;
      while (i < n && text_[i] != '\n' && text_[i] != '\r') ++i;
      MoveTo(i);
      continue;
    }
    MoveTo(i);
    return;
  }
}

Token Lexer::Next() {
  SkipSpace();
  Token t;
  t.begin = static_cast<uint32_t>(pos_);
  t.loc = SourceLoc{line_, column_};
  const size_t n = text_.size();
  if (pos_ >= n) {
    t.kind = Tok::kEnd;
    t.end = t.begin;
    return t;
  }
  size_t i = pos_;
  unsigned char c = static_cast<unsigned char>(text_[i]);
  auto next_is = [&](char x) { return i + 1 < n && text_[i + 1] == x; };
  Tok kind = Tok::kError;
  size_t len = 1;
  switch (c) {
    case '@':
      kind = Tok::kAt;
      break;
    case '.':
      kind = Tok::kDot;
      break;
    case ',':
      kind = Tok::kComma;
      break;
    case ';':
      kind = Tok::kSemi;
      break;
    case '(':
      kind = Tok::kLParen;
      break;
    case ')':
      kind = Tok::kRParen;
      break;
    case '{':
      kind = Tok::kLBrace;
      break;
    case '}':
      kind = Tok::kRBrace;
      break;
    case '[':
      kind = Tok::kLBracket;
      break;
    case ']':
      kind = Tok::kRBracket;
      break;
    case '+':
      kind = Tok::kPlus;
      break;
    case '-':
      kind = Tok::kMinus;
      break;
    case '*':
      kind = Tok::kStar;
      break;
    case '/':
      kind = Tok::kSlash;
      break;
    case '%':
      kind = Tok::kPercent;
      break;
    case ':':
      if (next_is(':')) {
        kind = Tok::kColonColon;
        len = 2;
      } else {
        kind = Tok::kColon;
      }
      break;
    case '=':
      if (next_is('=')) {
        kind = Tok::kEqEq;
        len = 2;
      } else {
        kind = Tok::kAssign;
      }
      break;
    case '!':
      if (next_is('=')) {
        kind = Tok::kNotEq;
        len = 2;
      } else {
        kind = Tok::kBang;
      }
      break;
    case '<':
      if (next_is('=')) {
        kind = Tok::kLessEq;
        len = 2;
      } else {
        kind = Tok::kLess;
      }
      break;
    case '>':
      if (next_is('=')) {
        kind = Tok::kGreaterEq;
        len = 2;
      } else {
        kind = Tok::kGreater;
      }
      break;
    case '|':
      if (next_is('|')) {
        kind = Tok::kOrOr;
        len = 2;
      } else {
        error_ = "invalid token `|`; did you mean `||`?";
      }
      break;
    case '&':
      if (next_is('&')) {
        kind = Tok::kAndAnd;
        len = 2;
      } else {
        error_ = "invalid token `&`; did you mean `&&`?";
      }
      break;
    case '"': {
      size_t j = i + 1;
      for (;;) {
        if (j >= n) {
          error_ = "unterminated string literal";
          len = j - i;
          break;
        }
        char d = text_[j];
        if (d == '"') {
          kind = Tok::kString;
          len = j + 1 - i;
          break;
        }
        if (d == '\\') {
          // The token regex is "(\\.|[^"\\])*": a backslash takes the next
          // character, which may not be a newline.
          if (j + 1 >= n || text_[j + 1] == '\n') {
            error_ = "invalid escape at the end of a line in a string literal";
            len = j + 1 - i;
            break;
          }
          size_t clen;
          DecodeUtf8(text_, j + 1, &clen);
          j += 1 + clen;
        } else {
          ++j;
        }
      }
      break;
    }
    case '?': {
      size_t j = i + 1;
      if (j < n && IsIdentStart(static_cast<unsigned char>(text_[j]))) {
        while (j < n && IsIdentChar(static_cast<unsigned char>(text_[j]))) ++j;
        kind = Tok::kSlot;
        len = j - i;
      } else {
        error_ = "invalid token `?`";
      }
      break;
    }
    default:
      if (IsIdentStart(c)) {
        size_t j = i + 1;
        while (j < n && IsIdentChar(static_cast<unsigned char>(text_[j]))) ++j;
        kind = Tok::kIdent;
        len = j - i;
      } else if (IsDigit(c)) {
        size_t j = i + 1;
        while (j < n && IsDigit(static_cast<unsigned char>(text_[j]))) ++j;
        kind = Tok::kNumber;
        len = j - i;
      } else {
        size_t clen;
        uint32_t cp = DecodeUtf8(text_, i, &clen);
        len = clen;
        if (cp == 0xFFFD && clen == 1 && c >= 0x80) {
          error_ = "invalid UTF-8";
        } else {
          error_ =
              "invalid character `" + std::string(text_.substr(i, clen)) + "`";
        }
      }
      break;
  }
  t.kind = kind;
  MoveTo(i + len);
  t.end = static_cast<uint32_t>(pos_);
  return t;
}

const char* TokName(Tok kind) {
  switch (kind) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kError:
      return "invalid token";
    case Tok::kIdent:
      return "identifier";
    case Tok::kNumber:
      return "number";
    case Tok::kString:
      return "string literal";
    case Tok::kSlot:
      return "template slot";
    case Tok::kAt:
      return "`@`";
    case Tok::kDot:
      return "`.`";
    case Tok::kComma:
      return "`,`";
    case Tok::kSemi:
      return "`;`";
    case Tok::kColon:
      return "`:`";
    case Tok::kColonColon:
      return "`::`";
    case Tok::kLParen:
      return "`(`";
    case Tok::kRParen:
      return "`)`";
    case Tok::kLBrace:
      return "`{`";
    case Tok::kRBrace:
      return "`}`";
    case Tok::kLBracket:
      return "`[`";
    case Tok::kRBracket:
      return "`]`";
    case Tok::kEqEq:
      return "`==`";
    case Tok::kNotEq:
      return "`!=`";
    case Tok::kLess:
      return "`<`";
    case Tok::kLessEq:
      return "`<=`";
    case Tok::kGreater:
      return "`>`";
    case Tok::kGreaterEq:
      return "`>=`";
    case Tok::kOrOr:
      return "`||`";
    case Tok::kAndAnd:
      return "`&&`";
    case Tok::kPlus:
      return "`+`";
    case Tok::kMinus:
      return "`-`";
    case Tok::kStar:
      return "`*`";
    case Tok::kSlash:
      return "`/`";
    case Tok::kPercent:
      return "`%`";
    case Tok::kBang:
      return "`!`";
    case Tok::kAssign:
      return "`=`";
  }
  return "token";
}

Result<std::string> UnescapeString(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  Status s = Unescape(body, /*pattern=*/false,
                      [&](uint32_t cp, bool) { AppendUtf8(cp, &out); });
  if (!s.ok()) return s.error();
  return out;
}

Result<Pattern> UnescapePattern(std::string_view body) {
  Pattern out;
  Status s = Unescape(body, /*pattern=*/true, [&](uint32_t cp, bool escaped) {
    if (cp == '*' && !escaped) {
      out.push_back(PatternElem{true, ""});
      return;
    }
    if (out.empty() || out.back().wildcard) out.push_back(PatternElem{});
    AppendUtf8(cp, &out.back().literal);
  });
  if (!s.ok()) return s.error();
  return out;
}

}  // namespace haven::cedar
