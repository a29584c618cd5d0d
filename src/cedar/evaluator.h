// Evaluation of Cedar expressions for one request, with Cedar's semantics
// and error cases (docs.cedarpolicy.com, "Operators and functions").
//
//   CompiledExpr cond = CompiledExpr::Compile(*policy.conditions[0].body);
//   Evaluator eval(request, store);
//   Result<Value> v = eval.Evaluate(cond);          // a value or an error
//   Evaluator::Outcome o = eval.EvaluateBool(cond);  // fast path
//
// A CompiledExpr is an Expr prepared once: literals pre-built, extension
// calls on literals folded into values (when they succeed), extension names
// resolved, `like` patterns prepared. It is immutable and may be shared by
// any number of threads.
//
// An Evaluator is cheap to make (no allocation when the request's entities
// are in the store) and belongs to one thread; it borrows the request and
// the store, which must outlive it.
#ifndef HAVEN_CEDAR_EVALUATOR_H_
#define HAVEN_CEDAR_EVALUATOR_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cedar/ast.h"
#include "cedar/entities.h"
#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

namespace internal {
struct Node;
}  // namespace internal

// Numbers each distinct `principal.a`, `action.a`, `resource.a` and
// `context.a` read by the conditions compiled with it, and each distinct
// `principal in Type::"id"` (likewise action, resource), so that an
// Evaluator looks each one up at most once per request. Not thread-safe;
// used while compiling.
class AttrPaths {
 public:
  int Index(Var var, const std::string& key);
  // The number for `var in target`, or -1 once kMaxIn targets have one, so
  // that `in` tests cannot crowd attribute reads out of an Evaluator's
  // memo (which has room for the first 48 numbers).
  int InIndex(Var var, const EntityUid& target);
  static constexpr int kMaxIn = 16;
  int size() const { return static_cast<int>(paths_.size()); }

 private:
  struct Path {
    Var var;
    bool in;          // `var in target`, else `var.key`
    std::string key;  // var.key
    EntityUid target;
  };
  std::vector<Path> paths_;
  int ins_ = 0;  // paths_ with `in` set
};

class CompiledExpr {
 public:
  CompiledExpr() = default;
  // Never fails: anything wrong with the expression (an unknown extension
  // function, a slot) becomes an error when it is evaluated. With `paths`,
  // attribute reads of variables are numbered for per-request reuse; pass
  // paths->size() to the Evaluator then.
  static CompiledExpr Compile(const Expr& expr, AttrPaths* paths = nullptr);

  // The value, if the whole expression folded to a constant.
  const Value* constant() const;
  const internal::Node* root() const { return root_.get(); }

 private:
  std::shared_ptr<const internal::Node> root_;
};

class Evaluator {
 public:
  Evaluator(const Request& request, const EntityStore& entities);
  // With the interned ids of the request's principal, action and resource in
  // `entities` (-1 when absent), when the caller already has them.
  Evaluator(const Request& request, const EntityStore& entities,
            int32_t principal_id, int32_t action_id, int32_t resource_id,
            int attr_paths = 0);
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  Result<Value> Evaluate(const CompiledExpr& expr);
  Result<Value> Evaluate(const Expr& expr) {
    return Evaluate(CompiledExpr::Compile(expr));
  }

  enum class Outcome : uint8_t { kFalse, kTrue, kError };
  // Evaluates a condition that must be a boolean: a non-boolean result is a
  // type error. On kError, error() says what went wrong.
  Outcome EvaluateBool(const CompiledExpr& expr);
  // The same for a non-null expr.root(), inlined, for callers that keep
  // the roots.
  Outcome EvaluateBool(const internal::Node& root) {
    bool b;
    if (!EvalBoolArg(root, &b)) return Outcome::kError;
    return b ? Outcome::kTrue : Outcome::kFalse;
  }
  const std::string& error() const { return error_; }

 private:
  struct Out;
  bool Sub(const internal::Node& n, Out& out);
  bool Eval(const internal::Node& n, Out& out);
  bool EvalBoolArg(const internal::Node& n, bool* b);
  bool Dispatch(const internal::Node& n, bool* b);  // EvalBoolArg, inlined
  bool EvalAnd(const internal::Node& n, bool* b);   // n-ary &&
  bool EvalOr(const internal::Node& n, bool* b);    // n-ary ||
  bool EvalNot(const internal::Node& n, bool* b);
  // The fused forms: `var.attr == literal`, `var.attr like p`, ... (see
  // BoolOp in evaluator.cc).
  bool EvalHasAttr(const internal::Node& n, bool* b);
  bool EvalAttr(const internal::Node& n, bool* b);
  bool EvalAttrEq(const internal::Node& n, bool* b);
  bool EvalSetHasAttr(const internal::Node& n, bool* b);
  bool EvalAttrHas(const internal::Node& n, bool* b);  // and kAttrHasAny
  bool EvalAttrLike(const internal::Node& n, bool* b);
  bool EvalVarIn(const internal::Node& n, bool* b);
  // Operators whose result is a boolean (comparisons, `in`, set tests,
  // `like`, `is`): the result in *r, without materializing a Value.
  bool EvalBoolOp(const internal::Node& n, bool* r);
  // An extension call in a boolean position (ip.isInRange(net), ...).
  bool EvalBoolExt(const internal::Node& n, bool* r);
  // The same, when every argument is a literal or a memoized `var.attr`.
  bool EvalAttrExt(const internal::Node& n, bool* r);
  // Any other expression that must give a boolean.
  bool EvalBoolValue(const internal::Node& n, bool* r);
  // For `var.attr` and `var has attr` with a memo slot: the field, or
  // &kAbsent, looked up at most once per request. False when the variable
  // is not a record or an entity of the store, for the general path to
  // handle (and report).
  bool VarAttr(const internal::Node& n, const Value** field);
  // VarAttr's lookup when the memo is empty.
  bool LookUpAttr(const internal::Node& n, const Value** field);
  // The memoized field a `var.attr` node reads, or nullptr when it is
  // absent or cannot be read that way (the general path then reports why).
  const Value* MemoField(const internal::Node& a);
  // `lhs in rhs`; `rhs_hash` is EntityUidHash of rhs when it is an entity
  // and the caller knows it (a literal), else 0.
  bool EvalIn(const Value& lhs, const Value& rhs, size_t rhs_hash,
              bool* result);
  const Value& VarValue(int which);
  int32_t EntityId(const Value& v) const;
  const Entity* FindEntity(const Value& v) const;
  bool Fail(std::string message);
  bool TypeError(const char* expected, const Value& got);

  const Request& request_;
  const EntityStore& entities_;
  int32_t ids_[3];                // principal, action, resource
  std::optional<Value> vars_[3];  // built only when not in the store
  std::string error_;
  // Per-request reuse of attribute reads numbered by AttrPaths: nullptr for
  // not yet read; else the field, or &kAbsent when the attribute is absent.
  static constexpr int kMaxMemo = 48;
  int memo_size_ = 0;
  const Value* memo_[kMaxMemo];
};

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_EVALUATOR_H_
