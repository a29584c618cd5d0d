// A recursive-descent parser for Cedar policy text. The grammar and the
// rules for turning it into an AST follow cedar-policy-core's
// grammar.lalrpop and cst_to_ast.rs (Cedar 4.x); where those files leave
// room, behaviour was checked against cedar-wasm 4.13.0.
//
// Every recursion passes through ParseExpr, which counts nesting, so the
// C++ stack is bounded by kMaxNesting frames of a small, fixed set of
// functions. Each built node carries its tree depth (Sub::depth) so that
// left-deep chains are bounded by kMaxExpressionDepth as well.
#include "cedar/parser.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_set>
#include <utility>

#include "cedar/lexer.h"

namespace haven::cedar {
namespace {

// Identifiers that cannot name attributes, record keys or parts of a name
// (cst_to_ast.rs, to_valid_ident).
bool IsReserved(std::string_view s) {
  return s == "true" || s == "false" || s == "if" || s == "then" ||
         s == "else" || s == "in" || s == "is" || s == "has" || s == "like";
}

bool IsVarName(std::string_view s, Var* var) {
  if (s == "principal") {
    *var = Var::kPrincipal;
  } else if (s == "action") {
    *var = Var::kAction;
  } else if (s == "resource") {
    *var = Var::kResource;
  } else if (s == "context") {
    *var = Var::kContext;
  } else {
    return false;
  }
  return true;
}

// Extension functions called as `f(...)`. `unknown` belongs to Cedar's
// partial evaluation, which cedar-wasm includes: it parses, and evaluating
// it is an error.
bool IsExtensionFunction(std::string_view s) {
  return s == "decimal" || s == "ip" || s == "datetime" || s == "duration" ||
         s == "unknown";
}

// Extension methods called as `e.m(...)`.
bool IsExtensionMethod(std::string_view s) {
  static constexpr std::string_view kMethods[] = {
      "lessThan",  "lessThanOrEqual", "greaterThan",   "greaterThanOrEqual",
      "isIpv4",    "isIpv6",          "isLoopback",    "isMulticast",
      "isInRange", "offset",          "durationSince", "toDate",
      "toTime",    "toMilliseconds",  "toSeconds",     "toMinutes",
      "toHours",   "toDays",
  };
  return std::find(std::begin(kMethods), std::end(kMethods), s) !=
         std::end(kMethods);
}

bool IsIdentifier(std::string_view s) {
  if (s.empty()) return false;
  auto start = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  };
  if (!start(s[0])) return false;
  for (char c : s)
    if (!start(c) && !(c >= '0' && c <= '9')) return false;
  return true;
}

// Strict UTF-8 validation (no overlong forms, no surrogates). Returns the
// byte offset of the first bad byte, or npos.
size_t FindInvalidUtf8(std::string_view s) {
  size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t min;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      unsigned char b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

SourceLoc LocOfOffset(std::string_view s, size_t off) {
  SourceLoc loc{1, 1};
  for (size_t i = 0; i < off && i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\n') {
      ++loc.line;
      loc.column = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc.column;
    }
  }
  return loc;
}

std::string At(SourceLoc loc, std::string_view msg) {
  return "line " + std::to_string(loc.line) + ", column " +
         std::to_string(loc.column) + ": " + std::string(msg);
}

// An expression being built, with the depth of its tree.
// `size` counts the nodes of the tree as if no subtree were shared: `e has
// a.b.c` refers to `e` three times, and evaluating or printing the tree
// visits it that often.
struct Sub {
  ExprPtr e;
  int depth = 0;
  uint64_t size = 0;
  explicit operator bool() const { return e != nullptr; }
};

// The depth and size of a node's children, gathered as they are attached.
struct Shape {
  int depth = 0;
  uint64_t size = 0;
  void Add(const Sub& s) {
    depth = std::max(depth, s.depth);
    size += s.size;
  }
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lex_(text) {
    Advance();
  }

  // Parses the whole text as a policy set, collecting errors; with
  // `stop_at_first`, stops after the first error.
  PolicySet ParseSet(bool stop_at_first);
  // Parses exactly one policy.
  std::optional<Policy> ParseOnePolicy();
  Sub ParseWholeExpr();
  std::optional<EntityUid> ParseWholeUid();
  std::optional<std::string> ParseWholeName();

  std::vector<Error>& errors() { return errors_; }
  // The first error (there is one whenever a Parse* function failed).
  Error FirstError() const {
    return errors_.empty() ? Error("invalid input") : errors_.front();
  }

  // Errors kept at most (a file full of errors needs no more).
  static constexpr size_t kMaxErrors = 1000;

 private:
  // --- tokens ---
  void Advance() { tok_ = lex_.Next(); }
  std::string_view Text() const { return lex_.text(tok_); }
  bool IsIdent(std::string_view word) const {
    return tok_.kind == Tok::kIdent && Text() == word;
  }
  bool Accept(Tok kind) {
    if (tok_.kind != kind) return false;
    Advance();
    return true;
  }
  bool Expect(Tok kind) {
    if (Accept(kind)) return true;
    return Expected(TokName(kind));
  }
  bool ExpectIdent(std::string_view word) {
    if (IsIdent(word)) {
      Advance();
      return true;
    }
    return Expected("`" + std::string(word) + "`");
  }
  // Describes the current token, e.g. "identifier `foo`".
  std::string Found() const;

  // --- errors ---
  // Fail records a syntax error at `loc` and returns false: parsing of the
  // policy stops (once per policy; later calls record nothing).
  bool Fail(SourceLoc loc, std::string_view msg);
  // Soft records an error after which the text can still be read (a
  // reserved name, an unknown function, a bad escape, ...): parsing goes on
  // so that one pass reports them all, but the policy is rejected.
  void Soft(SourceLoc loc, std::string_view msg);
  // A stand-in for an expression that had a soft error.
  Sub Placeholder(SourceLoc loc) {
    return MakeLiteral(Value::Bool(false), loc);
  }
  bool Fail(std::string_view msg) { return Fail(tok_.loc, msg); }
  bool Expected(std::string_view what) {
    if (tok_.kind == Tok::kError) return Fail(lex_.error());
    return Fail("expected " + std::string(what) + ", found " + Found());
  }
  Sub NoSub() { return Sub{}; }

