// Cedar's JSON policy format (the "EST"), read and written: single policies
// and templates, and policy sets with template links.
//
//   Result<Policy> p = ReadPolicyJson(R"({
//       "effect": "permit",
//       "principal": {"op": "==", "entity": {"type": "User", "id": "alice"}},
//       "action": {"op": "All"}, "resource": {"op": "All"},
//       "conditions": [{"kind": "when", "body": {"Value": true}}]})");
//   std::string json = WritePolicyJson(*p);
//
// The format is documented at docs.cedarpolicy.com, "JSON policy format";
// the rules here follow cedar-policy-core's est/*.rs at the language version
// of cedar-wasm 4.13:
//   - A policy has "effect", "principal", "action", "resource", "conditions"
//     and optionally "annotations" (values are strings; null means `@key`
//     with no value); any other key is an error.
//   - Scopes: {"op": "All"} (or "all"), {"op": "==" | "in", "entity": uid}
//     or {"op": "==" | "in", "slot": "?principal"}, {"op": "is",
//     "entity_type": T, "in": {"entity": uid} | {"slot": ...}}; actions take
//     "==" with "entity", or "in" with "entity" or "entities": [...], and
//     every action uid must have type `Action` (or `NS::Action`).
//   - Expressions are objects with exactly one key: an operator ("==", "!=",
//     "in", "<", "<=", ">", ">=", "&&", "||", "+", "-", "*", "contains",
//     "containsAll", "containsAny", "getTag", "hasTag" with "left"/"right";
//     "!", "neg", "isEmpty" with "arg"; "." and "has" with "left"/"attr",
//     where "has" may give a path ["a", "b"]; "like" with "pattern" of
//     "Wildcard" and {"Literal": s}; "is" with "entity_type" and optional
//     "in"; "if-then-else"), "Value", "Var", "Slot", "Set", "Record", or the
//     name of an extension function mapped to its arguments (a method's
//     receiver first). Unknown keys inside an operator are errors.
//   - "Value" holds a value in the JSON of json_value.h; its `__extn`
//     escapes become calls evaluated with the policy (so a bad argument is
//     an evaluation error, as in Cedar), and its sets and records become
//     set and record expressions.
// `has` paths are desugared: `e has a.b` reads as `e has a && e.a has b`.
// Template slots may appear only in the principal and resource scopes.
//
// Errors give a JSON Pointer into the document, e.g.
//   "at /conditions/0/body/==: missing field `right`".
//
// Thread-safety: all functions are thread-safe.
#ifndef HAVEN_CEDAR_POLICY_JSON_H_
#define HAVEN_CEDAR_POLICY_JSON_H_

#include <string>
#include <string_view>

#include "cedar/ast.h"
#include "cedar/json_value.h"
#include "cedar/result.h"

namespace haven::cedar {

// Policies nest deeper than values: every expression level is two JSON
// levels, so 2048 admits expressions as deep as the text parser allows
// (kMaxExpressionDepth, 1000), which the reader also enforces on the tree it
// builds (`has` paths included).
inline constexpr JsonLimits kPolicyJsonLimits{size_t{1} << 30, 2048};

// ReadPolicyJson parses one policy or template (a template has slots in its
// scope). The result's id is empty; callers name it.
Result<Policy> ReadPolicyJson(std::string_view json,
                              const JsonLimits& limits = kPolicyJsonLimits);

// WritePolicyJson prints a policy or template as one compact JSON object,
// keys in the order effect, principal, action, resource, conditions,
// annotations (omitted when there are none).
std::string WritePolicyJson(const Policy& policy);

// ReadPolicySetJson parses
//   {"staticPolicies": {id: policy, ...},
//    "templates": {id: template, ...},
//    "templateLinks": [{"templateId": t, "newId": id,
//                       "values": {"?principal": uid, "?resource": uid}}]}
// Each key is optional. Fails on an unknown key, a static policy with slots,
// a template without slots, an id used twice (across all three), a link to
// a missing template, or a link whose values do not bind exactly the
// template's slots. Policies and templates keep their order in the file.
Result<PolicySet> ReadPolicySetJson(
    std::string_view json, const JsonLimits& limits = kPolicyJsonLimits);

// WritePolicySetJson prints a policy set in the form above, compactly.
std::string WritePolicySetJson(const PolicySet& set);

// ReadExprJson / WriteExprJson: one expression in the format above.
Result<ExprPtr> ReadExprJson(std::string_view json,
                             const JsonLimits& limits = kPolicyJsonLimits);
std::string WriteExprJson(const Expr& expr);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_POLICY_JSON_H_
