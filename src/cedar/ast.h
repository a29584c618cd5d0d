// The abstract syntax of Cedar policies: expressions, scopes, policies,
// templates and template links. The text parser (parser.h) and the JSON
// reader (policy_json.h) both produce it; the writers print it back; the
// evaluator and authorizer run it.
//
// Ownership: an Expr owns its children through shared_ptr<const Expr>, so
// trees are immutable once built and may be shared between a template and
// its links. Thread-safety: immutable after construction; read from any
// number of threads.
#ifndef HAVEN_CEDAR_AST_H_
#define HAVEN_CEDAR_AST_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

// Position in policy text, 1-based. line 0 means "no position" (e.g. JSON).
struct SourceLoc {
  int line = 0;
  int column = 0;
};

enum class Var : uint8_t { kPrincipal, kAction, kResource, kContext };
enum class Slot : uint8_t { kPrincipal, kResource };  // ?principal, ?resource

// VarName(Var::kContext) == "context"; SlotName(Slot::kResource) ==
// "?resource": the names policies write.
constexpr const char* VarName(Var v) {
  switch (v) {
    case Var::kPrincipal:
      return "principal";
    case Var::kAction:
      return "action";
    case Var::kResource:
      return "resource";
    case Var::kContext:
      return "context";
  }
  return "principal";
}
constexpr const char* SlotName(Slot s) {
  return s == Slot::kPrincipal ? "?principal" : "?resource";
}

// One element of a `like` pattern: a literal run of characters (UTF-8), or
// a wildcard `*` that matches any sequence, including none.
struct PatternElem {
  bool wildcard = false;
  std::string literal;  // unescaped; empty when wildcard
};
using Pattern = std::vector<PatternElem>;

enum class ExprKind : uint8_t {
  kLiteral,      // literal
  kVar,          // var
  kSlot,         // slot (only inside templates)
  kNot,          // !a0
  kNeg,          // -a0
  kAnd,          // a0 && a1 (short-circuit)
  kOr,           // a0 || a1 (short-circuit)
  kIf,           // if a0 then a1 else a2
  kEq,           // a0 == a1
  kNotEq,        // a0 != a1
  kLess,         // a0 < a1
  kLessEq,       // a0 <= a1
  kGreater,      // a0 > a1
  kGreaterEq,    // a0 >= a1
  kAdd,          // a0 + a1
  kSub,          // a0 - a1
  kMul,          // a0 * a1
  kIn,           // a0 in a1
  kContains,     // a0.contains(a1)
  kContainsAll,  // a0.containsAll(a1)
  kContainsAny,  // a0.containsAny(a1)
  kIsEmpty,      // a0.isEmpty()
  kGetTag,       // a0.getTag(a1)
  kHasTag,       // a0.hasTag(a1)
  kGetAttr,      // a0.name  or  a0["name"]
  kHasAttr,      // a0 has name   (paths `has a.b` are desugared by readers)
  kLike,         // a0 like pattern
  kIs,           // a0 is name [in a1]   (args.size() is 1 or 2)
  kSet,          // [args...]
  kRecord,       // {keys[i]: args[i]}
  kExtCall,      // name(args...); methods of extension types put the receiver
                 // first: a0.lessThan(a1) is {name "lessThan", args a0, a1}
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  SourceLoc loc;
  Value literal;                  // kLiteral
  Var var = Var::kPrincipal;      // kVar
  Slot slot = Slot::kPrincipal;   // kSlot
  std::string name;               // kGetAttr/kHasAttr attribute; kIs entity
                                  // type; kExtCall function or method name
  Pattern pattern;                // kLike
  std::vector<std::string> keys;  // kRecord, parallel to args
  std::vector<ExprPtr> args;      // operands, in source order
};

// Scope constraint on the principal or the resource.
struct EntityScope {
  enum class Op : uint8_t {
    kAny,   // principal
    kEq,    // principal == E
    kIn,    // principal in E
    kIs,    // principal is T
    kIsIn,  // principal is T in E
  };
  Op op = Op::kAny;
  // For kEq, kIn, kIsIn: the entity, or a slot when `slot` is set.
  std::optional<EntityUid> entity;
  std::optional<Slot> slot;
  std::string entity_type;  // kIs, kIsIn
};

// Scope constraint on the action.
struct ActionScope {
  enum class Op : uint8_t {
    kAny,    // action
    kEq,     // action == E          (entities.size() == 1)
    kIn,     // action in E          (entities.size() == 1)
    kInSet,  // action in [E1, ...]  (any size, including 0)
  };
  Op op = Op::kAny;
  std::vector<EntityUid> entities;
};

enum class Effect : uint8_t { kPermit, kForbid };

struct Condition {
  bool is_when = true;  // false: `unless`
  ExprPtr body;
};

// A static policy or a template (a template has slots in its scope).
struct Policy {
  std::string id;
  // Annotations in source order: @key("value"); `@key` alone has value "".
  std::vector<std::pair<std::string, std::string>> annotations;
  Effect effect = Effect::kPermit;
  EntityScope principal;
  ActionScope action;
  EntityScope resource;
  std::vector<Condition> conditions;
  SourceLoc loc;

  bool is_template() const {
    return principal.slot.has_value() || resource.slot.has_value();
  }
  // The annotation's value, or nullptr.
  const std::string* Annotation(std::string_view key) const {
    for (const auto& [k, v] : annotations)
      if (k == key) return &v;
    return nullptr;
  }
};

// A template filled in: each slot of the template bound to an entity.
struct TemplateLink {
  std::string id;                      // the new policy's id
  std::string template_id;             // the template it instantiates
  std::optional<EntityUid> principal;  // value of ?principal
  std::optional<EntityUid> resource;   // value of ?resource
};

// A set of policies, templates and links, as read from a file. Ids are
// unique across policies, templates and links.
struct PolicySet {
  std::vector<Policy> policies;   // static policies
  std::vector<Policy> templates;  // policies with slots
  std::vector<TemplateLink> links;

  // Static policies plus each link instantiated (slots replaced), in order:
  // policies first, then links. Fails if a link names a missing template or
  // leaves a slot unbound.
  Result<std::vector<Policy>> Instantiate() const;
};

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_AST_H_