  // --- policies ---
  bool ParsePolicyInto(Policy* p);
  bool ParseAnnotation(Policy* p);
  bool ParseScope(Policy* p);
  bool ParseScopeVar(int index, Policy* p);
  bool ToEntityScope(const Sub& rhs, Slot slot, SourceLoc loc, EntityScope* out,
                     bool is_in);
  bool ToActionEntity(const Expr& e, SourceLoc loc, EntityUid* out);
  bool ParseCondition(Policy* p);
  // Skips to just after the next `;` (or to the end).
  void Recover();

  // --- expressions ---
  Sub ParseExpr();
  Sub ParseOr();
  Sub ParseAnd();
  Sub ParseRelation();
  Sub ParseAdd();
  Sub ParseMult();
  Sub ParseUnary();
  Sub ParsePrimary();
  Sub ParseAccesses(Sub base);
  Sub ParseNumber(std::string_view digits, bool negate, SourceLoc loc);
  bool ParseArgs(std::vector<Sub>* args);
  Sub ParseRecord(SourceLoc loc);
  Sub ParseList(SourceLoc loc);
  // After `has`/`like`/`is` and their right-hand side: the text must not go
  // on as if the right-hand side were a larger expression.
  bool CheckRhsEnds(std::string_view what);
  // An entity type name, `A::B::C`. Leaves a trailing `::` in place if it
  // is followed by a string (an entity uid, which the caller rejects).
  bool ParseTypeName(std::string* out, SourceLoc* loc);
  bool CheckName(const std::vector<std::string>& parts, SourceLoc loc);
  bool CheckAttr(std::string_view name, SourceLoc loc);
  bool StringLiteral(std::string* out);

  // --- building ---
  Sub Make(ExprKind kind, SourceLoc loc, std::vector<Sub> args);
  Sub MakeLiteral(Value v, SourceLoc loc);
  Sub MakeAttr(ExprKind kind, SourceLoc loc, Sub target, std::string name);
  // Checks the limits for a node whose children have the given shape.
  Sub Finish(std::shared_ptr<Expr> e, Shape children);

