// The evaluator walks a compiled tree. Results are passed as an `Out`: a
// pointer to a value that is either borrowed (a literal in the tree, an
// attribute in the store, the context) or held in the Out itself, so that
// reading `principal.dept` copies nothing.
//
// Semantics, checked against cedar-wasm 4.13.0 (see evaluator_test.cc):
// && and || short-circuit and need booleans on each side they evaluate;
// == never fails; < <= > >= take two longs, two datetimes or two durations;
// + - * and unary - are checked 64-bit; `in` needs an entity on the left and
// an entity or a set of entities (every element checked) on the right;
// `has` on a missing entity is false while `.` on one is an error.

#include "cedar/evaluator.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

#include "cedar/extensions.h"
#include "cedar/like.h"

namespace haven::cedar {
namespace internal {

// A guess at where a key sits in the records a node reads: entities of one
// type, and contexts of one caller, share a layout. Shared by all threads;
// relaxed atomics suffice for a hint.
struct FieldHint {
  mutable std::atomic<uint32_t> index{0};
  FieldHint() = default;
  FieldHint(const FieldHint& o)
      : index(o.index.load(std::memory_order_relaxed)) {}
  FieldHint& operator=(const FieldHint& o) {
    index.store(o.index.load(std::memory_order_relaxed),
                std::memory_order_relaxed);
    return *this;
  }
};

// How EvalBoolArg decides a node, chosen at compile time. The fused forms
// (kAttr*, kVarInLiteral) read a memoized `var.attr` and a literal directly;
// when the attribute is absent or of another type they fall back to the
// general path, which gives the same result and the same error.
enum class BoolOp : uint8_t {
  kValue,         // anything else: evaluate, then require a boolean
  kAnd,           // args[0] && args[1] && ... (n-ary)
  kOr,            // args[0] || args[1] || ... (n-ary)
  kNot,           //
  kOperator,      // CEDAR_BOOL_OP_CASES: EvalBoolOp
  kExtension,     // a known extension function
  kHasAttr,       // var has attr (memoized)
  kAttr,          // var.attr in a boolean position
  kAttrEq,        // var.attr == literal (either side; args[lit] the literal)
  kAttrNotEq,     // var.attr != literal
  kSetHasAttr,    // [literals].contains(var.attr)
  kAttrHas,       // var.attr.contains(literal)
  kAttrHasAny,    // var.attr.containsAny([literals])
  kAttrLike,      // var.attr like pattern (or any of several: like_any)
  kVarInLiteral,  // principal|action|resource in Type::"id"
  kAttrExt,       // an extension call on memoized var.attr and literals
};

struct Node {
  ExprKind kind = ExprKind::kLiteral;
  BoolOp op = BoolOp::kValue;
  uint8_t lit = 1;  // kAttrEq, kAttrNotEq: which arg is the literal
  FieldHint hint;   // kGetAttr, kHasAttr, kGetTag, kHasTag
  // AttrPaths index: kGetAttr, kHasAttr on a variable; kIn when op is
  // kVarInLiteral.
  int memo = -1;
  Var var = Var::kPrincipal;
  ExtensionFn fn = ExtensionFn::kUnknown;
  Value literal;
  size_t uid_hash = 0;     // kLiteral entity: EntityUidHash of its uid
  uint32_t name_hash = 0;  // kGetAttr, kHasAttr: AttrNameHash of `name`
  std::string name;
  std::vector<std::string> keys;
  std::vector<Pattern> patterns;  // kLike: one, or a run's (see like_any)
  LikeMatcher like;
  // kLike standing for a run of `a like p1 || a like p2 || ...` on one
  // operand: true when any pattern matches.
  std::shared_ptr<const LikeAnyMatcher> like_any;
  std::vector<Node> args;
};

}  // namespace internal

using internal::BoolOp;
using internal::FieldHint;
using internal::Node;

// The case labels of the operators EvalBoolOp decides (a bool, or an
// error): shared by EvalBoolArg and Sub, which must agree on the set.
#define CEDAR_BOOL_OP_CASES    \
  case ExprKind::kEq:          \
  case ExprKind::kNotEq:       \
  case ExprKind::kLess:        \
  case ExprKind::kLessEq:      \
  case ExprKind::kGreater:     \
  case ExprKind::kGreaterEq:   \
  case ExprKind::kIn:          \
  case ExprKind::kContains:    \
  case ExprKind::kContainsAll: \
  case ExprKind::kContainsAny: \
  case ExprKind::kIsEmpty:     \
  case ExprKind::kLike:        \
  case ExprKind::kIs:

namespace {

// A `var.attr` read that the evaluator memoizes per request.
bool IsMemoAttr(const Node& a) {
  return a.kind == ExprKind::kGetAttr && a.memo >= 0;
}

// `a like p` on a memoized `var.attr`; `same` another such node or null.
bool IsAttrLike(const Node& a, const Node* same) {
  return a.kind == ExprKind::kLike && a.args.size() == 1 &&
         IsMemoAttr(a.args[0]) &&
         (same == nullptr || a.args[0].memo == same->args[0].memo);
}

// && and || are associative, errors included (operands are evaluated left
// to right until one decides), so a chain becomes one n-ary node. In an
// n-ary ||, a run of `a like p` on the same memoized `a` becomes one node
// (a run made at a deeper level of the left-leaning parse joins it): the
// first of them to be evaluated would evaluate `a` and fail the same way;
// otherwise each gives a boolean and the run is true if any matches.
void Flatten(Node& n) {
  std::vector<Node> flat;
  for (Node& a : n.args) {
    if (a.kind == n.kind) {
      for (Node& b : a.args) flat.push_back(std::move(b));
    } else {
      flat.push_back(std::move(a));
    }
  }
  if (n.kind == ExprKind::kOr) {
    std::vector<Node> grouped;
    for (size_t i = 0; i < flat.size();) {
      size_t j = i + 1;
      if (IsAttrLike(flat[i], nullptr))
        while (j < flat.size() && IsAttrLike(flat[j], &flat[i])) ++j;
      if (j - i >= 2) {
        Node any = std::move(flat[i]);
        for (size_t k = i + 1; k < j; ++k)
          for (Pattern& p : flat[k].patterns)
            any.patterns.push_back(std::move(p));
        any.like_any = std::make_shared<const LikeAnyMatcher>(any.patterns);
        grouped.push_back(std::move(any));
      } else {
        grouped.push_back(std::move(flat[i]));
      }
      i = j;
    }
    flat = std::move(grouped);
  }
  n.args = std::move(flat);
}

// Chooses n.op (see BoolOp) once n and its args are final.
void ChooseBoolOp(Node& n) {
  using K = Value::Kind;
  auto memo = [&n](size_t i) {
    return i < n.args.size() && IsMemoAttr(n.args[i]);
  };
  auto literal = [&n](size_t i, K kind) {
    return i < n.args.size() && n.args[i].kind == ExprKind::kLiteral &&
           n.args[i].literal.kind() == kind;
  };
  auto any_literal = [&n](size_t i) {
    return i < n.args.size() && n.args[i].kind == ExprKind::kLiteral;
  };
  switch (n.kind) {
    case ExprKind::kAnd:
      n.op = BoolOp::kAnd;
      return;
    case ExprKind::kOr:
      n.op = BoolOp::kOr;
      return;
    case ExprKind::kNot:
      n.op = BoolOp::kNot;
      return;
    case ExprKind::kHasAttr:
      n.op = n.memo >= 0 ? BoolOp::kHasAttr : BoolOp::kValue;
      return;
    case ExprKind::kGetAttr:
      n.op = n.memo >= 0 ? BoolOp::kAttr : BoolOp::kValue;
      return;
    case ExprKind::kExtCall: {
      if (n.fn == ExtensionFn::kUnknown || n.args.size() > 2) {
        n.op = BoolOp::kValue;
        return;
      }
      bool direct = !n.args.empty();
      for (size_t i = 0; i < n.args.size(); ++i)
        direct = direct && (memo(i) || any_literal(i));
      n.op = direct ? BoolOp::kAttrExt : BoolOp::kExtension;
      return;
    }
    case ExprKind::kEq:
    case ExprKind::kNotEq:
      n.op = BoolOp::kOperator;
      if ((memo(0) && any_literal(1)) || (any_literal(0) && memo(1))) {
        n.op = n.kind == ExprKind::kEq ? BoolOp::kAttrEq : BoolOp::kAttrNotEq;
        n.lit = any_literal(1) ? 1 : 0;
      }
      return;
    case ExprKind::kContains:
      n.op = literal(0, K::kSet) && memo(1) ? BoolOp::kSetHasAttr
             : memo(0) && any_literal(1)    ? BoolOp::kAttrHas
                                            : BoolOp::kOperator;
      return;
    case ExprKind::kContainsAny:
      n.op = memo(0) && literal(1, K::kSet) ? BoolOp::kAttrHasAny
                                            : BoolOp::kOperator;
      return;
    case ExprKind::kLike:
      n.op = memo(0) ? BoolOp::kAttrLike : BoolOp::kOperator;
      return;
    case ExprKind::kIn:
      n.op = n.args.size() == 2 && n.args[0].kind == ExprKind::kVar &&
                     n.args[0].var != Var::kContext && literal(1, K::kEntity)
                 ? BoolOp::kVarInLiteral
                 : BoolOp::kOperator;
      return;
    case ExprKind::kLess:
    case ExprKind::kLessEq:
    case ExprKind::kGreater:
    case ExprKind::kGreaterEq:
    case ExprKind::kContainsAll:
    case ExprKind::kIsEmpty:
    case ExprKind::kIs:
      n.op = BoolOp::kOperator;
      return;
    default:
      n.op = BoolOp::kValue;
      return;
  }
}

Node CompileNode(const Expr& e, AttrPaths* paths);

Node CompileNodeFlat(const Expr& e, AttrPaths* paths) {
  Node n;
  n.kind = e.kind;
  n.var = e.var;
  n.literal = e.literal;
  n.name = e.name;
  if (e.kind == ExprKind::kGetAttr || e.kind == ExprKind::kHasAttr)
    n.name_hash = EntityStore::AttrNameHash(n.name);
  n.keys = e.keys;
  if (e.kind == ExprKind::kLike) {
    n.patterns = {e.pattern};
    n.like = LikeMatcher(e.pattern);
  }
  if (e.kind == ExprKind::kSlot) {
    // Slots only appear in template scopes; one left in a body cannot be
    // evaluated. Keep the kind so evaluation reports it.
  }
  n.args.reserve(e.args.size());
  for (const ExprPtr& a : e.args) n.args.push_back(CompileNode(*a, paths));
  if (n.kind == ExprKind::kAnd || n.kind == ExprKind::kOr) {
    Flatten(n);
    if (n.args.size() == 1) return std::move(n.args[0]);  // a grouped run
  }
  if (paths != nullptr &&
      (n.kind == ExprKind::kGetAttr || n.kind == ExprKind::kHasAttr) &&
      n.args.size() == 1 && n.args[0].kind == ExprKind::kVar) {
    n.memo = paths->Index(n.args[0].var, n.name);
  }

  if (n.kind == ExprKind::kLiteral && n.literal.kind() == Value::Kind::kEntity)
    n.uid_hash = EntityUidHash()(n.literal.AsEntity());

  auto all_literal = [&n] {
    for (const Node& a : n.args)
      if (a.kind != ExprKind::kLiteral) return false;
    return true;
  };
  switch (n.kind) {
    case ExprKind::kExtCall: {
      n.fn = FindExtension(n.name);
      // Fold calls on literals that succeed: ip("10.0.0.0/8") becomes a
      // value. A call that fails stays, to fail for each request as Cedar's
      // does.
      if (n.fn != ExtensionFn::kUnknown && all_literal() &&
          n.args.size() <= 2) {
        std::array<Value, 2> vals;
        for (size_t i = 0; i < n.args.size(); ++i) vals[i] = n.args[i].literal;
        Result<Value> r = CallExtension(
            n.fn, std::span<const Value>(vals.data(), n.args.size()));
        if (r.ok()) {
          Node lit;
          lit.kind = ExprKind::kLiteral;
          lit.literal = std::move(*r);
          return lit;
        }
      }
      break;
    }
    case ExprKind::kSet:
      if (all_literal()) {
        std::vector<Value> vals;
        vals.reserve(n.args.size());
        for (Node& a : n.args) vals.push_back(std::move(a.literal));
        Node lit;
        lit.kind = ExprKind::kLiteral;
        lit.literal = Value::Set(std::move(vals));
        return lit;
      }
      break;
    case ExprKind::kRecord:
      if (all_literal()) {
        std::vector<RecordField> fields;
        fields.reserve(n.args.size());
        for (size_t i = 0; i < n.args.size(); ++i)
          fields.emplace_back(n.keys[i], std::move(n.args[i].literal));
        Node lit;
        lit.kind = ExprKind::kLiteral;
        lit.literal = Value::Record(std::move(fields));
        return lit;
      }
      break;
    default:
      break;
  }
  return n;
}

Node CompileNode(const Expr& e, AttrPaths* paths) {
  Node n = CompileNodeFlat(e, paths);
  ChooseBoolOp(n);
  if (n.op == BoolOp::kVarInLiteral && paths != nullptr)
    n.memo = paths->InIndex(n.args[0].var, n.args[1].literal.AsEntity());
  return n;
}

// FindField without the hint, out of line: the hint usually holds, and then
// FindField's inlined check saves no registers for the search.
__attribute__((noinline)) const Value* FindFieldSearch(const ValueRecord& rec,
                                                       std::string_view key,
                                                       const FieldHint& hint) {
  if (rec.size() <= 8) {
    for (size_t i = 0; i < rec.size(); ++i) {
      if (StringsEqual(rec[i].first, key)) {
        hint.index.store(static_cast<uint32_t>(i), std::memory_order_relaxed);
        return &rec[i].second;
      }
    }
    return nullptr;
  }
  auto it = std::lower_bound(
      rec.begin(), rec.end(), key,
      [](const RecordField& f, std::string_view k) { return f.first < k; });
  if (it == rec.end() || it->first != key) return nullptr;
  hint.index.store(static_cast<uint32_t>(it - rec.begin()),
                   std::memory_order_relaxed);
  return &it->second;
}

inline const Value* FindField(const ValueRecord& rec, std::string_view key,
                              const FieldHint& hint) {
  const uint32_t h = hint.index.load(std::memory_order_relaxed);
  if (h < rec.size() && StringsEqual(rec[h].first, key)) return &rec[h].second;
  return FindFieldSearch(rec, key, hint);
}

// Cedar equality, inlined for the common kinds.
inline bool FastEq(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::kString:
      return StringsEqual(a.AsString(), b.AsString());
    case Value::Kind::kEntity:
      return a.AsEntity() == b.AsEntity();
    case Value::Kind::kBool:
    case Value::Kind::kLong:
    case Value::Kind::kDecimal:
    case Value::Kind::kDatetime:
    case Value::Kind::kDuration:
      return a.AsLong() == b.AsLong();
    default:
      return a == b;
  }
}

// Set membership: a scan for small sets, else binary search.
inline bool SetHas(const Value& set, const Value& x) {
  const ValueSet& s = set.AsSet();
  if (s.size() <= 8) {
    for (const Value& e : s)
      if (FastEq(e, x)) return true;
    return false;
  }
  return set.Contains(x);
}

// Whether two sets share an element (containsAny): symmetric, so walk the
// smaller and look its elements up in the larger.
inline bool SetsIntersect(const Value& a, const Value& b) {
  const Value* small = &a;
  const Value* large = &b;
  if (small->AsSet().size() > large->AsSet().size()) std::swap(small, large);
  for (const Value& x : small->AsSet())
    if (SetHas(*large, x)) return true;
  return false;
}

}  // namespace

