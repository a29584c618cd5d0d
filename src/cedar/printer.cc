// Printing rests on one table: the precedence level of each expression
// form, from Cedar's grammar (grammar.lalrpop):
//   0 if-then-else   1 ||   2 &&   3 relations (== != < <= > >= in has like
//   is; they do not chain)   4 + -   5 *   6 unary ! -   7 member access and
//   calls   8 primaries.
// A child is put in parentheses when its level is below the level its
// position admits.
#include "cedar/printer.h"

#include <string_view>
#include <vector>

#include "cedar/parser.h"

namespace haven::cedar {
namespace {

enum Level : int {
  kIfLevel = 0,
  kOrLevel = 1,
  kAndLevel = 2,
  kRelLevel = 3,
  kAddLevel = 4,
  kMulLevel = 5,
  kUnaryLevel = 6,
  kMemberLevel = 7,
  kPrimaryLevel = 8,
};

bool IsFunctionStyle(std::string_view name) {
  return name == "decimal" || name == "ip" || name == "datetime" ||
         name == "duration" || name == "unknown";
}

// If `e` is the tree the parser builds for `base has a.b.c` (ast.h: paths
// are desugared into `base has a && base.a has b && base.a.b has c`), sets
// *base and *path and returns true. Printing such a tree as a path keeps
// the text as small as the source: the desugared form repeats `base` once
// per step, which nested paths would make exponential.
bool MatchHasPath(const Expr& e, const Expr** base,
                  std::vector<std::string_view>* path) {
  if (e.kind == ExprKind::kHasAttr && e.args.size() == 1 && e.args[0]) {
    *base = e.args[0].get();
    path->assign(1, e.name);
    return true;
  }
  if (e.kind != ExprKind::kAnd || e.args.size() != 2 || !e.args[0] ||
      !e.args[1]) {
    return false;
  }
  const Expr& right = *e.args[1];
  if (right.kind != ExprKind::kHasAttr || right.args.size() != 1 ||
      !right.args[0]) {
    return false;
  }
  if (!MatchHasPath(*e.args[0], base, path)) return false;
  // `right` must be `base.p0.p1...pk has x` for the path found on the left.
  const Expr* g = right.args[0].get();
  for (size_t i = path->size(); i-- > 0;) {
    if (g->kind != ExprKind::kGetAttr || g->name != (*path)[i] ||
        g->args.size() != 1 || !g->args[0]) {
      return false;
    }
    g = g->args[0].get();
  }
  if (g != *base && !ExprEquals(*g, **base)) return false;
  path->push_back(right.name);
  return true;
}

// An `&&` tree that can be printed as `base has a.b.c`.
bool IsPrintableHasPath(const Expr& e, const Expr** base,
                        std::vector<std::string_view>* path) {
  if (e.kind != ExprKind::kAnd) return false;
  if (!MatchHasPath(e, base, path)) return false;
  for (std::string_view a : *path)
    if (!IsUnquotedAttribute(a)) return false;
  return true;
}

int LevelOf(const Expr& e) {
  switch (e.kind) {
    case ExprKind::kIf:
      return kIfLevel;
    case ExprKind::kOr:
      return kOrLevel;
    case ExprKind::kAnd: {
      const Expr* base;
      std::vector<std::string_view> path;
      return IsPrintableHasPath(e, &base, &path) ? kRelLevel : kAndLevel;
    }
    case ExprKind::kEq:
    case ExprKind::kNotEq:
    case ExprKind::kLess:
    case ExprKind::kLessEq:
    case ExprKind::kGreater:
    case ExprKind::kGreaterEq:
    case ExprKind::kIn:
    case ExprKind::kHasAttr:
    case ExprKind::kLike:
    case ExprKind::kIs:
      return kRelLevel;
    case ExprKind::kAdd:
    case ExprKind::kSub:
      return kAddLevel;
    case ExprKind::kMul:
      return kMulLevel;
    case ExprKind::kNot:
    case ExprKind::kNeg:
      return kUnaryLevel;
    case ExprKind::kContains:
    case ExprKind::kContainsAll:
    case ExprKind::kContainsAny:
    case ExprKind::kIsEmpty:
    case ExprKind::kGetTag:
    case ExprKind::kHasTag:
    case ExprKind::kGetAttr:
      return kMemberLevel;
    case ExprKind::kExtCall:
      return IsFunctionStyle(e.name) ? kPrimaryLevel : kMemberLevel;
    case ExprKind::kLiteral:
      // A negative number reads back as a literal only where a unary
      // operator may stand, and not as the receiver of `.x`.
      if (e.literal.kind() == Value::Kind::kLong && e.literal.AsLong() < 0)
        return kUnaryLevel;
      return kPrimaryLevel;
    default:
      return kPrimaryLevel;
  }
}

const char* BinaryOp(ExprKind k) {
  switch (k) {
    case ExprKind::kOr:
      return " || ";
    case ExprKind::kAnd:
      return " && ";
    case ExprKind::kEq:
      return " == ";
    case ExprKind::kNotEq:
      return " != ";
    case ExprKind::kLess:
      return " < ";
    case ExprKind::kLessEq:
      return " <= ";
    case ExprKind::kGreater:
      return " > ";
    case ExprKind::kGreaterEq:
      return " >= ";
    case ExprKind::kIn:
      return " in ";
    case ExprKind::kAdd:
      return " + ";
    case ExprKind::kSub:
      return " - ";
    case ExprKind::kMul:
      return " * ";
    default:
      return nullptr;
  }
}

const char* MethodName(ExprKind k) {
  switch (k) {
    case ExprKind::kContains:
      return "contains";
    case ExprKind::kContainsAll:
      return "containsAll";
    case ExprKind::kContainsAny:
      return "containsAny";
    case ExprKind::kIsEmpty:
      return "isEmpty";
    case ExprKind::kGetTag:
      return "getTag";
    case ExprKind::kHasTag:
      return "hasTag";
    default:
      return nullptr;
  }
}

void PrintAttrKey(std::string_view key, std::string* out) {
  if (IsUnquotedAttribute(key)) {
    out->append(key);
  } else {
    *out += QuoteString(key);
  }
}

void PrintValue(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kBool:
      *out += v.AsBool() ? "true" : "false";
      return;
    case Value::Kind::kLong:
      *out += std::to_string(v.AsLong());
      return;
    case Value::Kind::kString:
      *out += QuoteString(v.AsString());
      return;
    case Value::Kind::kEntity:
      *out += v.AsEntity().type;
      *out += "::";
      *out += QuoteString(v.AsEntity().id);
      return;
    case Value::Kind::kSet: {
      *out += "[";
      bool first = true;
      for (const Value& x : v.AsSet()) {
        if (!first) *out += ", ";
        first = false;
        PrintValue(x, out);
      }
      *out += "]";
      return;
    }
    case Value::Kind::kRecord: {
      *out += "{";
      bool first = true;
      for (const auto& [k, x] : v.AsRecord()) {
        if (!first) *out += ", ";
        first = false;
        PrintAttrKey(k, out);
        *out += ": ";
        PrintValue(x, out);
      }
      *out += "}";
      return;
    }
    default:
      *out += v.ToCedar();
      return;
  }
}

void PrintPattern(const Pattern& p, std::string* out) {
  std::string body;
  for (const PatternElem& e : p) {
    if (e.wildcard) {
      body += '*';
      continue;
    }
    // Escape as a string, then protect literal stars.
    std::string q = QuoteString(e.literal);
    for (size_t i = 1; i + 1 < q.size(); ++i) {
      if (q[i] == '*') body += '\\';
      body += q[i];
    }
  }
  *out += '"';
  *out += body;
  *out += '"';
}

void Print(const Expr& e, int min_level, std::string* out);

void PrintArgs(const Expr& e, size_t from, std::string* out) {
  *out += "(";
  for (size_t i = from; i < e.args.size(); ++i) {
    if (i > from) *out += ", ";
    Print(*e.args[i], kIfLevel, out);
  }
  *out += ")";
}

void PrintInner(const Expr& e, std::string* out) {
  if (e.kind == ExprKind::kAnd) {
    const Expr* base;
    std::vector<std::string_view> path;
    if (IsPrintableHasPath(e, &base, &path)) {
      Print(*base, kAddLevel, out);
      *out += " has ";
      for (size_t i = 0; i < path.size(); ++i) {
        if (i) *out += ".";
        out->append(path[i]);
      }
      return;
    }
  }
  if (const char* op = BinaryOp(e.kind)) {
    int level = LevelOf(e);
    // Left-associative chains: the left operand may sit at the same level,
    // except for relations, which do not chain.
    int left = level == kRelLevel ? kAddLevel : level;
    Print(*e.args[0], left, out);
    *out += op;
    Print(*e.args[1], level + 1, out);
    return;
  }
  if (const char* m = MethodName(e.kind)) {
    Print(*e.args[0], kMemberLevel, out);
    *out += ".";
    *out += m;
    PrintArgs(e, 1, out);
    return;
  }
  switch (e.kind) {
    case ExprKind::kLiteral:
      PrintValue(e.literal, out);
      return;
    case ExprKind::kVar:
      *out += VarName(e.var);
      return;
    case ExprKind::kSlot:
      *out += SlotName(e.slot);
      return;
    case ExprKind::kNot:
    case ExprKind::kNeg: {
      // Cedar reads up to four `!` (or four `-`) in a row; print a chain of
      // the same operator without parentheses, up to that many.
      const char* op = e.kind == ExprKind::kNot ? "!" : "-";
      const Expr* a = &e;
      int count = 0;
      while (count < 4 && a->kind == e.kind && a->args.size() == 1 &&
             a->args[0]) {
        *out += op;
        a = a->args[0].get();
        ++count;
      }
      bool paren;
      if (e.kind == ExprKind::kNeg && a->kind == ExprKind::kLiteral &&
          a->literal.kind() == Value::Kind::kLong) {
        // `--5` reads back as -(-5): a negative literal joins the chain
        // when there is room for its sign, while `-5` for -(5) would read
        // back as the literal -5.
        paren = a->literal.AsLong() >= 0 || count == 4;
      } else {
        paren = LevelOf(*a) < kMemberLevel;
      }
      if (paren) *out += "(";
      Print(*a, kIfLevel, out);
      if (paren) *out += ")";
      return;
    }
    case ExprKind::kIf:
      *out += "if ";
      Print(*e.args[0], kIfLevel, out);
      *out += " then ";
      Print(*e.args[1], kIfLevel, out);
      *out += " else ";
      Print(*e.args[2], kIfLevel, out);
      return;
    case ExprKind::kGetAttr:
      Print(*e.args[0], kMemberLevel, out);
      if (IsUnquotedAttribute(e.name)) {
        *out += ".";
        *out += e.name;
      } else {
        *out += "[";
        *out += QuoteString(e.name);
        *out += "]";
      }
      return;
    case ExprKind::kHasAttr:
      Print(*e.args[0], kAddLevel, out);
      *out += " has ";
      PrintAttrKey(e.name, out);
      return;
    case ExprKind::kLike:
      Print(*e.args[0], kAddLevel, out);
      *out += " like ";
      PrintPattern(e.pattern, out);
      return;
    case ExprKind::kIs:
      Print(*e.args[0], kAddLevel, out);
      *out += " is ";
      *out += e.name;
      if (e.args.size() > 1) {
        *out += " in ";
        Print(*e.args[1], kAddLevel, out);
      }
      return;
    case ExprKind::kSet:
      *out += "[";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) *out += ", ";
        Print(*e.args[i], kIfLevel, out);
      }
      *out += "]";
      return;
    case ExprKind::kRecord:
      *out += "{";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i) *out += ", ";
        PrintAttrKey(i < e.keys.size() ? e.keys[i] : "", out);
        *out += ": ";
        Print(*e.args[i], kIfLevel, out);
      }
      *out += "}";
      return;
    case ExprKind::kExtCall:
      if (IsFunctionStyle(e.name) || e.args.empty()) {
        *out += e.name;
        PrintArgs(e, 0, out);
      } else {
        Print(*e.args[0], kMemberLevel, out);
        *out += ".";
        *out += e.name;
        PrintArgs(e, 1, out);
      }
      return;
    default:
      *out += "<?>";
      return;
  }
}

