// The parser of Cedar policy text (Cedar 4.x, the language of cedar-wasm
// 4.13.0): policies, templates, expressions and entity uids.
//
//   Result<PolicySet> set = ParsePolicySet(R"(
//     @id("ban-ice")
//     forbid (principal in Agency::"ice", action, resource);
//     permit (principal, action == Action::"search", resource)
//     when { context.purpose like "case-*" };
//   )");
//   if (!set.ok()) { std::cerr << set.error().message() << "\n"; return; }
//   // set->policies[0].id == "policy0", set->policies[1].id == "policy1"
//
// It accepts exactly the text Cedar accepts and builds the AST of ast.h the
// way Cedar builds its own: `-5` is the literal -5 (so -9223372036854775808
// is legal) while `--5` is -(-5) and `-(5)` is -(5); `!!x` is !(!x); `e has
// a.b` is `e has a && e.a has b`; `action in [A::"x"]` keeps its list form.
// Unknown functions and methods are errors, and so are wrong argument counts
// of the built-in methods (contains, isEmpty, getTag, ...). Cedar does not
// check the argument count or the literal arguments of extension functions
// (`decimal("x", 1)`, `decimal("bad")`) until evaluation, and neither does
// this parser.
//
// Errors say where: "line 3, column 14: expected `)`, found `;`". Lines and
// columns are 1-based; columns count Unicode code points.
//
// Limits (never a stack overflow, whatever the input):
//  - kMaxPolicyTextBytes bytes of text; it must be valid UTF-8.
//  - kMaxNesting: parentheses, brackets, braces, if-then-else and call
//    arguments nest at most this deep.
//  - kMaxExpressionDepth: the built tree is at most this deep. A chain like
//    `a || b || ... ` counts one level per operator, since Cedar's tree for it
//    is left-deep. (cedar-wasm itself overflows its stack near 200 nested
//    parentheses or 1,000 chained `+`.)
//  - kMaxExpressionSize: the tree has at most this many nodes, counting a
//    shared subtree once for each place it is used (`e has a.b.c` uses `e`
//    three times). This bounds the work of evaluating or printing it.
// Everything that walks an Expr from this parser (evaluator, printer, JSON
// writer) may rely on the depth bound.
//
// Thread-safety: the functions are pure; call them from any thread.
#ifndef HAVEN_CEDAR_PARSER_H_
#define HAVEN_CEDAR_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cedar/ast.h"
#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

inline constexpr size_t kMaxPolicyTextBytes = size_t{64} << 20;
inline constexpr int kMaxNesting = 200;
inline constexpr int kMaxExpressionDepth = 1000;
inline constexpr uint64_t kMaxExpressionSize = uint64_t{1} << 24;

// ParsePolicySet parses a file of policies and templates. Each gets the id
// "policy<N>", N counting every policy and template in source order, as
// Cedar names them; policies go to `policies`, templates (policies with
// ?principal or ?resource in their scope) to `templates`. On failure the
// error's message holds every error found, one a line (the first one first).
Result<PolicySet> ParsePolicySet(std::string_view text);

// CheckPolicySet reports every error in a policy file (for `haven cedar
// check`), in source order. An error that leaves the text readable (an
// unknown variable, function or method, a reserved name, a bad escape, a
// duplicate key or annotation, a bad scope entity) does not stop the
// policy's parse; after a syntax error it skips to the next `;` and parses
// on. Empty when the text is a valid policy set. At most 1,000 errors.
std::vector<Error> CheckPolicySet(std::string_view text);

// ParsePolicy parses text holding exactly one policy or template; its id is
// "policy0".
Result<Policy> ParsePolicy(std::string_view text);

// ParseExpression parses one expression, e.g. `context.age >= 18`. Template
// slots are not allowed.
Result<ExprPtr> ParseExpression(std::string_view text);

// ParseEntityUid parses an entity reference, e.g. `NS::User::"alice"`.
Result<EntityUid> ParseEntityUid(std::string_view text);

// ParseName parses an entity type or namespace name, e.g. `NS::User`:
// identifiers joined by `::`, none of them reserved (true, if, in, ...) or
// `__cedar`. Returns it in normal form (no spaces).
Result<std::string> ParseName(std::string_view text);

// Whether `s` may be written as an attribute name without quotes
// (`e.name`, `{name: 1}`): an identifier that is not reserved.
bool IsUnquotedAttribute(std::string_view s);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_PARSER_H_