int AttrPaths::Index(Var var, const std::string& key) {
  for (size_t i = 0; i < paths_.size(); ++i)
    if (paths_[i].var == var && !paths_[i].in && paths_[i].key == key)
      return static_cast<int>(i);
  paths_.push_back({var, false, key, {}});
  return static_cast<int>(paths_.size() - 1);
}

int AttrPaths::InIndex(Var var, const EntityUid& target) {
  for (size_t i = 0; i < paths_.size(); ++i)
    if (paths_[i].var == var && paths_[i].in && paths_[i].target == target)
      return static_cast<int>(i);
  if (ins_ == kMaxIn) return -1;
  ++ins_;
  paths_.push_back({var, true, {}, target});
  return static_cast<int>(paths_.size() - 1);
}

CompiledExpr CompiledExpr::Compile(const Expr& expr, AttrPaths* paths) {
  CompiledExpr c;
  c.root_ = std::make_shared<const Node>(CompileNode(expr, paths));
  return c;
}

const Value* CompiledExpr::constant() const {
  if (!root_ || root_->kind != ExprKind::kLiteral) return nullptr;
  return &root_->literal;
}

namespace {
const Value kTrueValue = Value::Bool(true);
const Value kFalseValue = Value::Bool(false);
const Value kAbsent;  // marks a memoized attribute that is not there
}  // namespace