void Print(const Expr& e, int min_level, std::string* out) {
  bool paren = LevelOf(e) < min_level;
  if (paren) *out += "(";
  PrintInner(e, out);
  if (paren) *out += ")";
}

void PrintEntityScope(const char* var, const EntityScope& s, std::string* out) {
  *out += var;
  auto target = [&]() {
    if (s.slot) {
      *out += SlotName(*s.slot);
    } else if (s.entity) {
      *out += s.entity->type;
      *out += "::";
      *out += QuoteString(s.entity->id);
    }
  };
  switch (s.op) {
    case EntityScope::Op::kAny:
      break;
    case EntityScope::Op::kEq:
      *out += " == ";
      target();
      break;
    case EntityScope::Op::kIn:
      *out += " in ";
      target();
      break;
    case EntityScope::Op::kIs:
      *out += " is ";
      *out += s.entity_type;
      break;
    case EntityScope::Op::kIsIn:
      *out += " is ";
      *out += s.entity_type;
      *out += " in ";
      target();
      break;
  }
}

void PrintUid(const EntityUid& u, std::string* out) {
  *out += u.type;
  *out += "::";
  *out += QuoteString(u.id);
}

bool ValueEquals(const Value& a, const Value& b) { return a == b; }

bool PatternEquals(const Pattern& a, const Pattern& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].wildcard != b[i].wildcard || a[i].literal != b[i].literal)
      return false;
  }
  return true;
}

