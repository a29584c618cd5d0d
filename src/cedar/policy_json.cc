// The JSON policy format, after cedar-policy-core's est.rs, est/expr.rs,
// est/scope_constraints.rs and est/policy_set.rs (Cedar 4.x). Where serde's
// derived behaviour decides (deny_unknown_fields, untagged enums), the
// comments say which rule is being copied.
#include "cedar/policy_json.h"

#include <algorithm>
#include <optional>
#include <unordered_set>
#include <utility>
#include <vector>

#include "cedar/extensions.h"
#include "cedar/json_internal.h"
#include "cedar/parser.h"

namespace haven::cedar {

using json_internal::Array;
using json_internal::Element;
using json_internal::ErrorAt;
using json_internal::JsonPath;
using json_internal::Object;

namespace {

// ---------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------

std::shared_ptr<Expr> NewExpr(ExprKind kind) {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  return e;
}

ExprPtr Literal(Value v) {
  auto e = NewExpr(ExprKind::kLiteral);
  e->literal = std::move(v);
  return e;
}

bool GetField(Object obj, std::string_view key, Element* out) {
  return obj.at_key(key).get(*out) == simdjson::SUCCESS;
}

// An object with only the given keys (serde's deny_unknown_fields) and no
// repeated key.
Result<Object> Fields(Element e, const JsonPath& path,
                      std::initializer_list<std::string_view> allowed) {
  if (!e.is_object()) {
    std::string msg = "expected an object with ";
    bool first = true;
    for (std::string_view a : allowed) {
      if (!first) msg += ", ";
      first = false;
      msg += "`" + std::string(a) + "`";
    }
    return ErrorAt(path, msg + ", found " + json_internal::Describe(e));
  }
  Object obj = e.get_object().value_unsafe();
  Status s = json_internal::CheckNoDuplicateKeys(obj, path);
  if (!s.ok()) return s.error();
  s = json_internal::CheckKnownKeys(obj, allowed, path);
  if (!s.ok()) return s.error();
  return obj;
}

Result<Element> Required(Object obj, std::string_view key,
                         const JsonPath& path) {
  Element e;
  if (!GetField(obj, key, &e)) {
    return ErrorAt(path, "missing field `" + std::string(key) + "`");
  }
  return e;
}

Result<std::string_view> RequiredString(Object obj, std::string_view key,
                                        const JsonPath& path) {
  Result<Element> e = Required(obj, key, path);
  if (!e.ok()) return e.error();
  if (!e->is_string()) {
    return ErrorAt(path.Key(key),
                   "expected a string, found " + json_internal::Describe(*e));
  }
  return e->get_string().value_unsafe();
}

Result<ExprPtr> ReadExpr(Element e, const JsonPath& path);

// Depth of the expression being read on this thread. Trees read here keep
// the text parser's bound (kMaxExpressionDepth), which every walker of an
// Expr may rely on.
thread_local int expr_depth = 0;

struct DepthGuard {
  DepthGuard() { ++expr_depth; }
  ~DepthGuard() { --expr_depth; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
};

Error TooDeep(const JsonPath& path) {
  return ErrorAt(path, "expression nested deeper than the limit of " +
                           std::to_string(kMaxExpressionDepth) + " levels");
}

int Depth(const Expr& e) {
  int d = 0;
  for (const ExprPtr& a : e.args) d = std::max(d, Depth(*a));
  return d + 1;
}

// The argument of "Value": a CedarValueJson turned into an expression, not
// evaluated (est/expr.rs: `jsonvalue.into_expr`).
Result<ExprPtr> ReadValueExpr(Element e, const JsonPath& path);

// A value inside a value (set element, record field, call argument): one
// expression level deeper.
Result<ExprPtr> ReadNestedValueExpr(Element e, const JsonPath& path) {
  DepthGuard guard;
  if (expr_depth > kMaxExpressionDepth) return TooDeep(path);
  return ReadValueExpr(e, path);
}

Result<ExprPtr> ReadValueExpr(Element e, const JsonPath& path) {
  switch (e.type()) {
    case simdjson::dom::element_type::BOOL:
      return Literal(Value::Bool(e.get_bool().value_unsafe()));
    case simdjson::dom::element_type::INT64:
      return Literal(Value::Long(e.get_int64().value_unsafe()));
    case simdjson::dom::element_type::STRING:
      return Literal(Value::String(std::string(e.get_string().value_unsafe())));
    case simdjson::dom::element_type::NULL_VALUE:
      return ErrorAt(path, "found `null`; JSON nulls are not allowed in Cedar");
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
      return json_internal::CheckRaw(e, path).error();
    case simdjson::dom::element_type::ARRAY: {
      auto set = NewExpr(ExprKind::kSet);
      Array arr = e.get_array().value_unsafe();
      set->args.reserve(arr.size());
      size_t i = 0;
      for (Element x : arr) {
        Result<ExprPtr> v = ReadNestedValueExpr(x, path.Index(i++));
        if (!v.ok()) return v;
        set->args.push_back(std::move(*v));
      }
      return ExprPtr(set);
    }
    case simdjson::dom::element_type::OBJECT:
      break;
  }
  Object obj = e.get_object().value_unsafe();
  if (obj.size() == 1) {
    auto field = *obj.begin();
    if ((field.key == "__entity" || field.key == "__extn") &&
        field.value.is_object()) {
      Status s = json_internal::CheckNoDuplicateKeys(
          field.value.get_object().value_unsafe(), path.Key(field.key));
      if (!s.ok()) return s.error();
    }
    std::string_view fn;
    Element arg;
    Array args;
    bool multi = false;
    if (json_internal::IsExtnEscape(obj, &fn, &arg, &args, &multi)) {
      JsonPath body_path = path.Key("__extn");
      Object body = field.value.get_object().value_unsafe();
      for (auto f : body) {
        if (f.key == "fn" || f.key == (multi ? "args" : "arg")) continue;
        Status s = json_internal::CheckRaw(f.value, body_path.Key(f.key));
        if (!s.ok()) return s.error();
      }
      Status s = json_internal::CheckCedarName(fn, "extension function name",
                                               body_path.Key("fn"));
      if (!s.ok()) return s.error();
      auto call = NewExpr(ExprKind::kExtCall);
      call->name = std::string(fn);
      if (multi) {
        JsonPath args_path = body_path.Key("args");
        size_t i = 0;
        for (Element a : args) {
          Result<ExprPtr> v = ReadNestedValueExpr(a, args_path.Index(i++));
          if (!v.ok()) return v;
          call->args.push_back(std::move(*v));
        }
      } else {
        Result<ExprPtr> v = ReadNestedValueExpr(arg, body_path.Key("arg"));
        if (!v.ok()) return v;
        call->args.push_back(std::move(*v));
      }
      return ExprPtr(call);
    }
    Element body;
    if (json_internal::IsEntityEscape(obj, &body)) {
      // A one-entry map holding an entity uid is a literal; reuse ReadUid.
      Result<EntityUid> uid = json_internal::ReadUid(e, path);
      if (!uid.ok()) return uid.error();
      Object b = body.get_object().value_unsafe();
      for (auto f : b) {
        if (f.key == "type" || f.key == "id") continue;
        Status s =
            json_internal::CheckRaw(f.value, path.Key("__entity").Key(f.key));
        if (!s.ok()) return s.error();
      }
      return Literal(Value::Entity(std::move(*uid)));
    }
    if (json_internal::IsExprEscape(obj)) {
      return ErrorAt(path, "the `__expr` escape is no longer supported");
    }
  }
  Status s = json_internal::CheckNoDuplicateKeys(obj, path);
  if (!s.ok()) return s.error();
  auto rec = NewExpr(ExprKind::kRecord);
  rec->keys.reserve(obj.size());
  rec->args.reserve(obj.size());
  for (auto field : obj) {
    Result<ExprPtr> v = ReadNestedValueExpr(field.value, path.Key(field.key));
    if (!v.ok()) return v;
    rec->keys.emplace_back(field.key);
    rec->args.push_back(std::move(*v));
  }
  return ExprPtr(rec);
}

Result<Slot> ReadSlotName(Element e, const JsonPath& path) {
  if (e.is_string()) {
    std::string_view s = e.get_string().value_unsafe();
    if (s == "?principal") return Slot::kPrincipal;
    if (s == "?resource") return Slot::kResource;
  }
  return ErrorAt(path, "expected a slot, `?principal` or `?resource`, found " +
                           json_internal::Describe(e));
}

// {"left": e, "right": e}
Result<ExprPtr> ReadBinary(ExprKind kind, Element v, const JsonPath& path) {
  Result<Object> obj = Fields(v, path, {"left", "right"});
  if (!obj.ok()) return obj.error();
  auto out = NewExpr(kind);
  for (std::string_view key : {"left", "right"}) {
    Result<Element> f = Required(*obj, key, path);
    if (!f.ok()) return f.error();
    Result<ExprPtr> x = ReadExpr(*f, path.Key(key));
    if (!x.ok()) return x;
    out->args.push_back(std::move(*x));
  }
  return ExprPtr(out);
}

// {"arg": e}
Result<ExprPtr> ReadUnary(ExprKind kind, Element v, const JsonPath& path) {
  Result<Object> obj = Fields(v, path, {"arg"});
  if (!obj.ok()) return obj.error();
  Result<Element> f = Required(*obj, "arg", path);
  if (!f.ok()) return f.error();
  Result<ExprPtr> x = ReadExpr(*f, path.Key("arg"));
  if (!x.ok()) return x;
  auto out = NewExpr(kind);
  out->args.push_back(std::move(*x));
  return ExprPtr(out);
}

ExprPtr MakeAttr(ExprKind kind, ExprPtr left, std::string attr) {
  auto out = NewExpr(kind);
  out->name = std::move(attr);
  out->args.push_back(std::move(left));
  return out;
}

// "." and "has": {"left": e, "attr": "a"}; "has" also takes a non-empty
// path ["a", "b"], desugared to `e has a && e.a has b`.
Result<ExprPtr> ReadAttr(ExprKind kind, Element v, const JsonPath& path) {
  Result<Object> obj = Fields(v, path, {"left", "attr"});
  if (!obj.ok()) return obj.error();
  Result<Element> l = Required(*obj, "left", path);
  if (!l.ok()) return l.error();
  Result<ExprPtr> left = ReadExpr(*l, path.Key("left"));
  if (!left.ok()) return left;
  Result<Element> a = Required(*obj, "attr", path);
  if (!a.ok()) return a.error();
  if (a->is_string()) {
    return MakeAttr(kind, std::move(*left),
                    std::string(a->get_string().value_unsafe()));
  }
  JsonPath attr_path = path.Key("attr");
  if (kind != ExprKind::kHasAttr || !a->is_array() ||
      a->get_array().value_unsafe().size() == 0) {
    return ErrorAt(attr_path,
                   kind == ExprKind::kHasAttr
                       ? "expected an attribute name or a non-empty array of "
                         "them, found " +
                             json_internal::Describe(*a)
                       : "expected an attribute name, found " +
                             json_internal::Describe(*a));
  }
  Array parts = a->get_array().value_unsafe();
  // `e has a1...ak` becomes k-1 `&&` above a `has` whose operand is a chain
  // of k-1 attribute accesses on `e`.
  if (static_cast<size_t>(expr_depth) + 2 * parts.size() +
          static_cast<size_t>(Depth(**left)) >
      static_cast<size_t>(kMaxExpressionDepth) + 1) {
    return TooDeep(attr_path);
  }
  ExprPtr result;
  ExprPtr prefix = *left;
  size_t i = 0;
  for (Element p : parts) {
    if (!p.is_string()) {
      return ErrorAt(attr_path.Index(i), "expected an attribute name, found " +
                                             json_internal::Describe(p));
    }
    std::string name(p.get_string().value_unsafe());
    ExprPtr has = MakeAttr(ExprKind::kHasAttr, prefix, name);
    if (!result) {
      result = has;
    } else {
      auto both = NewExpr(ExprKind::kAnd);
      both->args = {result, has};
      result = both;
    }
    prefix = MakeAttr(ExprKind::kGetAttr, prefix, std::move(name));
    ++i;
  }
  return result;
}

Result<ExprPtr> ReadLike(Element v, const JsonPath& path) {
  Result<Object> obj = Fields(v, path, {"left", "pattern"});
  if (!obj.ok()) return obj.error();
  Result<Element> l = Required(*obj, "left", path);
  if (!l.ok()) return l.error();
  Result<ExprPtr> left = ReadExpr(*l, path.Key("left"));
  if (!left.ok()) return left;
  Result<Element> p = Required(*obj, "pattern", path);
  if (!p.ok()) return p.error();
  JsonPath pattern_path = path.Key("pattern");
  if (!p->is_array()) {
    return ErrorAt(pattern_path,
                   "expected an array of pattern elements, "
                   "found " +
                       json_internal::Describe(*p));
  }
  auto out = NewExpr(ExprKind::kLike);
  out->args.push_back(std::move(*left));
  Array elems = p->get_array().value_unsafe();
  size_t i = 0;
  for (Element x : elems) {
    JsonPath elem_path = pattern_path.Index(i++);
    if (x.is_string() && x.get_string().value_unsafe() == "Wildcard") {
      out->pattern.push_back(PatternElem{true, {}});
      continue;
    }
    Element lit;
    if (x.is_object() && x.get_object().value_unsafe().size() == 1 &&
        GetField(x.get_object().value_unsafe(), "Literal", &lit) &&
        lit.is_string()) {
      std::string_view s = lit.get_string().value_unsafe();
      if (s.empty()) continue;
      if (!out->pattern.empty() && !out->pattern.back().wildcard) {
        out->pattern.back().literal += s;  // adjacent literals are one run
      } else {
        out->pattern.push_back(PatternElem{false, std::string(s)});
      }
      continue;
    }
    return ErrorAt(elem_path,
                   "expected \"Wildcard\" or {\"Literal\": \"...\"}, found " +
                       json_internal::Describe(x));
  }
  return ExprPtr(out);
}

Result<ExprPtr> ReadIs(Element v, const JsonPath& path) {
  Result<Object> obj = Fields(v, path, {"left", "entity_type", "in"});
  if (!obj.ok()) return obj.error();
  Result<Element> l = Required(*obj, "left", path);
  if (!l.ok()) return l.error();
  Result<ExprPtr> left = ReadExpr(*l, path.Key("left"));
  if (!left.ok()) return left;
  Result<std::string_view> type = RequiredString(*obj, "entity_type", path);
  if (!type.ok()) return type.error();
  Status s = json_internal::CheckCedarName(*type, "entity type",
                                           path.Key("entity_type"));
  if (!s.ok()) return s.error();
  auto out = NewExpr(ExprKind::kIs);
  out->name = std::string(*type);
  out->args.push_back(std::move(*left));
  Element in;
  if (GetField(*obj, "in", &in) && !in.is_null()) {
    Result<ExprPtr> x = ReadExpr(in, path.Key("in"));
    if (!x.ok()) return x;
    out->args.push_back(std::move(*x));
  }
  return ExprPtr(out);
}

Result<ExprPtr> ReadIf(Element v, const JsonPath& path) {
  Result<Object> obj = Fields(v, path, {"if", "then", "else"});
  if (!obj.ok()) return obj.error();
  auto out = NewExpr(ExprKind::kIf);
  for (std::string_view key : {"if", "then", "else"}) {
    Result<Element> f = Required(*obj, key, path);
    if (!f.ok()) return f.error();
    Result<ExprPtr> x = ReadExpr(*f, path.Key(key));
    if (!x.ok()) return x;
    out->args.push_back(std::move(*x));
  }
  return ExprPtr(out);
}

struct BinaryOp {
  std::string_view key;
  ExprKind kind;
};
constexpr BinaryOp kBinaryOps[] = {
    {"==", ExprKind::kEq},
    {"!=", ExprKind::kNotEq},
    {"in", ExprKind::kIn},
    {"<", ExprKind::kLess},
    {"<=", ExprKind::kLessEq},
    {">", ExprKind::kGreater},
    {">=", ExprKind::kGreaterEq},
    {"&&", ExprKind::kAnd},
    {"||", ExprKind::kOr},
    {"+", ExprKind::kAdd},
    {"-", ExprKind::kSub},
    {"*", ExprKind::kMul},
    {"contains", ExprKind::kContains},
    {"containsAll", ExprKind::kContainsAll},
    {"containsAny", ExprKind::kContainsAny},
    {"getTag", ExprKind::kGetTag},
    {"hasTag", ExprKind::kHasTag},
};

Result<ExprPtr> ReadExpr(Element e, const JsonPath& path) {
  DepthGuard guard;
  if (expr_depth > kMaxExpressionDepth) return TooDeep(path);
  if (!e.is_object()) {
    return ErrorAt(path,
                   "expected an expression (an object with one key), "
                   "found " +
                       json_internal::Describe(e));
  }
  Object obj = e.get_object().value_unsafe();
  if (obj.size() == 0) {
    return ErrorAt(path, "an empty object is not a valid expression");
  }
  auto it = obj.begin();
  std::string_view key = it.key();
  Element v = it.value();
  if (obj.size() > 1) {
    ++it;
    return ErrorAt(path, "an expression object has exactly one key, found `" +
                             std::string(key) + "` and `" +
                             std::string(it.key()) + "`");
  }
  JsonPath sub = path.Key(key);

  for (const BinaryOp& op : kBinaryOps) {
    if (key == op.key) return ReadBinary(op.kind, v, sub);
  }
  if (key == "Value") return ReadValueExpr(v, sub);
  if (key == "Var") {
    if (v.is_string()) {
      std::string_view name = v.get_string().value_unsafe();
      auto out = NewExpr(ExprKind::kVar);
      if (name == "principal") {
        out->var = Var::kPrincipal;
      } else if (name == "action") {
        out->var = Var::kAction;
      } else if (name == "resource") {
        out->var = Var::kResource;
      } else if (name == "context") {
        out->var = Var::kContext;
      } else {
        out = nullptr;
      }
      if (out) return ExprPtr(out);
    }
    return ErrorAt(sub,
                   "expected `principal`, `action`, `resource` or "
                   "`context`, found " +
                       json_internal::Describe(v));
  }
  if (key == "Slot") {
    Result<Slot> slot = ReadSlotName(v, sub);
    if (!slot.ok()) return slot.error();
    auto out = NewExpr(ExprKind::kSlot);
    out->slot = *slot;
    return ExprPtr(out);
  }
  if (key == "!") return ReadUnary(ExprKind::kNot, v, sub);
  if (key == "neg") return ReadUnary(ExprKind::kNeg, v, sub);
  if (key == "isEmpty") return ReadUnary(ExprKind::kIsEmpty, v, sub);
  if (key == ".") return ReadAttr(ExprKind::kGetAttr, v, sub);
  if (key == "has") return ReadAttr(ExprKind::kHasAttr, v, sub);
  if (key == "like") return ReadLike(v, sub);
  if (key == "is") return ReadIs(v, sub);
  if (key == "if-then-else") return ReadIf(v, sub);
  if (key == "Set") {
    if (!v.is_array()) {
      return ErrorAt(sub, "expected an array of expressions, found " +
                              json_internal::Describe(v));
    }
    auto out = NewExpr(ExprKind::kSet);
    Array arr = v.get_array().value_unsafe();
    size_t i = 0;
    for (Element x : arr) {
      Result<ExprPtr> y = ReadExpr(x, sub.Index(i++));
      if (!y.ok()) return y;
      out->args.push_back(std::move(*y));
    }
    return ExprPtr(out);
  }
  if (key == "Record") {
    if (!v.is_object()) {
      return ErrorAt(sub, "expected an object of expressions, found " +
                              json_internal::Describe(v));
    }
    Object rec = v.get_object().value_unsafe();
    Status s = json_internal::CheckNoDuplicateKeys(rec, sub);
    if (!s.ok()) return s.error();
    auto out = NewExpr(ExprKind::kRecord);
    for (auto field : rec) {
      Result<ExprPtr> y = ReadExpr(field.value, sub.Key(field.key));
      if (!y.ok()) return y;
      out->keys.emplace_back(field.key);
      out->args.push_back(std::move(*y));
    }
    return ExprPtr(out);
  }
  if (ExtensionArity(key) >= 0) {
    // Arity is checked when the call is evaluated, as in Cedar.
    if (!v.is_array()) {
      return ErrorAt(sub, "expected an array of arguments, found " +
                              json_internal::Describe(v));
    }
    auto out = NewExpr(ExprKind::kExtCall);
    out->name = std::string(key);
    Array arr = v.get_array().value_unsafe();
    size_t i = 0;
    for (Element x : arr) {
      Result<ExprPtr> y = ReadExpr(x, sub.Index(i++));
      if (!y.ok()) return y;
      out->args.push_back(std::move(*y));
    }
    return ExprPtr(out);
  }
  return ErrorAt(path, "unknown expression `" + std::string(key) +
                           "`: expected an operator such as `==` or `&&`, "
                           "`Value`, `Var`, `Slot`, `Set`, `Record`, or an "
                           "extension function");
}

// The first slot in `e`, if any.
const Expr* FindSlot(const Expr& e) {
  if (e.kind == ExprKind::kSlot) return &e;
  for (const ExprPtr& a : e.args) {
    if (const Expr* s = FindSlot(*a)) return s;
  }
  return nullptr;
}

// {"entity": uid} or {"slot": "?principal"}; the untagged enum tries
// "entity" first and ignores other keys.
Status ReadEntityOrSlot(Object obj, const JsonPath& path, Slot own,
                        std::optional<EntityUid>* entity,
                        std::optional<Slot>* slot) {
  Element x;
  if (GetField(obj, "entity", &x)) {
    Result<EntityUid> uid = json_internal::ReadUid(x, path.Key("entity"));
    if (!uid.ok()) return uid.error();
    *entity = std::move(*uid);
    return {};
  }
  if (GetField(obj, "slot", &x)) {
    Result<Slot> s = ReadSlotName(x, path.Key("slot"));
    if (!s.ok()) return s.error();
    if (*s != own) {
      return ErrorAt(path.Key("slot"),
                     std::string("slot ") + SlotName(*s) +
                         " cannot be used here; this scope takes " +
                         SlotName(own));
    }
    *slot = *s;
    return {};
  }
  return ErrorAt(path, "expected a field `entity` or `slot`");
}

// A scope object's common part: an object without repeated keys, with a
// string "op". Sets *obj and returns the op.
Result<std::string_view> ReadScopeOp(Element e, const JsonPath& path,
                                     Object* obj) {
  if (!e.is_object()) {
    return ErrorAt(path, "expected a scope object with `op`, found " +
                             json_internal::Describe(e));
  }
  *obj = e.get_object().value_unsafe();
  Status s = json_internal::CheckNoDuplicateKeys(*obj, path);
  if (!s.ok()) return s.error();
  return RequiredString(*obj, "op", path);
}

Status ReadEntityScope(Element e, const JsonPath& path, Slot own,
                       EntityScope* out) {
  Object obj;
  Result<std::string_view> op = ReadScopeOp(e, path, &obj);
  if (!op.ok()) return op.error();
  Status s;
  if (*op == "All" || *op == "all") {
    out->op = EntityScope::Op::kAny;
    return {};
  }
  if (*op == "==" || *op == "in") {
    out->op = *op == "==" ? EntityScope::Op::kEq : EntityScope::Op::kIn;
    return ReadEntityOrSlot(obj, path, own, &out->entity, &out->slot);
  }
  if (*op == "is") {
    s = json_internal::CheckKnownKeys(obj, {"op", "entity_type", "in"}, path);
    if (!s.ok()) return s;
    Result<std::string_view> type = RequiredString(obj, "entity_type", path);
    if (!type.ok()) return type.error();
    s = json_internal::CheckCedarName(*type, "entity type",
                                      path.Key("entity_type"));
    if (!s.ok()) return s;
    out->entity_type = std::string(*type);
    out->op = EntityScope::Op::kIs;
    Element in;
    if (GetField(obj, "in", &in) && !in.is_null()) {
      JsonPath in_path = path.Key("in");
      if (!in.is_object()) {
        return ErrorAt(in_path,
                       "expected {\"entity\": ...} or {\"slot\": "
                       "...}, found " +
                           json_internal::Describe(in));
      }
      Object in_obj = in.get_object().value_unsafe();
      s = json_internal::CheckNoDuplicateKeys(in_obj, in_path);
      if (!s.ok()) return s;
      out->op = EntityScope::Op::kIsIn;
      return ReadEntityOrSlot(in_obj, in_path, own, &out->entity, &out->slot);
    }
    return {};
  }
  return ErrorAt(path.Key("op"), "unknown scope operator `" + std::string(*op) +
                                     "`, expected one of `All`, `==`, `in`, "
                                     "`is`");
}

Status CheckActionUid(const EntityUid& uid, const JsonPath& path) {
  std::string_view t = uid.type;
  if (t == "Action" || (t.size() > 8 && t.substr(t.size() - 8) == "::Action")) {
    return {};
  }
  return ErrorAt(path, "expected an entity uid with type `Action` but got `" +
                           uid.ToString() + "`");
}

Status ReadActionScope(Element e, const JsonPath& path, ActionScope* out) {
  Object obj;
  Result<std::string_view> op = ReadScopeOp(e, path, &obj);
  if (!op.ok()) return op.error();
  Status s;
  if (*op == "All" || *op == "all") {
    out->op = ActionScope::Op::kAny;
    return {};
  }
  Element x;
  if (*op == "==") {
    if (GetField(obj, "entity", &x)) {
      Result<EntityUid> uid = json_internal::ReadUid(x, path.Key("entity"));
      if (!uid.ok()) return uid.error();
      s = CheckActionUid(*uid, path.Key("entity"));
      if (!s.ok()) return s;
      out->op = ActionScope::Op::kEq;
      out->entities.push_back(std::move(*uid));
      return {};
    }
    if (GetField(obj, "slot", &x)) {
      return ErrorAt(path.Key("slot"), "slots are not allowed for actions");
    }
    return ErrorAt(path, "expected a field `entity`");
  }
  if (*op == "in") {
    if (GetField(obj, "entity", &x)) {
      Result<EntityUid> uid = json_internal::ReadUid(x, path.Key("entity"));
      if (!uid.ok()) return uid.error();
      s = CheckActionUid(*uid, path.Key("entity"));
      if (!s.ok()) return s;
      out->op = ActionScope::Op::kIn;
      out->entities.push_back(std::move(*uid));
      return {};
    }
    if (GetField(obj, "entities", &x) && x.is_array()) {
      JsonPath list_path = path.Key("entities");
      out->op = ActionScope::Op::kInSet;
      Array arr = x.get_array().value_unsafe();
      size_t i = 0;
      for (Element u : arr) {
        JsonPath p = list_path.Index(i++);
        Result<EntityUid> uid = json_internal::ReadUid(u, p);
        if (!uid.ok()) return uid.error();
        s = CheckActionUid(*uid, p);
        if (!s.ok()) return s;
        out->entities.push_back(std::move(*uid));
      }
      return {};
    }
    if (GetField(obj, "slot", &x)) {
      return ErrorAt(path.Key("slot"), "slots are not allowed for actions");
    }
    return ErrorAt(path, "expected a field `entity` or `entities` (an array)");
  }
  return ErrorAt(path.Key("op"), "unknown action scope operator `" +
                                     std::string(*op) +
                                     "`, expected one of `All`, `==`, `in`");
}

Result<Policy> ReadPolicy(Element e, const JsonPath& path) {
  Result<Object> obj = Fields(e, path,
                              {"effect", "principal", "action", "resource",
                               "conditions", "annotations"});
  if (!obj.ok()) return obj.error();
  Policy p;

  Result<Element> effect = Required(*obj, "effect", path);
  if (!effect.ok()) return effect.error();
  if (effect->is_string() && effect->get_string().value_unsafe() == "permit") {
    p.effect = Effect::kPermit;
  } else if (effect->is_string() &&
             effect->get_string().value_unsafe() == "forbid") {
    p.effect = Effect::kForbid;
  } else {
    return ErrorAt(path.Key("effect"), "expected `permit` or `forbid`, found " +
                                           json_internal::Describe(*effect));
  }

  Result<Element> scope = Required(*obj, "principal", path);
  if (!scope.ok()) return scope.error();
  Status s = ReadEntityScope(*scope, path.Key("principal"), Slot::kPrincipal,
                             &p.principal);
  if (!s.ok()) return s.error();
  scope = Required(*obj, "action", path);
  if (!scope.ok()) return scope.error();
  s = ReadActionScope(*scope, path.Key("action"), &p.action);
  if (!s.ok()) return s.error();
  scope = Required(*obj, "resource", path);
  if (!scope.ok()) return scope.error();
  s = ReadEntityScope(*scope, path.Key("resource"), Slot::kResource,
                      &p.resource);
  if (!s.ok()) return s.error();

  Result<Element> conds = Required(*obj, "conditions", path);
  if (!conds.ok()) return conds.error();
  JsonPath conds_path = path.Key("conditions");
  if (!conds->is_array()) {
    return ErrorAt(conds_path, "expected an array of conditions, found " +
                                   json_internal::Describe(*conds));
  }
  Array arr = conds->get_array().value_unsafe();
  size_t i = 0;
  for (Element c : arr) {
    JsonPath cpath = conds_path.Index(i++);
    Result<Object> cobj = Fields(c, cpath, {"kind", "body"});
    if (!cobj.ok()) return cobj.error();
    Condition cond;
    Result<std::string_view> kind = RequiredString(*cobj, "kind", cpath);
    if (!kind.ok()) return kind.error();
    if (*kind == "when") {
      cond.is_when = true;
    } else if (*kind == "unless") {
      cond.is_when = false;
    } else {
      return ErrorAt(cpath.Key("kind"), "expected `when` or `unless`, found `" +
                                            std::string(*kind) + "`");
    }
    Result<Element> body = Required(*cobj, "body", cpath);
    if (!body.ok()) return body.error();
    Result<ExprPtr> expr = ReadExpr(*body, cpath.Key("body"));
    if (!expr.ok()) return expr.error();
    if (const Expr* slot = FindSlot(**expr)) {
      return ErrorAt(cpath.Key("body"),
                     std::string("found template slot ") +
                         SlotName(slot->slot) + " in a `" +
                         (cond.is_when ? "when" : "unless") +
                         "` clause; slots may only appear in the scope");
    }
    cond.body = std::move(*expr);
    p.conditions.push_back(std::move(cond));
  }

  Element annos;
  if (GetField(*obj, "annotations", &annos)) {
    JsonPath apath = path.Key("annotations");
    if (!annos.is_object()) {
      return ErrorAt(apath, "expected an object of annotations, found " +
                                json_internal::Describe(annos));
    }
    Object aobj = annos.get_object().value_unsafe();
    s = json_internal::CheckNoDuplicateKeys(aobj, apath);
    if (!s.ok()) return s.error();
    for (auto field : aobj) {
      JsonPath kpath = apath.Key(field.key);
      s = json_internal::CheckAnyId(field.key, "annotation key", kpath);
      if (!s.ok()) return s.error();
      if (field.value.is_null()) {
        p.annotations.emplace_back(std::string(field.key), std::string());
      } else if (field.value.is_string()) {
        p.annotations.emplace_back(
            std::string(field.key),
            std::string(field.value.get_string().value_unsafe()));
      } else {
        return ErrorAt(kpath, "expected a string, found " +
                                  json_internal::Describe(field.value));
      }
    }
  }
  return p;
}

Result<TemplateLink> ReadLink(Element e, const JsonPath& path) {
  Result<Object> obj = Fields(e, path, {"templateId", "newId", "values"});
  if (!obj.ok()) return obj.error();
  TemplateLink link;
  Result<std::string_view> t = RequiredString(*obj, "templateId", path);
  if (!t.ok()) return t.error();
  link.template_id = std::string(*t);
  Result<std::string_view> n = RequiredString(*obj, "newId", path);
  if (!n.ok()) return n.error();
  link.id = std::string(*n);
  Result<Element> values = Required(*obj, "values", path);
  if (!values.ok()) return values.error();
  JsonPath vpath = path.Key("values");
  if (!values->is_object()) {
    return ErrorAt(vpath,
                   "expected an object mapping slots to entities, "
                   "found " +
                       json_internal::Describe(*values));
  }
  Object vobj = values->get_object().value_unsafe();
  Status s = json_internal::CheckNoDuplicateKeys(vobj, vpath);
  if (!s.ok()) return s.error();
  for (auto field : vobj) {
    JsonPath kpath = vpath.Key(field.key);
    Result<EntityUid> uid = json_internal::ReadUid(field.value, kpath);
    if (!uid.ok()) return uid.error();
    if (field.key == "?principal") {
      link.principal = std::move(*uid);
    } else if (field.key == "?resource") {
      link.resource = std::move(*uid);
    } else {
      return ErrorAt(kpath, "unknown slot `" + std::string(field.key) +
                                "`, expected `?principal` or `?resource`");
    }
  }
  return link;
}

// Reads {id: policy, ...} into `out`, in file order.
Status ReadPolicyMap(Element e, const JsonPath& path, bool templates,
                     std::vector<Policy>* out) {
  if (!e.is_object()) {
    return ErrorAt(path, "expected an object mapping ids to policies, found " +
                             json_internal::Describe(e));
  }
  Object obj = e.get_object().value_unsafe();
  Status s = json_internal::CheckNoDuplicateKeys(obj, path);
  if (!s.ok()) return s;
  out->reserve(obj.size());
  for (auto field : obj) {
    JsonPath ppath = path.Key(field.key);
    Result<Policy> p = ReadPolicy(field.value, ppath);
    if (!p.ok()) return p.error();
    p->id = std::string(field.key);
    if (!templates && p->is_template()) {
      return ErrorAt(ppath,
                     std::string("expected a static policy, got a "
                                 "template containing the slot ") +
                         SlotName(p->principal.slot ? *p->principal.slot
                                                    : *p->resource.slot) +
                         "; templates go under `templates`");
    }
    if (templates && !p->is_template()) {
      return ErrorAt(ppath,
                     "expected a template, got a static policy (no "
                     "slots); static policies go under "
                     "`staticPolicies`");
    }
    out->push_back(std::move(*p));
  }
  return {};
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

void AppendExpr(const Expr& e, std::string* out);

void AppendLiteralExpr(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Value::Kind::kSet: {
      // Sets and records are written as expressions, so that a record key
      // such as "__entity" cannot be read back as an escape.
      *out += "{\"Set\":[";
      bool first = true;
      for (const Value& x : v.AsSet()) {
        if (!first) out->push_back(',');
        first = false;
        AppendLiteralExpr(x, out);
      }
      *out += "]}";
      return;
    }
    case Value::Kind::kRecord: {
      *out += "{\"Record\":{";
      bool first = true;
      for (const auto& [k, x] : v.AsRecord()) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(k, out);
        out->push_back(':');
        AppendLiteralExpr(x, out);
      }
      *out += "}}";
      return;
    }
    default:
      *out += "{\"Value\":";
      AppendValueJson(v, out);
      out->push_back('}');
  }
}

void AppendKey(std::string_view key, std::string* out) {
  AppendJsonString(key, out);
  out->push_back(':');
}

const char* BinaryKey(ExprKind kind) {
  for (const BinaryOp& op : kBinaryOps) {
    if (op.kind == kind) return op.key.data();
  }
  return nullptr;
}

// {"<op>":{"<f0>":a0,"<f1>":a1,...}}
void AppendOp(std::string_view op,
              std::initializer_list<std::string_view> names, const Expr& e,
              std::string* out) {
  out->push_back('{');
  AppendKey(op, out);
  out->push_back('{');
  size_t i = 0;
  for (std::string_view n : names) {
    if (i >= e.args.size()) break;
    if (i > 0) out->push_back(',');
    AppendKey(n, out);
    AppendExpr(*e.args[i], out);
    ++i;
  }
  *out += "}}";
}

void AppendExpr(const Expr& e, std::string* out) {
  switch (e.kind) {
    case ExprKind::kLiteral:
      AppendLiteralExpr(e.literal, out);
      return;
    case ExprKind::kVar:
      *out += "{\"Var\":\"";
      *out += VarName(e.var);
      *out += "\"}";
      return;
    case ExprKind::kSlot:
      *out += "{\"Slot\":\"";
      *out += SlotName(e.slot);
      *out += "\"}";
      return;
    case ExprKind::kNot:
      AppendOp("!", {"arg"}, e, out);
      return;
    case ExprKind::kNeg:
      AppendOp("neg", {"arg"}, e, out);
      return;
    case ExprKind::kIsEmpty:
      AppendOp("isEmpty", {"arg"}, e, out);
      return;
    case ExprKind::kIf:
      AppendOp("if-then-else", {"if", "then", "else"}, e, out);
      return;
    case ExprKind::kGetAttr:
    case ExprKind::kHasAttr:
      *out += e.kind == ExprKind::kGetAttr ? "{\".\":{\"left\":"
                                           : "{\"has\":{\"left\":";
      AppendExpr(*e.args[0], out);
      *out += ",\"attr\":";
      AppendJsonString(e.name, out);
      *out += "}}";
      return;
    case ExprKind::kLike:
      *out += "{\"like\":{\"left\":";
      AppendExpr(*e.args[0], out);
      *out += ",\"pattern\":[";
      {
        bool first = true;
        for (const PatternElem& p : e.pattern) {
          if (!p.wildcard && p.literal.empty()) continue;
          if (!first) out->push_back(',');
          first = false;
          if (p.wildcard) {
            *out += "\"Wildcard\"";
          } else {
            *out += "{\"Literal\":";
            AppendJsonString(p.literal, out);
            out->push_back('}');
          }
        }
      }
      *out += "]}}";
      return;
    case ExprKind::kIs:
      *out += "{\"is\":{\"left\":";
      AppendExpr(*e.args[0], out);
      *out += ",\"entity_type\":";
      AppendJsonString(e.name, out);
      if (e.args.size() > 1) {
        *out += ",\"in\":";
        AppendExpr(*e.args[1], out);
      }
      *out += "}}";
      return;
    case ExprKind::kSet:
      *out += "{\"Set\":[";
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendExpr(*e.args[i], out);
      }
      *out += "]}";
      return;
    case ExprKind::kRecord:
      *out += "{\"Record\":{";
      for (size_t i = 0; i < e.args.size() && i < e.keys.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendKey(e.keys[i], out);
        AppendExpr(*e.args[i], out);
      }
      *out += "}}";
      return;
    case ExprKind::kExtCall:
      out->push_back('{');
      AppendKey(e.name, out);
      out->push_back('[');
      for (size_t i = 0; i < e.args.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendExpr(*e.args[i], out);
      }
      *out += "]}";
      return;
    default:
      if (const char* key = BinaryKey(e.kind)) {
        AppendOp(key, {"left", "right"}, e, out);
      }
      return;
  }
}

void AppendEntityScope(const EntityScope& s, std::string* out) {
  auto target = [&]() {
    if (s.slot) {
      *out += "\"slot\":\"";
      *out += SlotName(*s.slot);
      out->push_back('"');
    } else if (s.entity) {
      *out += "\"entity\":";
      AppendEntityUidJson(*s.entity, out);
    }
  };
  switch (s.op) {
    case EntityScope::Op::kAny:
      *out += "{\"op\":\"All\"}";
      return;
    case EntityScope::Op::kEq:
    case EntityScope::Op::kIn:
      *out +=
          s.op == EntityScope::Op::kEq ? "{\"op\":\"==\"," : "{\"op\":\"in\",";
      target();
      out->push_back('}');
      return;
    case EntityScope::Op::kIs:
    case EntityScope::Op::kIsIn:
      *out += "{\"op\":\"is\",\"entity_type\":";
      AppendJsonString(s.entity_type, out);
      if (s.op == EntityScope::Op::kIsIn) {
        *out += ",\"in\":{";
        target();
        out->push_back('}');
      }
      out->push_back('}');
      return;
  }
}

void AppendActionScope(const ActionScope& s, std::string* out) {
  switch (s.op) {
    case ActionScope::Op::kAny:
      *out += "{\"op\":\"All\"}";
      return;
    case ActionScope::Op::kEq:
    case ActionScope::Op::kIn:
      *out += s.op == ActionScope::Op::kEq ? "{\"op\":\"==\",\"entity\":"
                                           : "{\"op\":\"in\",\"entity\":";
      if (!s.entities.empty()) {
        AppendEntityUidJson(s.entities[0], out);
      } else {
        *out += "null";  // malformed scope; the reader will refuse it
      }
      out->push_back('}');
      return;
    case ActionScope::Op::kInSet:
      *out += "{\"op\":\"in\",\"entities\":[";
      for (size_t i = 0; i < s.entities.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendEntityUidJson(s.entities[i], out);
      }
      *out += "]}";
      return;
  }
}

void AppendPolicy(const Policy& p, std::string* out) {
  *out += "{\"effect\":";
  *out += p.effect == Effect::kPermit ? "\"permit\"" : "\"forbid\"";
  *out += ",\"principal\":";
  AppendEntityScope(p.principal, out);
  *out += ",\"action\":";
  AppendActionScope(p.action, out);
  *out += ",\"resource\":";
  AppendEntityScope(p.resource, out);
  *out += ",\"conditions\":[";
  for (size_t i = 0; i < p.conditions.size(); ++i) {
    if (i > 0) out->push_back(',');
    *out += p.conditions[i].is_when ? "{\"kind\":\"when\",\"body\":"
                                    : "{\"kind\":\"unless\",\"body\":";
    AppendExpr(*p.conditions[i].body, out);
    out->push_back('}');
  }
  out->push_back(']');
  if (!p.annotations.empty()) {
    *out += ",\"annotations\":{";
    for (size_t i = 0; i < p.annotations.size(); ++i) {
      if (i > 0) out->push_back(',');
      AppendKey(p.annotations[i].first, out);
      AppendJsonString(p.annotations[i].second, out);
    }
    out->push_back('}');
  }
  out->push_back('}');
}

}  // namespace