// Where a result is: `v` points at a borrowed value or at the one held in
// `buf` (constructed only when needed, so that an Out costs two words).
struct Evaluator::Out {
  const Value* v = nullptr;
  bool owned = false;
  alignas(Value) unsigned char buf[sizeof(Value)];

  Out() = default;
  Out(const Out&) = delete;
  ~Out() {
    if (owned) slot()->~Value();
  }
  Value* slot() { return std::launder(reinterpret_cast<Value*>(buf)); }
  void Set(Value x) {
    if (owned) {
      *slot() = std::move(x);
    } else {
      new (buf) Value(std::move(x));
      owned = true;
    }
    v = slot();
  }
  void SetBool(bool b) { v = b ? &kTrueValue : &kFalseValue; }
  void Ref(const Value& x) { v = &x; }
  bool holds_own() { return owned && v == slot(); }
};

Evaluator::Evaluator(const Request& request, const EntityStore& entities)
    : Evaluator(request, entities, entities.Intern(request.principal),
                entities.Intern(request.action),
                entities.Intern(request.resource)) {}

Evaluator::Evaluator(const Request& request, const EntityStore& entities,
                     int32_t principal_id, int32_t action_id,
                     int32_t resource_id, int attr_paths)
    : request_(request),
      entities_(entities),
      ids_{principal_id, action_id, resource_id},
      memo_size_(std::min(attr_paths, kMaxMemo)) {
  std::memset(memo_, 0, sizeof(memo_[0]) * memo_size_);  // all nullptr
}

