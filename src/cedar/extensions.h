// Cedar's extension types: decimal, ipaddr, datetime and duration — their
// constructors from strings and every function and method on them.
// Source of the rules: docs.cedarpolicy.com, "Extension functions" and the
// Cedar 4.x datetime RFC, at the language version of cedar-wasm 4.13.0.
//
// Pure functions of their arguments; thread-safe.
#ifndef HAVEN_CEDAR_EXTENSIONS_H_
#define HAVEN_CEDAR_EXTENSIONS_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

// decimal("12.3456"): up to 4 fractional digits, at least one on each side
// of the point, within the range of a 64-bit integer scaled by 10^4.
Result<Value> ParseDecimal(std::string_view text);
// ip("10.0.0.1"), ip("10.0.0.0/8"), ip("::1/128").
Result<Value> ParseIp(std::string_view text);
// datetime("2024-10-15"), datetime("2024-10-15T11:38:02Z"), with optional
// .sss milliseconds and a +hhmm / -hhmm offset instead of Z.
Result<Value> ParseDatetime(std::string_view text);
// duration("1d2h3m4s5ms"), optionally negative ("-1h").
Result<Value> ParseDuration(std::string_view text);

// Whether `name` is an extension function or method Cedar knows, and how
// many arguments it takes (for a method, counting the receiver).
// Returns -1 for an unknown name.
int ExtensionArity(std::string_view name);
// Whether `name` is called as a function (decimal, ip, datetime, duration)
// rather than as a method (a.lessThan(b)).
bool IsExtensionConstructor(std::string_view name);

// Calls extension function or method `name` on evaluated arguments (the
// receiver first for a method). The error says what was wrong, e.g.
// "decimal: `1.23456` has too many fractional digits".
Result<Value> CallExtension(std::string_view name, std::span<const Value> args);

// The same, resolved once: the evaluator looks a name up when it compiles a
// policy and calls by id at request time.
enum class ExtensionFn : uint8_t {
  kUnknown,
  kDecimal,
  kIp,
  kDatetime,
  kDuration,
  kLessThan,
  kLessThanOrEqual,
  kGreaterThan,
  kGreaterThanOrEqual,
  kIsIpv4,
  kIsIpv6,
  kIsLoopback,
  kIsMulticast,
  kIsInRange,
  kOffset,
  kDurationSince,
  kToDate,
  kToTime,
  kToMilliseconds,
  kToSeconds,
  kToMinutes,
  kToHours,
  kToDays,
};
// kUnknown for a name Cedar does not know.
ExtensionFn FindExtension(std::string_view name);
// Requires fn != kUnknown. Checks the argument count and types.
Result<Value> CallExtension(ExtensionFn fn, std::span<const Value> args);

// TryBoolExtension: the fast path for the functions whose result is a
// boolean (isInRange, isLoopback, lessThan, ...). When `fn` is one of them,
// `args` has its arity and the arguments have the right types, sets *result
// to what CallExtension would return and returns true; otherwise returns
// false and leaves the call (and any error message) to CallExtension.
bool TryBoolExtension(ExtensionFn fn, std::span<const Value* const> args,
                      bool* result);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_EXTENSIONS_H_