  std::string_view text_;
  Lexer lex_;
  Token tok_;
  std::vector<Error> errors_;
  bool failed_ = false;       // a syntax error in the current policy
  bool soft_failed_ = false;  // any error in the current policy
  int nesting_ = 0;
  bool slots_allowed_ = false;
};

std::string Parser::Found() const {
  switch (tok_.kind) {
    case Tok::kEnd:
      return "end of input";
    case Tok::kError:
      return lex_.error();
    case Tok::kIdent:
    case Tok::kNumber:
    case Tok::kSlot:
      return std::string(TokName(tok_.kind)) + " `" + std::string(Text()) + "`";
    case Tok::kString: {
      std::string_view t = Text();
      if (t.size() > 40)
        return "string literal " + std::string(t.substr(0, 37)) + "...";
      return "string literal " + std::string(t);
    }
    default:
      return TokName(tok_.kind);
  }
}

bool Parser::Fail(SourceLoc loc, std::string_view msg) {
  if (!failed_) {
    failed_ = true;
    soft_failed_ = true;
    if (errors_.size() < kMaxErrors) errors_.emplace_back(At(loc, msg));
  }
  return false;
}

void Parser::Soft(SourceLoc loc, std::string_view msg) {
  soft_failed_ = true;
  if (errors_.size() < kMaxErrors) errors_.emplace_back(At(loc, msg));
}

void Parser::Recover() {
  while (tok_.kind != Tok::kEnd && tok_.kind != Tok::kSemi) Advance();
  Accept(Tok::kSemi);
}

// ---------------------------------------------------------------- policies

PolicySet Parser::ParseSet(bool stop_at_first) {
  PolicySet set;
  int count = 0;
  while (tok_.kind != Tok::kEnd) {
    Policy p;
    failed_ = false;
    soft_failed_ = false;
    bool parsed = ParsePolicyInto(&p);
    if (parsed && !soft_failed_) {
      p.id = "policy" + std::to_string(count);
      (p.is_template() ? set.templates : set.policies).push_back(std::move(p));
    } else {
      if (stop_at_first) break;
      if (!parsed) Recover();
    }
    ++count;
  }
  return set;
}

std::optional<Policy> Parser::ParseOnePolicy() {
  Policy p;
  if (!ParsePolicyInto(&p) || soft_failed_) return std::nullopt;
  if (tok_.kind != Tok::kEnd) {
    Fail("expected end of input after the policy, found " + Found());
    return std::nullopt;
  }
  p.id = "policy0";
  return p;
}

bool Parser::ParsePolicyInto(Policy* p) {
  p->loc = tok_.loc;
  while (tok_.kind == Tok::kAt) {
    if (!ParseAnnotation(p)) return false;
  }
  if (tok_.kind != Tok::kIdent) return Expected("`permit` or `forbid`");
  SourceLoc effect_loc = tok_.loc;
  std::string effect(Text());
  Advance();
  if (effect == "permit") {
    p->effect = Effect::kPermit;
  } else if (effect == "forbid") {
    p->effect = Effect::kForbid;
  } else {
    std::string msg = "invalid policy effect `" + effect +
                      "`: effect must be either `permit` or `forbid`";
    // Read on only if the rest looks like a policy.
    if (tok_.kind != Tok::kLParen) return Fail(effect_loc, msg);
    Soft(effect_loc, msg);
  }
  if (!ParseScope(p)) return false;
  while (tok_.kind == Tok::kIdent) {
    if (!ParseCondition(p)) return false;
  }
  if (tok_.kind != Tok::kSemi) return Expected("`;`, `when` or `unless`");
  Advance();
  return true;
}

bool Parser::ParseAnnotation(Policy* p) {
  SourceLoc loc = tok_.loc;
  Advance();  // @
  if (tok_.kind != Tok::kIdent) return Expected("an annotation name");
  std::string key(Text());
  Advance();
  std::string value;
  if (Accept(Tok::kLParen)) {
    if (!StringLiteral(&value)) return false;
    if (!Expect(Tok::kRParen)) return false;
  }
  if (p->Annotation(key) != nullptr) {
    Soft(loc, "duplicate annotation: @" + key);
    return true;
  }
  p->annotations.emplace_back(std::move(key), std::move(value));
  return true;
}

bool Parser::ParseScope(Policy* p) {
  if (!Expect(Tok::kLParen)) return false;
  int count = 0;
  while (tok_.kind != Tok::kRParen) {
    if (count == 3) {
      return Fail("this policy has an extra element in the scope: " + Found() +
                  "; a scope has `principal`, `action` and `resource`, in "
                  "that order");
    }
    if (!ParseScopeVar(count, p)) return false;
    ++count;
    if (!Accept(Tok::kComma)) break;
  }
  if (tok_.kind != Tok::kRParen) return Expected("`,` or `)`");
  if (count < 3) {
    static constexpr const char* kNames[] = {"principal", "action", "resource"};
    return Fail(std::string("this policy is missing the `") + kNames[count] +
                "` variable in the scope; a scope has `principal`, `action` "
                "and `resource`, in that order");
  }
  Advance();
  return true;
}

bool Parser::ParseScopeVar(int index, Policy* p) {
  static constexpr std::string_view kNames[] = {"principal", "action",
                                                "resource"};
  SourceLoc loc = tok_.loc;
  if (tok_.kind != Tok::kIdent)
    return Expected("`" + std::string(kNames[index]) + "`");
  std::string_view name = Text();
  if (name != kNames[index]) {
    if (name == "principal" || name == "action" || name == "resource") {
      return Fail("found the variable `" + std::string(name) +
                  "` where the variable `" + std::string(kNames[index]) +
                  "` must be used; a scope has `principal`, `action` and "
                  "`resource`, in that order");
    }
    return Fail("expected `" + std::string(kNames[index]) + "`, found " +
                Found());
  }
  Advance();
  if (tok_.kind == Tok::kColon)
    return Fail("type constraints using `:` are not supported; use `is`");

  std::string type;
  bool has_is = false;
  if (IsIdent("is")) {
    if (index == 1) {
      Soft(loc,
           "`is` cannot appear in the action scope; move `action is ..` "
           "into a `when` condition");
    }
    Advance();
    SourceLoc type_loc;
    if (!ParseTypeName(&type, &type_loc)) return false;
    if (!CheckRhsEnds("`is`")) return false;
    has_is = true;
  }

  bool is_in;
  SourceLoc op_loc = tok_.loc;
  if (tok_.kind == Tok::kEqEq) {
    is_in = false;
  } else if (IsIdent("in")) {
    is_in = true;
  } else if (tok_.kind == Tok::kComma || tok_.kind == Tok::kRParen) {
    // No constraint beyond `is`, if any.
    if (index == 1) {
      p->action.op = ActionScope::Op::kAny;
    } else {
      EntityScope& s = index == 0 ? p->principal : p->resource;
      s.op = has_is ? EntityScope::Op::kIs : EntityScope::Op::kAny;
      s.entity_type = std::move(type);
    }
    return true;
  } else if (tok_.kind == Tok::kAssign) {
    return Fail("'=' is not a valid operator in Cedar; use '=='");
  } else if (tok_.kind == Tok::kLess || tok_.kind == Tok::kLessEq ||
             tok_.kind == Tok::kGreater || tok_.kind == Tok::kGreaterEq ||
             tok_.kind == Tok::kNotEq) {
    return Fail("invalid operator in the policy scope: " + Found() +
                "; scope clauses can only use `==`, `in`, `is`, or `_ is _ "
                "in _`");
  } else {
    return Expected("`==`, `in`, `,` or `)`");
  }
  if (has_is && !is_in)
    Soft(op_loc, "`is` cannot be used together with `==`; use `_ is _ in _`");
  Advance();

  SourceLoc rhs_loc = tok_.loc;
  slots_allowed_ = true;
  Sub rhs = ParseExpr();
  slots_allowed_ = false;
  if (!rhs) return false;

  if (index == 1) {
    const Expr& e = *rhs.e;
    ActionScope& a = p->action;
    if (e.kind == ExprKind::kSet && is_in) {
      a.op = ActionScope::Op::kInSet;
      for (const ExprPtr& elem : e.args) {
        EntityUid uid;
        if (ToActionEntity(*elem, elem->loc, &uid))
          a.entities.push_back(std::move(uid));
      }
      return true;
    }
    if (e.kind == ExprKind::kSet) {
      Soft(rhs_loc, "expected single entity uid, found set of entity uids");
      return true;
    }
    if (e.kind == ExprKind::kSlot) {
      Soft(rhs_loc, "expected single entity uid, found template slot");
      return true;
    }
    EntityUid uid;
    if (!ToActionEntity(e, rhs_loc, &uid)) return true;
    a.op = is_in ? ActionScope::Op::kIn : ActionScope::Op::kEq;
    a.entities.push_back(std::move(uid));
    return true;
  }

  EntityScope& s = index == 0 ? p->principal : p->resource;
  if (!ToEntityScope(rhs, index == 0 ? Slot::kPrincipal : Slot::kResource,
                     rhs_loc, &s, is_in)) {
    return true;  // a soft error
  }
  if (has_is) {
    s.op = EntityScope::Op::kIsIn;
    s.entity_type = std::move(type);
  }
  return true;
}

bool Parser::ToEntityScope(const Sub& rhs, Slot slot, SourceLoc loc,
                           EntityScope* out, bool is_in) {
  const Expr& e = *rhs.e;
  out->op = is_in ? EntityScope::Op::kIn : EntityScope::Op::kEq;
  if (e.kind == ExprKind::kSlot) {
    if (e.slot != slot) {
      Soft(loc, slot == Slot::kPrincipal
                    ? "expected an entity uid or matching template "
                      "slot, found ?resource instead of ?principal"
                    : "expected an entity uid or matching template "
                      "slot, found ?principal instead of ?resource");
      return false;
    }
    out->slot = slot;
    return true;
  }
  if (e.kind == ExprKind::kLiteral &&
      e.literal.kind() == Value::Kind::kEntity) {
    out->entity = e.literal.AsEntity();
    return true;
  }
  if (e.kind == ExprKind::kSet) {
    Soft(loc,
         "expected single entity uid or template slot, found set of "
         "entity uids");
    return false;
  }
  Soft(loc, "expected an entity uid or matching template slot");
  return false;
}

bool Parser::ToActionEntity(const Expr& e, SourceLoc loc, EntityUid* out) {
  if (e.kind != ExprKind::kLiteral ||
      e.literal.kind() != Value::Kind::kEntity) {
    Soft(loc, e.kind == ExprKind::kSlot
                  ? "expected an entity uid, found template slot"
                  : "expected an entity uid");
    return false;
  }
  const EntityUid& uid = e.literal.AsEntity();
  std::string_view t = uid.type;
  if (!(t == "Action" ||
        (t.size() > 8 && t.substr(t.size() - 8) == "::Action"))) {
    Soft(loc, "expected an entity uid with type `Action` but got `" + uid.type +
                  "::\"...\"`; action entities must have type `Action`, "
                  "optionally in a namespace");
    return false;
  }
  *out = uid;
  return true;
}

bool Parser::ParseCondition(Policy* p) {
  SourceLoc loc = tok_.loc;
  Condition c;
  if (Text() == "when") {
    c.is_when = true;
  } else if (Text() == "unless") {
    c.is_when = false;
  } else {
    Soft(loc, "invalid policy condition `" + std::string(Text()) +
                  "`: a condition is either `when` or `unless`");
  }
  std::string kw(Text());
  Advance();
  if (!Expect(Tok::kLBrace)) return false;
  if (tok_.kind == Tok::kRBrace) {
    Soft(loc, "`" + kw + "` condition clause cannot be empty");
    Advance();
    return true;
  }
  Sub body = ParseExpr();
  if (!body) return false;
  if (!Expect(Tok::kRBrace)) return false;
  c.body = std::move(body.e);
  p->conditions.push_back(std::move(c));
  return true;
}

// ------------------------------------------------------------- expressions

Sub Parser::Finish(std::shared_ptr<Expr> e, Shape children) {
  int depth = children.depth + 1;
  uint64_t size = children.size + 1;
  if (depth > kMaxExpressionDepth) {
    Fail(e->loc, "expression is nested too deeply (the limit is " +
                     std::to_string(kMaxExpressionDepth) + " levels)");
    return NoSub();
  }
  if (size > kMaxExpressionSize) {
    Fail(e->loc, "expression is too large (the limit is " +
                     std::to_string(kMaxExpressionSize) + " nodes)");
    return NoSub();
  }
  return Sub{std::move(e), depth, size};
}

Sub Parser::Make(ExprKind kind, SourceLoc loc, std::vector<Sub> args) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->loc = loc;
  Shape shape;
  e->args.reserve(args.size());
  for (Sub& a : args) {
    shape.Add(a);
    e->args.push_back(std::move(a.e));
  }
  return Finish(std::move(e), shape);
}