bool Evaluator::Fail(std::string message) {
  error_ = std::move(message);
  return false;
}

bool Evaluator::TypeError(const char* expected, const Value& got) {
  return Fail(std::string("type error: expected ") + expected + ", got " +
              Value::KindName(got.kind()));
}

const Value& Evaluator::VarValue(int which) {
  if (ids_[which] >= 0) return entities_.ValueOf(ids_[which]);
  if (!vars_[which]) {
    const EntityUid& uid = which == 0   ? request_.principal
                           : which == 1 ? request_.action
                                        : request_.resource;
    vars_[which] = Value::Entity(uid);
  }
  return *vars_[which];
}

int32_t Evaluator::EntityId(const Value& v) const {
  int32_t id = entities_.IdOfValue(&v);
  if (id >= 0) return id;
  return entities_.Intern(v.AsEntity());
}

const Entity* Evaluator::FindEntity(const Value& v) const {
  int32_t id = EntityId(v);
  return id < 0 ? nullptr : entities_.EntityOf(id);
}

inline const Value* Evaluator::MemoField(const Node& a) {
  if (a.memo >= memo_size_) return nullptr;
  const Value* f;
  if (!VarAttr(a, &f) || f == &kAbsent) return nullptr;
  return f;
}

// A dispatcher only: each form has its own function, reached by a tail
// call, so that a step through a condition saves no registers it does not
// use. Inlined into the n-ary && and || (a call fewer per operand).
[[gnu::always_inline]] inline bool Evaluator::Dispatch(const Node& n, bool* b) {
  switch (n.op) {
    case BoolOp::kAnd:
      return EvalAnd(n, b);
    case BoolOp::kOr:
      return EvalOr(n, b);
    case BoolOp::kNot:
      return EvalNot(n, b);
    case BoolOp::kOperator:
      return EvalBoolOp(n, b);
    case BoolOp::kExtension:
      return EvalBoolExt(n, b);
    case BoolOp::kValue:
      return EvalBoolValue(n, b);
    case BoolOp::kAttrExt:
      return EvalAttrExt(n, b);
    case BoolOp::kHasAttr:
      return EvalHasAttr(n, b);
    case BoolOp::kAttr:
      return EvalAttr(n, b);
    case BoolOp::kAttrEq:
    case BoolOp::kAttrNotEq:
      return EvalAttrEq(n, b);
    case BoolOp::kSetHasAttr:
      return EvalSetHasAttr(n, b);
    case BoolOp::kAttrHas:
    case BoolOp::kAttrHasAny:
      return EvalAttrHas(n, b);
    case BoolOp::kAttrLike:
      return EvalAttrLike(n, b);
    case BoolOp::kVarInLiteral:
      return EvalVarIn(n, b);
  }
  return EvalBoolValue(n, b);
}