bool EntityScopeEquals(const EntityScope& a, const EntityScope& b) {
  return a.op == b.op && a.entity == b.entity && a.slot == b.slot &&
         a.entity_type == b.entity_type;
}

}  // namespace

std::string FormatExpr(const Expr& expr) {
  std::string out;
  Print(expr, kIfLevel, &out);
  return out;
}

std::string FormatPolicy(const Policy& p) {
  std::string out;
  for (const auto& [k, v] : p.annotations) {
    out += "@";
    out += k;
    if (!v.empty()) {
      out += "(";
      out += QuoteString(v);
      out += ")";
    }
    out += "\n";
  }
  out += p.effect == Effect::kPermit ? "permit (\n  " : "forbid (\n  ";
  PrintEntityScope("principal", p.principal, &out);
  out += ",\n  action";
  switch (p.action.op) {
    case ActionScope::Op::kAny:
      break;
    case ActionScope::Op::kEq:
    case ActionScope::Op::kIn:
      out += p.action.op == ActionScope::Op::kEq ? " == " : " in ";
      if (!p.action.entities.empty()) PrintUid(p.action.entities[0], &out);
      break;
    case ActionScope::Op::kInSet:
      out += " in [";
      for (size_t i = 0; i < p.action.entities.size(); ++i) {
        if (i) out += ", ";
        PrintUid(p.action.entities[i], &out);
      }
      out += "]";
      break;
  }
  out += ",\n  ";
  PrintEntityScope("resource", p.resource, &out);
  out += "\n)";
  for (const Condition& c : p.conditions) {
    out += c.is_when ? "\nwhen { " : "\nunless { ";
    if (c.body) Print(*c.body, kIfLevel, &out);
    out += " }";
  }
  out += ";\n";
  return out;
}

