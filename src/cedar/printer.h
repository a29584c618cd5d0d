// The printer of Cedar policy text: the inverse of parser.h, used by
// `haven cedar format`.
//
//   Result<PolicySet> set = ParsePolicySet(text);
//   std::string pretty = FormatPolicySet(*set);
//   // ParsePolicySet(pretty) gives a policy set equal to *set (PolicyEquals).
//
// The output is canonical: one scope element a line, one condition a line,
// single spaces around binary operators, and only the parentheses the
// parser needs to rebuild the same tree (Cedar's precedence, its rule that
// relational operators do not chain, and its folding of `-` into integer
// literals). Strings are escaped with QuoteString (value.h) so that they
// read back the same.
//
// Pure functions; thread-safe.
#ifndef HAVEN_CEDAR_PRINTER_H_
#define HAVEN_CEDAR_PRINTER_H_

#include <string>
#include <string_view>

#include "cedar/ast.h"

namespace haven::cedar {

// FormatPolicy prints one policy or template, annotations first, ending in
// ";\n". Example:
//   @id("ban-ice")
//   forbid (
//     principal in Agency::"ice",
//     action,
//     resource
//   );
std::string FormatPolicy(const Policy& policy);

// FormatPolicySet prints static policies then templates, a blank line
// between policies. Template links have no text form and are not printed.
std::string FormatPolicySet(const PolicySet& set);

// FormatExpr prints one expression, e.g. `context.age >= 18 && !(a || b)`.
std::string FormatExpr(const Expr& expr);

// Structural equality of expressions and policies, ignoring source
// locations (and policy ids for PolicyEquals when `compare_ids` is false).
bool ExprEquals(const Expr& a, const Expr& b);
bool PolicyEquals(const Policy& a, const Policy& b, bool compare_ids = true);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_PRINTER_H_