Sub Parser::MakeLiteral(Value v, SourceLoc loc) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->loc = loc;
  e->literal = std::move(v);
  return Sub{std::move(e), 1, 1};
}

Sub Parser::MakeAttr(ExprKind kind, SourceLoc loc, Sub target,
                     std::string name) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->loc = loc;
  e->name = std::move(name);
  Shape shape;
  shape.Add(target);
  e->args.push_back(std::move(target.e));
  return Finish(std::move(e), shape);
}

Sub Parser::ParseExpr() {
  if (nesting_ >= kMaxNesting) {
    Fail("expression is nested too deeply (the limit is " +
         std::to_string(kMaxNesting) + " levels of brackets)");
    return NoSub();
  }
  ++nesting_;
  Sub result;
  if (IsIdent("if")) {
    SourceLoc loc = tok_.loc;
    Advance();
    Sub c = ParseExpr();
    if (c && ExpectIdent("then")) {
      Sub t = ParseExpr();
      if (t && ExpectIdent("else")) {
        Sub f = ParseExpr();
        if (f) {
          std::vector<Sub> args;
          args.push_back(std::move(c));
          args.push_back(std::move(t));
          args.push_back(std::move(f));
          result = Make(ExprKind::kIf, loc, std::move(args));
        }
      }
    }
  } else {
    result = ParseOr();
  }
  --nesting_;
  return result;
}

Sub Parser::ParseOr() {
  SourceLoc loc = tok_.loc;
  Sub left = ParseAnd();
  while (left && tok_.kind == Tok::kOrOr) {
    Advance();
    Sub right = ParseAnd();
    if (!right) return NoSub();
    std::vector<Sub> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    left = Make(ExprKind::kOr, loc, std::move(args));
  }
  return left;
}

Sub Parser::ParseAnd() {
  SourceLoc loc = tok_.loc;
  Sub left = ParseRelation();
  while (left && tok_.kind == Tok::kAndAnd) {
    Advance();
    Sub right = ParseRelation();
    if (!right) return NoSub();
    std::vector<Sub> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    left = Make(ExprKind::kAnd, loc, std::move(args));
  }
  return left;
}