bool Evaluator::EvalBoolArg(const Node& n, bool* b) { return Dispatch(n, b); }

__attribute__((noinline)) bool Evaluator::EvalAnd(const Node& n, bool* b) {
  for (const Node& a : n.args) {
    if (!Dispatch(a, b)) return false;
    if (!*b) return true;
  }
  return true;
}

__attribute__((noinline)) bool Evaluator::EvalOr(const Node& n, bool* b) {
  for (const Node& a : n.args) {
    if (!Dispatch(a, b)) return false;
    if (*b) return true;
  }
  return true;
}

__attribute__((noinline)) bool Evaluator::EvalNot(const Node& n, bool* b) {
  if (!EvalBoolArg(n.args[0], b)) return false;
  *b = !*b;
  return true;
}

// The fused forms, one function each: a memo hit then costs a few
// instructions and saves no registers that a lookup or a match would need.
// When the attribute is absent or of another type, the general path gives
// the same result and error.
__attribute__((noinline)) bool Evaluator::EvalHasAttr(const Node& n, bool* b) {
  const Value* f;
  if (n.memo < memo_size_ && VarAttr(n, &f)) {
    *b = f != &kAbsent;
    return true;
  }
  return EvalBoolValue(n, b);
}

__attribute__((noinline)) bool Evaluator::EvalAttr(const Node& n, bool* b) {
  const Value* f = MemoField(n);
  if (f != nullptr && f->kind() == Value::Kind::kBool) {
    *b = f->AsBool();
    return true;
  }
  return EvalBoolValue(n, b);
}

__attribute__((noinline)) bool Evaluator::EvalAttrEq(const Node& n, bool* b) {
  const Value* f = MemoField(n.args[1 - n.lit]);
  if (f == nullptr) return EvalBoolOp(n, b);
  *b = FastEq(*f, n.args[n.lit].literal) == (n.op == BoolOp::kAttrEq);
  return true;
}

__attribute__((noinline)) bool Evaluator::EvalSetHasAttr(const Node& n,
                                                         bool* b) {
  const Value* f = MemoField(n.args[1]);
  if (f == nullptr) return EvalBoolOp(n, b);
  *b = SetHas(n.args[0].literal, *f);
  return true;
}

__attribute__((noinline)) bool Evaluator::EvalAttrHas(const Node& n, bool* b) {
  const Value* f = MemoField(n.args[0]);
  if (f == nullptr || f->kind() != Value::Kind::kSet) return EvalBoolOp(n, b);
  const Value& x = n.args[1].literal;
  if (n.op == BoolOp::kAttrHasAny) {
    *b = SetsIntersect(*f, x);
  } else {
    *b = SetHas(*f, x);
  }
  return true;
}

__attribute__((noinline)) bool Evaluator::EvalAttrLike(const Node& n, bool* b) {
  const Value* f = MemoField(n.args[0]);
  if (f == nullptr || f->kind() != Value::Kind::kString)
    return EvalBoolOp(n, b);
  *b = n.like_any ? n.like_any->Matches(f->AsString())
                  : n.like.Matches(f->AsString());
  return true;
}

// An entity `in` an entity never fails, so the answer is memoized as a
// value (&kTrueValue or &kFalseValue).
__attribute__((noinline)) bool Evaluator::EvalVarIn(const Node& n, bool* b) {
  const bool memo = n.memo >= 0 && n.memo < memo_size_;
  if (memo && memo_[n.memo] != nullptr) {
    *b = memo_[n.memo] == &kTrueValue;
    return true;
  }
  if (!EvalIn(VarValue(n.args[0].var == Var::kPrincipal ? 0
                       : n.args[0].var == Var::kAction  ? 1
                                                        : 2),
              n.args[1].literal, n.args[1].uid_hash, b))
    return false;
  if (memo) memo_[n.memo] = *b ? &kTrueValue : &kFalseValue;
  return true;
}

// Out of line, so that EvalBoolArg's common paths need no Out on the stack.
__attribute__((noinline)) bool Evaluator::EvalBoolValue(const Node& n,
                                                        bool* b) {
  Out o;
  if (!Sub(n, o)) return false;
  if (o.v->kind() != Value::Kind::kBool) return TypeError("bool", *o.v);
  *b = o.v->AsBool();
  return true;
}

// `context.ip.isInRange(principal.network)` and the like: the arguments
// read without Outs; anything unusual takes EvalBoolExt, which gives the
// same result or error.
__attribute__((noinline)) bool Evaluator::EvalAttrExt(const Node& n, bool* b) {
  const Value* args[2];
  for (size_t i = 0; i < n.args.size(); ++i) {
    const Node& a = n.args[i];
    args[i] = a.kind == ExprKind::kLiteral ? &a.literal : MemoField(a);
    if (args[i] == nullptr) return EvalBoolExt(n, b);
  }
  if (TryBoolExtension(n.fn, std::span<const Value* const>(args, n.args.size()),
                       b))
    return true;
  return EvalBoolExt(n, b);
}