std::string FormatPolicySet(const PolicySet& set) {
  std::string out;
  for (const Policy& p : set.policies) {
    if (!out.empty()) out += "\n";
    out += FormatPolicy(p);
  }
  for (const Policy& p : set.templates) {
    if (!out.empty()) out += "\n";
    out += FormatPolicy(p);
  }
  return out;
}

bool ExprEquals(const Expr& a, const Expr& b) {
  if (a.kind != b.kind || a.args.size() != b.args.size()) return false;
  switch (a.kind) {
    case ExprKind::kLiteral:
      if (!ValueEquals(a.literal, b.literal)) return false;
      break;
    case ExprKind::kVar:
      if (a.var != b.var) return false;
      break;
    case ExprKind::kSlot:
      if (a.slot != b.slot) return false;
      break;
    case ExprKind::kGetAttr:
    case ExprKind::kHasAttr:
    case ExprKind::kIs:
    case ExprKind::kExtCall:
      if (a.name != b.name) return false;
      break;
    case ExprKind::kLike:
      if (!PatternEquals(a.pattern, b.pattern)) return false;
      break;
    case ExprKind::kRecord:
      if (a.keys != b.keys) return false;
      break;
    default:
      break;
  }
  for (size_t i = 0; i < a.args.size(); ++i) {
    if (a.args[i] == b.args[i]) continue;
    if (!a.args[i] || !b.args[i]) return false;
    if (!ExprEquals(*a.args[i], *b.args[i])) return false;
  }
  return true;
}

bool PolicyEquals(const Policy& a, const Policy& b, bool compare_ids) {
  if (compare_ids && a.id != b.id) return false;
  if (a.annotations != b.annotations || a.effect != b.effect) return false;
  if (!EntityScopeEquals(a.principal, b.principal) ||
      !EntityScopeEquals(a.resource, b.resource)) {
    return false;
  }
  if (a.action.op != b.action.op || a.action.entities != b.action.entities)
    return false;
  if (a.conditions.size() != b.conditions.size()) return false;
  for (size_t i = 0; i < a.conditions.size(); ++i) {
    const Condition& x = a.conditions[i];
    const Condition& y = b.conditions[i];
    if (x.is_when != y.is_when) return false;
    if (x.body == y.body) continue;
    if (!x.body || !y.body || !ExprEquals(*x.body, *y.body)) return false;
  }
  return true;
}

}  // namespace haven::cedar