// The relational operator at the current token, if any.
static std::optional<ExprKind> RelOpKind(const Token& t,
                                         std::string_view text) {
  switch (t.kind) {
    case Tok::kEqEq:
      return ExprKind::kEq;
    case Tok::kNotEq:
      return ExprKind::kNotEq;
    case Tok::kLess:
      return ExprKind::kLess;
    case Tok::kLessEq:
      return ExprKind::kLessEq;
    case Tok::kGreater:
      return ExprKind::kGreater;
    case Tok::kGreaterEq:
      return ExprKind::kGreaterEq;
    case Tok::kIdent:
      if (text == "in") return ExprKind::kIn;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

Sub Parser::ParseRelation() {
  SourceLoc loc = tok_.loc;
  Sub left = ParseAdd();
  if (!left) return left;
  Sub result;
  if (std::optional<ExprKind> op = RelOpKind(tok_, Text())) {
    Advance();
    Sub right = ParseAdd();
    if (!right) return NoSub();
    std::vector<Sub> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    result = Make(*op, loc, std::move(args));
    if (!result) return result;
    if (RelOpKind(tok_, Text()) || tok_.kind == Tok::kAssign) {
      Fail(loc,
           "multiple relational operators (>, ==, in, etc.) must be used "
           "with parentheses to make ordering explicit");
      return NoSub();
    }
  } else if (tok_.kind == Tok::kAssign) {
    Fail("'=' is not a valid operator in Cedar; use '=='");
    return NoSub();
  } else if (IsIdent("has")) {
    Advance();
    SourceLoc rhs_loc = tok_.loc;
    std::vector<std::string> path;
    if (tok_.kind == Tok::kString) {
      std::string attr;
      if (!StringLiteral(&attr)) return NoSub();
      path.push_back(std::move(attr));
    } else if (tok_.kind == Tok::kIdent) {
      for (;;) {
        if (tok_.kind != Tok::kIdent) {
          Expected("an attribute name");
          return NoSub();
        }
        if (!CheckAttr(Text(), tok_.loc)) return NoSub();
        path.emplace_back(Text());
        Advance();
        if (!Accept(Tok::kDot)) break;
      }
    } else {
      Fail("invalid RHS of a `has` operation: " + Found() +
           "; it is either a sequence of identifiers separated by `.` or a "
           "string literal");
      return NoSub();
    }
    if (tok_.kind == Tok::kLParen || tok_.kind == Tok::kLBracket ||
        tok_.kind == Tok::kColonColon) {
      Fail(rhs_loc,
           "invalid RHS of a `has` operation: it is either a sequence of "
           "identifiers separated by `.` or a string literal");
      return NoSub();
    }
    if (!CheckRhsEnds("`has`")) return NoSub();
    // e has a.b.c  =>  (e has a && e.a has b) && e.a.b has c
    Sub target = left;
    result = MakeAttr(ExprKind::kHasAttr, loc, target, path[0]);
    for (size_t i = 1; result && i < path.size(); ++i) {
      target = MakeAttr(ExprKind::kGetAttr, loc, target, path[i - 1]);
      if (!target) return NoSub();
      Sub has = MakeAttr(ExprKind::kHasAttr, loc, target, path[i]);
      if (!has) return NoSub();
      std::vector<Sub> args;
      args.push_back(std::move(result));
      args.push_back(std::move(has));
      result = Make(ExprKind::kAnd, loc, std::move(args));
    }
  } else if (IsIdent("like")) {
    Advance();
    if (tok_.kind != Tok::kString) {
      Fail(
          "right hand side of a `like` expression must be a pattern "
          "literal, found " +
          Found());
      return NoSub();
    }
    std::string_view raw = Text();
    Result<Pattern> pat = UnescapePattern(raw.substr(1, raw.size() - 2));
    if (!pat.ok()) {
      Soft(tok_.loc, pat.error().message());
      pat = Pattern{};
    }
    Advance();
    if (!CheckRhsEnds("`like`")) return NoSub();
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kLike;
    e->loc = loc;
    e->pattern = std::move(*pat);
    Shape shape;
    shape.Add(left);
    e->args.push_back(std::move(left.e));
    result = Finish(std::move(e), shape);
  } else if (IsIdent("is")) {
    Advance();
    std::string type;
    SourceLoc type_loc;
    if (!ParseTypeName(&type, &type_loc)) return NoSub();
    if (tok_.kind == Tok::kColonColon) {
      Fail(type_loc,
           "right hand side of an `is` expression must be an entity type "
           "name, not an entity uid; use `==` to test for equality");
      return NoSub();
    }
    if (!CheckRhsEnds("`is`")) return NoSub();
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kIs;
    e->loc = loc;
    e->name = std::move(type);
    Shape shape;
    shape.Add(left);
    e->args.push_back(std::move(left.e));
    if (IsIdent("in")) {
      Advance();
      Sub in = ParseAdd();
      if (!in) return NoSub();
      shape.Add(in);
      e->args.push_back(std::move(in.e));
    }
    result = Finish(std::move(e), shape);
  } else {
    return left;
  }
  if (!result) return result;
  if (tok_.kind == Tok::kIdent && (Text() == "has" || Text() == "like" ||
                                   Text() == "is" || Text() == "in")) {
    Fail("unexpected " + Found() +
         "; use parentheses to combine relational operators");
    return NoSub();
  }
  if (RelOpKind(tok_, Text())) {
    Fail(loc,
         "multiple relational operators (>, ==, in, etc.) must be used "
         "with parentheses to make ordering explicit");
    return NoSub();
  }
  return result;
}

bool Parser::CheckRhsEnds(std::string_view what) {
  switch (tok_.kind) {
    case Tok::kDot:
    case Tok::kLParen:
    case Tok::kLBracket:
    case Tok::kColonColon:
    case Tok::kPlus:
    case Tok::kMinus:
    case Tok::kStar:
    case Tok::kSlash:
    case Tok::kPercent:
      return Fail("unexpected " + Found() + " after the right hand side of " +
                  std::string(what) + "; use parentheses");
    default:
      return true;
  }
}

Sub Parser::ParseAdd() {
  SourceLoc loc = tok_.loc;
  Sub left = ParseMult();
  while (left && (tok_.kind == Tok::kPlus || tok_.kind == Tok::kMinus)) {
    ExprKind kind = tok_.kind == Tok::kPlus ? ExprKind::kAdd : ExprKind::kSub;
    Advance();
    Sub right = ParseMult();
    if (!right) return NoSub();
    std::vector<Sub> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    left = Make(kind, loc, std::move(args));
  }
  return left;
}

Sub Parser::ParseMult() {
  SourceLoc loc = tok_.loc;
  Sub left = ParseUnary();
  while (left) {
    if (tok_.kind == Tok::kSlash) {
      Soft(tok_.loc, "division is not supported");
    } else if (tok_.kind == Tok::kPercent) {
      Soft(tok_.loc, "remainder/modulo is not supported");
    } else if (tok_.kind != Tok::kStar) {
      break;
    }
    Advance();
    Sub right = ParseUnary();
    if (!right) return NoSub();
    std::vector<Sub> args;
    args.push_back(std::move(left));
    args.push_back(std::move(right));
    left = Make(ExprKind::kMul, loc, std::move(args));
  }
  return left;
}

Sub Parser::ParseUnary() {
  SourceLoc loc = tok_.loc;
  if (tok_.kind != Tok::kBang && tok_.kind != Tok::kMinus) {
    Sub prim = ParsePrimary();
    if (!prim) return prim;
    return ParseAccesses(std::move(prim));
  }
  Tok op = tok_.kind;
  int count = 0;
  while (tok_.kind == op) {
    ++count;
    Advance();
  }
  if (count > 4) {
    Soft(loc, std::string("too many occurrences of `") +
                  (op == Tok::kBang ? "!" : "-") +
                  "`: cannot chain more than 4 applications of a unary "
                  "operator");
    count = 4;
  }
  Sub operand;
  int wraps = count;
  if (op == Tok::kMinus && tok_.kind == Tok::kNumber) {
    // A negative literal: `-5` is the literal -5, unless the number is the
    // receiver of a member access (`-5.foo` is -(5.foo)).
    SourceLoc num_loc = tok_.loc;
    std::string_view digits = Text();
    Advance();
    bool access = tok_.kind == Tok::kDot || tok_.kind == Tok::kLBracket ||
                  tok_.kind == Tok::kLParen;
    operand = ParseNumber(digits, /*negate=*/!access, num_loc);
    if (!operand) return operand;
    if (access) {
      operand = ParseAccesses(std::move(operand));
    } else {
      --wraps;
    }
  } else {
    operand = ParsePrimary();
    if (!operand) return operand;
    operand = ParseAccesses(std::move(operand));
  }
  for (int i = 0; operand && i < wraps; ++i) {
    std::vector<Sub> args;
    args.push_back(std::move(operand));
    operand = Make(op == Tok::kBang ? ExprKind::kNot : ExprKind::kNeg, loc,
                   std::move(args));
  }
  return operand;
}

// An integer literal with the given digits, negated when it follows `-`.
// Cedar reads the digits as a u64, then requires them to fit an i64 (the
// magnitude 2^63 only when negated).
Sub Parser::ParseNumber(std::string_view digits, bool negate, SourceLoc loc) {
  uint64_t n = 0;
  for (char c : digits) {
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) {
      Soft(loc, "integer parse error: number too large to fit in target type");
      return Placeholder(loc);
    }
    n = n * 10 + d;
  }
  constexpr uint64_t kMinMagnitude = uint64_t{1} << 63;
  if (n > kMinMagnitude || (!negate && n == kMinMagnitude)) {
    Soft(loc, "integer literal `" + std::string(negate ? "-" : "") +
                  std::string(digits) +
                  "` is too large; the maximum is 9223372036854775807");
    return Placeholder(loc);
  }
  int64_t v = negate ? static_cast<int64_t>(0 - n) : static_cast<int64_t>(n);
  return MakeLiteral(Value::Long(v), loc);
}

bool Parser::CheckAttr(std::string_view name, SourceLoc loc) {
  if (IsReserved(name)) {
    Soft(loc, "this identifier is reserved and cannot be used: " +
                  std::string(name));
  }
  return true;
}

bool Parser::CheckName(const std::vector<std::string>& parts, SourceLoc loc) {
  for (const std::string& p : parts) {
    if (IsReserved(p)) {
      Soft(loc, "this identifier is reserved and cannot be used: " + p);
      return true;
    }
  }
  for (const std::string& p : parts) {
    if (p == "__cedar") {
      std::string full;
      for (size_t i = 0; i < parts.size(); ++i) {
        if (i) full += "::";
        full += parts[i];
      }
      Soft(loc,
           "the name `" + full + "` contains `__cedar`, which is reserved");
      return true;
    }
  }
  return true;
}

bool Parser::ParseTypeName(std::string* out, SourceLoc* loc) {
  *loc = tok_.loc;
  std::vector<std::string> parts;
  if (tok_.kind != Tok::kIdent) return Expected("an entity type name");
  parts.emplace_back(Text());
  Advance();
  while (tok_.kind == Tok::kColonColon) {
    // Peek: `::` followed by a string is an entity uid; leave it.
    Lexer saved = lex_;
    Token saved_tok = tok_;
    Advance();
    if (tok_.kind != Tok::kIdent) {
      lex_ = saved;
      tok_ = saved_tok;
      break;
    }
    parts.emplace_back(Text());
    Advance();
  }
  if (!CheckName(parts, *loc)) return false;
  out->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) *out += "::";
    *out += parts[i];
  }
  return true;
}