Result<Policy> ReadPolicyJson(std::string_view json, const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  return ReadPolicy(*root, JsonPath{});
}

Result<ExprPtr> ReadExprJson(std::string_view json, const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  return ReadExpr(*root, JsonPath{});
}

std::string WritePolicyJson(const Policy& policy) {
  std::string out;
  AppendPolicy(policy, &out);
  return out;
}

std::string WriteExprJson(const Expr& expr) {
  std::string out;
  AppendExpr(expr, &out);
  return out;
}

Result<PolicySet> ReadPolicySetJson(std::string_view json,
                                    const JsonLimits& limits) {
  Result<Element> root = json_internal::ParseJson(json, limits);
  if (!root.ok()) return root.error();
  JsonPath path;
  Result<Object> obj =
      Fields(*root, path, {"staticPolicies", "templates", "templateLinks"});
  if (!obj.ok()) return obj.error();
  PolicySet set;
  Element e;
  if (GetField(*obj, "staticPolicies", &e)) {
    Status s =
        ReadPolicyMap(e, path.Key("staticPolicies"), false, &set.policies);
    if (!s.ok()) return s.error();
  }
  if (GetField(*obj, "templates", &e)) {
    Status s = ReadPolicyMap(e, path.Key("templates"), true, &set.templates);
    if (!s.ok()) return s.error();
  }
  std::unordered_set<std::string_view> ids;
  for (const Policy& p : set.policies) ids.insert(p.id);
  for (const Policy& t : set.templates) {
    if (!ids.insert(t.id).second) {
      return ErrorAt(path.Key("templates").Key(t.id),
                     "id `" + t.id + "` is already used by a static policy");
    }
  }
  if (GetField(*obj, "templateLinks", &e)) {
    JsonPath lpath = path.Key("templateLinks");
    if (!e.is_array()) {
      return ErrorAt(lpath, "expected an array of template links, found " +
                                json_internal::Describe(e));
    }
    Array arr = e.get_array().value_unsafe();
    set.links.reserve(arr.size());
    size_t i = 0;
    for (Element x : arr) {
      JsonPath p = lpath.Index(i++);
      Result<TemplateLink> link = ReadLink(x, p);
      if (!link.ok()) return link.error();
      const Policy* tmpl = nullptr;
      for (const Policy& t : set.templates) {
        if (t.id == link->template_id) tmpl = &t;
      }
      if (tmpl == nullptr) {
        return ErrorAt(p.Key("templateId"),
                       "no template has id `" + link->template_id + "`");
      }
      bool wants_p = tmpl->principal.slot.has_value();
      bool wants_r = tmpl->resource.slot.has_value();
      if (wants_p != link->principal.has_value() ||
          wants_r != link->resource.has_value()) {
        std::string msg = "the values must bind exactly the template's slots (";
        if (wants_p) msg += "?principal";
        if (wants_p && wants_r) msg += ", ";
        if (wants_r) msg += "?resource";
        msg += ")";
        return ErrorAt(p.Key("values"), msg);
      }
      set.links.push_back(std::move(*link));
    }
    for (size_t k = 0; k < set.links.size(); ++k) {
      if (!ids.insert(set.links[k].id).second) {
        return ErrorAt(lpath.Index(k).Key("newId"),
                       "id `" + set.links[k].id + "` is already in use");
      }
    }
  }
  return set;
}

std::string WritePolicySetJson(const PolicySet& set) {
  std::string out = "{\"staticPolicies\":{";
  for (size_t i = 0; i < set.policies.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendKey(set.policies[i].id, &out);
    AppendPolicy(set.policies[i], &out);
  }
  out += "},\"templates\":{";
  for (size_t i = 0; i < set.templates.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendKey(set.templates[i].id, &out);
    AppendPolicy(set.templates[i], &out);
  }
  out += "},\"templateLinks\":[";
  for (size_t i = 0; i < set.links.size(); ++i) {
    const TemplateLink& l = set.links[i];
    if (i > 0) out.push_back(',');
    out += "{\"templateId\":";
    AppendJsonString(l.template_id, &out);
    out += ",\"newId\":";
    AppendJsonString(l.id, &out);
    out += ",\"values\":{";
    if (l.principal) {
      out += "\"?principal\":";
      AppendEntityUidJson(*l.principal, &out);
    }
    if (l.resource) {
      if (l.principal) out.push_back(',');
      out += "\"?resource\":";
      AppendEntityUidJson(*l.resource, &out);
    }
    out += "}}";
  }
  out += "]}";
  return out;
}

}  // namespace haven::cedar