// The same result and errors as Eval's kExtCall followed by EvalBoolValue's
// check, without building Values when the arguments have the right types.
bool Evaluator::EvalBoolExt(const Node& n, bool* b) {
  Out outs[2];
  const Value* args[2];
  const size_t count = n.args.size();
  for (size_t i = 0; i < count; ++i) {
    if (!Sub(n.args[i], outs[i])) return false;
    args[i] = outs[i].v;
  }
  if (TryBoolExtension(n.fn, std::span<const Value* const>(args, count), b))
    return true;
  std::array<Value, 2> vals;
  for (size_t i = 0; i < count; ++i) vals[i] = *args[i];
  Result<Value> r =
      CallExtension(n.fn, std::span<const Value>(vals.data(), count));
  if (!r.ok()) return Fail(r.error().message());
  if (r->kind() != Value::Kind::kBool) return TypeError("bool", *r);
  *b = r->AsBool();
  return true;
}

bool Evaluator::EvalIn(const Value& lhs, const Value& rhs, size_t rhs_hash,
                       bool* result) {
  // A Value of the store is an entity; its uid and ancestors are read from
  // its record, not from the Value (another cache line or two).
  int32_t a = entities_.IdOfValue(&lhs);
  if (a < 0 && lhs.kind() != Value::Kind::kEntity)
    return TypeError("entity", lhs);
  if (rhs.kind() == Value::Kind::kEntity) {
    const EntityUid& b_uid = rhs.AsEntity();
    if (a < 0) {
      // Not a Value of the store: `in` holds only for the entity itself, or
      // for an ancestor if the store knows the uid after all.
      if (lhs.AsEntity() == b_uid) {
        *result = true;
        return true;
      }
      a = entities_.Intern(lhs.AsEntity());
      *result = false;
      if (a < 0) return true;
    }
    const int32_t b = entities_.IdOfValue(&rhs);
    if (b >= 0 && a == b) {
      *result = true;
      return true;
    }
    const size_t bh = b >= 0          ? entities_.HashOf(b)
                      : rhs_hash != 0 ? rhs_hash
                                      : EntityUidHash()(b_uid);
    *result = b < 0 && entities_.HashOf(a) == bh && entities_.IsUid(a, b_uid);
    if (*result) return true;
    std::span<const int32_t> anc = entities_.AncestorsOf(a);
    if (anc.empty()) return true;
    if (anc.size() <= 16) {
      // Comparing a few hashes beats looking the right-hand side up; the
      // uids are compared only when the hashes agree.
      for (int32_t x : anc)
        if (entities_.HashOf(x) == bh && entities_.IsUid(x, b_uid)) {
          *result = true;
          break;
        }
    } else {
      const int32_t t = b >= 0 ? b : entities_.Intern(b_uid, bh);
      *result = t >= 0 && std::binary_search(anc.begin(), anc.end(), t);
    }
    return true;
  }
  if (rhs.kind() != Value::Kind::kSet) return TypeError("set or entity", rhs);
  const ValueSet& set = rhs.AsSet();
  for (const Value& e : set)
    if (e.kind() != Value::Kind::kEntity) return TypeError("entity", e);
  *result = false;
  if (set.empty()) return true;
  if (SetHas(rhs, lhs)) {
    *result = true;
    return true;
  }
  if (a < 0) a = entities_.Intern(lhs.AsEntity());
  if (a < 0) return true;
  // The set is sorted: look each ancestor up in it.
  for (int32_t x : entities_.AncestorsOf(a))
    if (SetHas(rhs, entities_.ValueOf(x))) {
      *result = true;
      break;
    }
  return true;
}

// The cheap cases inline; the rest in Eval.
inline bool Evaluator::Sub(const Node& n, Out& out) {
  switch (n.kind) {
    case ExprKind::kLiteral:
      out.Ref(n.literal);
      return true;
    case ExprKind::kVar:
      if (n.var == Var::kContext) {
        out.Ref(request_.context);
        return true;
      }
      break;
    case ExprKind::kGetAttr:
      if (n.memo >= 0 && n.memo < memo_size_) {
        const Value* f;
        if (VarAttr(n, &f) && f != &kAbsent) {
          out.Ref(*f);
          return true;
        }
      }
      break;
    default:
      break;
  }
  return Eval(n, out);
}

inline bool Evaluator::VarAttr(const Node& n, const Value** field) {
  const Value* m = memo_[n.memo];
  if (m != nullptr) {
    *field = m;
    return true;
  }
  return LookUpAttr(n, field);
}

__attribute__((noinline)) bool Evaluator::LookUpAttr(const Node& n,
                                                     const Value** field) {
  // What Eval's kGetAttr finds through VarValue and FindEntity, directly.
  const Value* f;
  const Var var = n.args[0].var;
  if (var == Var::kContext) {
    if (request_.context.kind() != Value::Kind::kRecord) return false;
    f = FindField(request_.context.AsRecord(), n.name, n.hint);
  } else {
    const int32_t id = ids_[var == Var::kPrincipal ? 0
                            : var == Var::kAction  ? 1
                                                   : 2];
    if (id < 0 || !entities_.FindAttr(id, n.name, n.name_hash, &f))
      return false;
  }
  const Value* m = f != nullptr ? f : &kAbsent;
  memo_[n.memo] = m;
  *field = m;
  return true;
}