bool Parser::StringLiteral(std::string* out) {
  if (tok_.kind != Tok::kString) return Expected("a string literal");
  std::string_view raw = Text();
  Result<std::string> s = UnescapeString(raw.substr(1, raw.size() - 2));
  if (!s.ok()) {
    Soft(tok_.loc, s.error().message());
    out->assign(raw);
  } else {
    *out = std::move(*s);
  }
  Advance();
  return true;
}

Sub Parser::ParsePrimary() {
  SourceLoc loc = tok_.loc;
  switch (tok_.kind) {
    case Tok::kNumber: {
      std::string_view digits = Text();
      Advance();
      return ParseNumber(digits, /*negate=*/false, loc);
    }
    case Tok::kString: {
      std::string s;
      if (!StringLiteral(&s)) return NoSub();
      return MakeLiteral(Value::String(std::move(s)), loc);
    }
    case Tok::kSlot: {
      std::string_view t = Text();
      if (!slots_allowed_) {
        Soft(loc, "found template slot " + std::string(t) +
                      " in a condition; slots may only appear in the scope");
        Advance();
        return Placeholder(loc);
      }
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kSlot;
      e->loc = loc;
      if (t == "?principal") {
        e->slot = Slot::kPrincipal;
      } else if (t == "?resource") {
        e->slot = Slot::kResource;
      } else {
        Fail("invalid template slot " + std::string(t) +
             "; the slots are ?principal and ?resource");
        return NoSub();
      }
      Advance();
      return Sub{std::move(e), 1, 1};
    }
    case Tok::kLParen: {
      Advance();
      Sub inner = ParseExpr();
      if (!inner) return inner;
      if (!Expect(Tok::kRParen)) return NoSub();
      return inner;
    }
    case Tok::kLBracket:
      return ParseList(loc);
    case Tok::kLBrace:
      return ParseRecord(loc);
    case Tok::kIdent:
      break;
    default:
      Expected("an expression");
      return NoSub();
  }

  std::string_view first = Text();
  if (first == "true" || first == "false") {
    Advance();
    return MakeLiteral(Value::Bool(first == "true"), loc);
  }
  if (first == "if") {
    Fail("`if` must be in parentheses here: `(if ... then ... else ...)`");
    return NoSub();
  }
  std::vector<std::string> parts;  // of a name, `A::B::c`
  parts.clear();
  parts.emplace_back(first);
  Advance();
  while (tok_.kind == Tok::kColonColon) {
    Advance();
    if (tok_.kind == Tok::kString) {
      // An entity uid.
      if (!CheckName(parts, loc)) return NoSub();
      std::string id;
      if (!StringLiteral(&id)) return NoSub();
      EntityUid uid;
      for (size_t i = 0; i < parts.size(); ++i) {
        if (i) uid.type += "::";
        uid.type += parts[i];
      }
      uid.id = std::move(id);
      return MakeLiteral(Value::Entity(std::move(uid)), loc);
    }
    if (tok_.kind == Tok::kLBrace) {
      Fail(loc,
           "invalid entity literal; entity literals look like "
           "`Namespace::User::\"alice\"`");
      return NoSub();
    }
    if (tok_.kind != Tok::kIdent) {
      Expected("an identifier or a string literal after `::`");
      return NoSub();
    }
    parts.emplace_back(Text());
    Advance();
  }
  std::string full;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) full += "::";
    full += parts[i];
  }
  if (tok_.kind == Tok::kLParen) {
    // A function call.
    std::vector<Sub> args;
    if (!ParseArgs(&args)) return NoSub();
    if (parts.size() == 1 && IsExtensionFunction(full)) {
      auto e = std::make_shared<Expr>();
      e->kind = ExprKind::kExtCall;
      e->loc = loc;
      e->name = full;
      Shape shape;
      for (Sub& a : args) {
        shape.Add(a);
        e->args.push_back(std::move(a.e));
      }
      return Finish(std::move(e), shape);
    }
    if (parts.size() == 1 &&
        (IsExtensionMethod(full) || full == "contains" ||
         full == "containsAll" || full == "containsAny" || full == "isEmpty" ||
         full == "getTag" || full == "hasTag")) {
      Soft(loc, "`" + full + "` is a method, not a function; call it as `e." +
                    full + "(..)`");
      return Placeholder(loc);
    }
    Soft(loc, "`" + full + "` is not a valid function");
    return Placeholder(loc);
  }
  Var var;
  if (parts.size() == 1 && IsVarName(full, &var)) {
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kVar;
    e->loc = loc;
    e->var = var;
    return Sub{std::move(e), 1, 1};
  }
  if (parts.size() == 1 && IsReserved(full)) {
    Soft(loc, "this identifier is reserved and cannot be used: " + full);
    return Placeholder(loc);
  }
  Soft(loc, "invalid variable `" + full +
                "`; the variables are `principal`, `action`, `resource` and "
                "`context` (did you mean the string \"" +
                full + "\"?)");
  return Placeholder(loc);
}

bool Parser::ParseArgs(std::vector<Sub>* args) {
  Advance();  // (
  while (tok_.kind != Tok::kRParen) {
    Sub a = ParseExpr();
    if (!a) return false;
    args->push_back(std::move(a));
    if (!Accept(Tok::kComma)) break;
  }
  return Expect(Tok::kRParen);
}

Sub Parser::ParseList(SourceLoc loc) {
  Advance();  // [
  std::vector<Sub> elems;
  while (tok_.kind != Tok::kRBracket) {
    Sub a = ParseExpr();
    if (!a) return a;
    elems.push_back(std::move(a));
    if (!Accept(Tok::kComma)) break;
  }
  if (!Expect(Tok::kRBracket)) return NoSub();
  return Make(ExprKind::kSet, loc, std::move(elems));
}

Sub Parser::ParseRecord(SourceLoc loc) {
  Advance();  // {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kRecord;
  e->loc = loc;
  Shape shape;
  // Keys seen so far, for the duplicate check (a set once there are many).
  std::unordered_set<std::string> seen;
  while (tok_.kind != Tok::kRBrace) {
    SourceLoc key_loc = tok_.loc;
    std::string key;
    if (tok_.kind == Tok::kString) {
      if (!StringLiteral(&key)) return NoSub();
    } else if (tok_.kind == Tok::kIdent) {
      if (!CheckAttr(Text(), key_loc)) return NoSub();
      key = std::string(Text());
      Advance();
      if (tok_.kind == Tok::kColonColon) {
        Fail(key_loc, "`" + key +
                          "::...` cannot be used as an attribute as it "
                          "contains a namespace");
        return NoSub();
      }
    } else {
      Fail("invalid attribute name: " + Found() +
           "; attribute names are identifiers or string literals");
      return NoSub();
    }
    if (!Expect(Tok::kColon)) return NoSub();
    Sub value = ParseExpr();
    if (!value) return value;
    bool duplicate;
    if (e->keys.size() < 16) {
      duplicate =
          std::find(e->keys.begin(), e->keys.end(), key) != e->keys.end();
    } else {
      if (seen.empty()) seen.insert(e->keys.begin(), e->keys.end());
      duplicate = !seen.insert(key).second;
    }
    if (duplicate) {
      Soft(key_loc, "duplicate key `" + key + "` in record literal");
    } else {
      shape.Add(value);
      e->keys.push_back(std::move(key));
      e->args.push_back(std::move(value.e));
    }
    if (!Accept(Tok::kComma)) break;
  }
  if (!Expect(Tok::kRBrace)) return NoSub();
  return Finish(std::move(e), shape);
}