bool Evaluator::Eval(const Node& n, Out& out) {
  using K = Value::Kind;
  switch (n.kind) {
    case ExprKind::kLiteral:
      out.Ref(n.literal);
      return true;
    case ExprKind::kVar:
      switch (n.var) {
        case Var::kPrincipal:
          out.Ref(VarValue(0));
          return true;
        case Var::kAction:
          out.Ref(VarValue(1));
          return true;
        case Var::kResource:
          out.Ref(VarValue(2));
          return true;
        case Var::kContext:
          out.Ref(request_.context);
          return true;
      }
      return Fail("unknown variable");
    case ExprKind::kSlot:
      return Fail("template slot in a condition cannot be evaluated");
    case ExprKind::kNot: {
      bool b;
      if (!EvalBoolArg(n.args[0], &b)) return false;
      out.SetBool(!b);
      return true;
    }
    case ExprKind::kNeg: {
      Out a;
      if (!Sub(n.args[0], a)) return false;
      if (a.v->kind() != K::kLong) return TypeError("long", *a.v);
      int64_t x = a.v->AsLong();
      if (x == INT64_MIN)
        return Fail("integer overflow while attempting to negate the value `" +
                    std::to_string(x) + "`");
      out.Set(Value::Long(-x));
      return true;
    }
    case ExprKind::kAnd:
    case ExprKind::kOr: {
      bool b;
      if (!EvalBoolArg(n, &b)) return false;  // n-ary; see Flatten
      out.SetBool(b);
      return true;
    }
    case ExprKind::kIf: {
      bool b;
      if (!EvalBoolArg(n.args[0], &b)) return false;
      return Sub(n.args[b ? 1 : 2], out);
    }
      CEDAR_BOOL_OP_CASES {
        bool r;
        if (!EvalBoolOp(n, &r)) return false;
        out.SetBool(r);
        return true;
      }
    case ExprKind::kAdd:
    case ExprKind::kSub:
    case ExprKind::kMul: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      if (a.v->kind() != K::kLong) return TypeError("long", *a.v);
      if (b.v->kind() != K::kLong) return TypeError("long", *b.v);
      int64_t x = a.v->AsLong(), y = b.v->AsLong(), r;
      bool over;
      const char* verb;
      if (n.kind == ExprKind::kAdd) {
        over = __builtin_add_overflow(x, y, &r);
        verb = "add";
      } else if (n.kind == ExprKind::kSub) {
        over = __builtin_sub_overflow(x, y, &r);
        verb = "subtract";
      } else {
        over = __builtin_mul_overflow(x, y, &r);
        verb = "multiply";
      }
      if (over)
        return Fail(std::string("integer overflow while attempting to ") +
                    verb + " the values `" + std::to_string(x) + "` and `" +
                    std::to_string(y) + "`");
      out.Set(Value::Long(r));
      return true;
    }
    case ExprKind::kGetTag:
    case ExprKind::kHasTag: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      if (a.v->kind() != K::kEntity) return TypeError("entity", *a.v);
      if (b.v->kind() != K::kString) return TypeError("string", *b.v);
      const Entity* ent = FindEntity(*a.v);
      const Value* tag = ent == nullptr
                             ? nullptr
                             : FindField(ent->tags, b.v->AsString(), n.hint);
      if (n.kind == ExprKind::kHasTag) {
        out.SetBool(tag != nullptr);
        return true;
      }
      if (ent == nullptr)
        return Fail("entity `" + a.v->AsEntity().ToString() +
                    "` does not exist");
      if (tag == nullptr)
        return Fail("`" + a.v->AsEntity().ToString() +
                    "` does not have the tag `" + std::string(b.v->AsString()) +
                    "`");
      // The tag lives in the store, which outlives this evaluation.
      out.Ref(*tag);
      return true;
    }
    case ExprKind::kGetAttr:
    case ExprKind::kHasAttr: {
      const bool memo = n.memo >= 0 && n.memo < memo_size_;
      if (memo && memo_[n.memo] != nullptr) {
        const Value* f = memo_[n.memo];
        if (f != &kAbsent) {
          if (n.kind == ExprKind::kHasAttr) {
            out.SetBool(true);
          } else {
            out.Ref(*f);
          }
          return true;
        }
        if (n.kind == ExprKind::kHasAttr) {
          out.SetBool(false);
          return true;
        }
        // An absent attribute: fall through to report the error.
      }
      Out a;
      if (!Sub(n.args[0], a)) return false;
      const Value* field;
      if (a.v->kind() == K::kRecord) {
        field = FindField(a.v->AsRecord(), n.name, n.hint);
        if (n.kind == ExprKind::kGetAttr && field == nullptr)
          return Fail("record does not have the attribute `" + n.name + "`");
      } else if (a.v->kind() == K::kEntity) {
        const int32_t id = EntityId(*a.v);
        if (id < 0 || !entities_.FindAttr(id, n.name, n.name_hash, &field)) {
          if (n.kind == ExprKind::kHasAttr) {
            out.SetBool(false);
            return true;
          }
          return Fail("entity `" + a.v->AsEntity().ToString() +
                      "` does not exist");
        }
        if (n.kind == ExprKind::kGetAttr && field == nullptr)
          return Fail("`" + a.v->AsEntity().ToString() +
                      "` does not have the attribute `" + n.name + "`");
      } else {
        return TypeError("one of [record, entity]", *a.v);
      }
      // A variable's record or entity outlives the request: remember.
      if (memo) memo_[n.memo] = field != nullptr ? field : &kAbsent;
      if (n.kind == ExprKind::kHasAttr) {
        out.SetBool(field != nullptr);
        return true;
      }
      if (a.holds_own()) {
        // The record was computed here; copy the field out before `a` dies.
        out.Set(*field);
      } else {
        out.Ref(*field);
      }
      return true;
    }
    case ExprKind::kSet: {
      std::vector<Value> vals;
      vals.reserve(n.args.size());
      for (const Node& arg : n.args) {
        Out a;
        if (!Sub(arg, a)) return false;
        vals.push_back(*a.v);
      }
      out.Set(Value::Set(std::move(vals)));
      return true;
    }
    case ExprKind::kRecord: {
      std::vector<RecordField> fields;
      fields.reserve(n.args.size());
      for (size_t i = 0; i < n.args.size(); ++i) {
        Out a;
        if (!Sub(n.args[i], a)) return false;
        fields.emplace_back(n.keys[i], *a.v);
      }
      out.Set(Value::Record(std::move(fields)));
      return true;
    }
    case ExprKind::kExtCall: {
      if (n.fn == ExtensionFn::kUnknown)
        return Fail("unknown extension function `" + n.name + "`");
      std::array<Value, 2> vals;
      if (n.args.size() > vals.size())
        return Fail("wrong number of arguments to `" + n.name + "`");
      for (size_t i = 0; i < n.args.size(); ++i) {
        Out a;
        if (!Sub(n.args[i], a)) return false;
        vals[i] = *a.v;
      }
      Result<Value> r = CallExtension(
          n.fn, std::span<const Value>(vals.data(), n.args.size()));
      if (!r.ok()) return Fail(r.error().message());
      out.Set(std::move(*r));
      return true;
    }
  }
  return Fail("unknown expression kind");
}

bool Evaluator::EvalBoolOp(const Node& n, bool* r) {
  using K = Value::Kind;
  switch (n.kind) {
    case ExprKind::kEq:
    case ExprKind::kNotEq: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      bool eq = FastEq(*a.v, *b.v);
      *r = n.kind == ExprKind::kEq ? eq : !eq;
      return true;
    }
    case ExprKind::kLess:
    case ExprKind::kLessEq:
    case ExprKind::kGreater:
    case ExprKind::kGreaterEq: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      K ka = a.v->kind(), kb = b.v->kind();
      if (ka != K::kLong && ka != K::kDatetime && ka != K::kDuration)
        return TypeError("one of [long, datetime, duration]", *a.v);
      if (kb != ka) return TypeError(Value::KindName(ka), *b.v);
      int64_t x = a.v->AsLong(), y = b.v->AsLong();
      *r = n.kind == ExprKind::kLess      ? x < y
           : n.kind == ExprKind::kLessEq  ? x <= y
           : n.kind == ExprKind::kGreater ? x > y
                                          : x >= y;
      return true;
    }
    case ExprKind::kIn: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      return EvalIn(*a.v, *b.v, n.args[1].uid_hash, r);
    }
    case ExprKind::kContains: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      if (a.v->kind() != K::kSet) return TypeError("set", *a.v);
      *r = SetHas(*a.v, *b.v);
      return true;
    }
    case ExprKind::kContainsAll:
    case ExprKind::kContainsAny: {
      Out a, b;
      if (!Sub(n.args[0], a) || !Sub(n.args[1], b)) return false;
      if (a.v->kind() != K::kSet) return TypeError("set", *a.v);
      if (b.v->kind() != K::kSet) return TypeError("set", *b.v);
      if (n.kind == ExprKind::kContainsAll) {
        *r = true;
        for (const Value& x : b.v->AsSet())
          if (!SetHas(*a.v, x)) {
            *r = false;
            break;
          }
      } else {
        *r = SetsIntersect(*a.v, *b.v);
      }
      return true;
    }
    case ExprKind::kIsEmpty: {
      Out a;
      if (!Sub(n.args[0], a)) return false;
      if (a.v->kind() != K::kSet) return TypeError("set", *a.v);
      *r = a.v->AsSet().empty();
      return true;
    }
    case ExprKind::kLike: {
      Out a;
      if (!Sub(n.args[0], a)) return false;
      if (a.v->kind() != K::kString) return TypeError("string", *a.v);
      *r = n.like_any ? n.like_any->Matches(a.v->AsString())
                      : n.like.Matches(a.v->AsString());
      return true;
    }
    case ExprKind::kIs: {
      Out a;
      if (!Sub(n.args[0], a)) return false;
      if (a.v->kind() != K::kEntity) return TypeError("entity", *a.v);
      if (!StringsEqual(a.v->AsEntity().type, n.name)) {
        *r = false;
        return true;
      }
      if (n.args.size() < 2) {
        *r = true;
        return true;
      }
      Out b;
      if (!Sub(n.args[1], b)) return false;
      return EvalIn(*a.v, *b.v, n.args[1].uid_hash, r);
    }
    default:
      break;
  }
  return Fail("unknown expression kind");
}

Result<Value> Evaluator::Evaluate(const CompiledExpr& expr) {
  if (expr.root() == nullptr) return Error("empty expression");
  Out out;
  if (!Eval(*expr.root(), out)) return Error(error_);
  return *out.v;
}

Evaluator::Outcome Evaluator::EvaluateBool(const CompiledExpr& expr) {
  if (expr.root() == nullptr) {
    error_ = "empty expression";
    return Outcome::kError;
  }
  bool b;
  if (!EvalBoolArg(*expr.root(), &b)) return Outcome::kError;
  return b ? Outcome::kTrue : Outcome::kFalse;
}

}  // namespace haven::cedar