Sub Parser::ParseAccesses(Sub base) {
  while (base) {
    SourceLoc loc = tok_.loc;
    if (tok_.kind == Tok::kDot) {
      Advance();
      if (tok_.kind != Tok::kIdent) {
        Expected("an attribute or method name after `.`");
        return NoSub();
      }
      std::string name(Text());
      SourceLoc name_loc = tok_.loc;
      Advance();
      if (tok_.kind != Tok::kLParen) {
        if (!CheckAttr(name, name_loc)) return NoSub();
        SourceLoc at = base.e->loc;
        base =
            MakeAttr(ExprKind::kGetAttr, at, std::move(base), std::move(name));
        continue;
      }
      std::vector<Sub> args;
      if (!ParseArgs(&args)) return NoSub();
      struct Builtin {
        std::string_view name;
        ExprKind kind;
        size_t arity;
      };
      static constexpr Builtin kBuiltins[] = {
          {"contains", ExprKind::kContains, 1},
          {"containsAll", ExprKind::kContainsAll, 1},
          {"containsAny", ExprKind::kContainsAny, 1},
          {"isEmpty", ExprKind::kIsEmpty, 0},
          {"getTag", ExprKind::kGetTag, 1},
          {"hasTag", ExprKind::kHasTag, 1},
      };
      const Builtin* builtin = nullptr;
      for (const Builtin& b : kBuiltins)
        if (b.name == name) builtin = &b;
      SourceLoc at = base.e->loc;
      std::vector<Sub> all;
      all.push_back(std::move(base));
      for (Sub& a : args) all.push_back(std::move(a));
      if (builtin != nullptr) {
        if (args.size() != builtin->arity) {
          Soft(loc, "call to `" + name + "` requires exactly " +
                        std::to_string(builtin->arity) +
                        (builtin->arity == 1 ? " argument" : " arguments") +
                        ", but got " + std::to_string(args.size()) +
                        (args.size() == 1 ? " argument" : " arguments"));
          base = Placeholder(at);
        } else {
          base = Make(builtin->kind, at, std::move(all));
        }
      } else if (IsExtensionMethod(name)) {
        base = Make(ExprKind::kExtCall, at, std::move(all));
        if (base) std::const_pointer_cast<Expr>(base.e)->name = name;
      } else if (IsExtensionFunction(name)) {
        Soft(loc, "`" + name + "` is a function, not a method; call it as `" +
                      name + "(..)`");
        base = Placeholder(at);
      } else {
        Soft(loc, "`" + name + "` is not a valid method");
        base = Placeholder(at);
      }
    } else if (tok_.kind == Tok::kLBracket) {
      Advance();
      if (tok_.kind != Tok::kString) {
        Fail("expected a string literal in `[...]`, found " + Found());
        return NoSub();
      }
      std::string key;
      if (!StringLiteral(&key)) return NoSub();
      if (!Expect(Tok::kRBracket)) return NoSub();
      SourceLoc at = base.e->loc;
      base = MakeAttr(ExprKind::kGetAttr, at, std::move(base), std::move(key));
    } else if (tok_.kind == Tok::kLParen) {
      Fail("function calls must be of the form `<name>(arg1, arg2, ...)`");
      return NoSub();
    } else {
      break;
    }
  }
  return base;
}

Sub Parser::ParseWholeExpr() {
  Sub e = ParseExpr();
  if (e && tok_.kind != Tok::kEnd) {
    Fail("expected end of input after the expression, found " + Found());
    return NoSub();
  }
  if (soft_failed_) return NoSub();
  return e;
}

std::optional<EntityUid> Parser::ParseWholeUid() {
  Sub e = ParseWholeExpr();
  if (!e) return std::nullopt;
  if (e.e->kind != ExprKind::kLiteral ||
      e.e->literal.kind() != Value::Kind::kEntity) {
    Fail(e.e->loc, "expected an entity uid such as `User::\"alice\"`");
    return std::nullopt;
  }
  return e.e->literal.AsEntity();
}

std::optional<std::string> Parser::ParseWholeName() {
  std::string name;
  SourceLoc loc;
  if (!ParseTypeName(&name, &loc)) return std::nullopt;
  if (tok_.kind != Tok::kEnd) {
    Fail("expected end of input after the name, found " + Found());
    return std::nullopt;
  }
  return name;
}

// Checks the limits every entry point shares.
std::optional<Error> CheckInput(std::string_view text) {
  if (text.size() > kMaxPolicyTextBytes) {
    return Error("policy text is " + std::to_string(text.size()) +
                 " bytes; the limit is " + std::to_string(kMaxPolicyTextBytes));
  }
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string_view::npos)
    return Error(At(LocOfOffset(text, bad), "invalid UTF-8"));
  return std::nullopt;
}

Error JoinErrors(const std::vector<Error>& errors) {
  std::string msg;
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) msg += "\n";
    msg += errors[i].message();
  }
  return Error(std::move(msg));
}

}  // namespace

Result<PolicySet> ParsePolicySet(std::string_view text) {
  if (auto err = CheckInput(text)) return *err;
  Parser parser(text);
  PolicySet set = parser.ParseSet(/*stop_at_first=*/false);
  if (!parser.errors().empty()) return JoinErrors(parser.errors());
  return set;
}

std::vector<Error> CheckPolicySet(std::string_view text) {
  if (auto err = CheckInput(text)) return {*err};
  Parser parser(text);
  (void)parser.ParseSet(/*stop_at_first=*/false);
  return std::move(parser.errors());
}

Result<Policy> ParsePolicy(std::string_view text) {
  if (auto err = CheckInput(text)) return *err;
  Parser parser(text);
  std::optional<Policy> p = parser.ParseOnePolicy();
  if (!p || !parser.errors().empty()) return parser.FirstError();
  return std::move(*p);
}

Result<ExprPtr> ParseExpression(std::string_view text) {
  if (auto err = CheckInput(text)) return *err;
  Parser parser(text);
  Sub e = parser.ParseWholeExpr();
  if (!e || !parser.errors().empty()) return parser.FirstError();
  return std::move(e.e);
}

Result<EntityUid> ParseEntityUid(std::string_view text) {
  if (auto err = CheckInput(text)) return *err;
  Parser parser(text);
  std::optional<EntityUid> uid = parser.ParseWholeUid();
  if (!uid || !parser.errors().empty()) return parser.FirstError();
  return std::move(*uid);
}

Result<std::string> ParseName(std::string_view text) {
  if (auto err = CheckInput(text)) return *err;
  Parser parser(text);
  std::optional<std::string> name = parser.ParseWholeName();
  if (!name || !parser.errors().empty()) return parser.FirstError();
  return std::move(*name);
}

bool IsUnquotedAttribute(std::string_view s) {
  return IsIdentifier(s) && !IsReserved(s);
}

}  // namespace haven::cedar
