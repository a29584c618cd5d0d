// Cedar values, entity uids, contexts and requests in Cedar's JSON form, read
// without a schema exactly as Cedar 4.x reads them, and written back.
//
//   Result<Value> ctx = ReadContextJson(R"({"ip": {"__extn": {"fn": "ip",
//                                          "arg": "10.0.0.1"}}})");
//   if (!ctx.ok()) { std::cerr << ctx.error().message() << "\n"; }
//   std::string json = WriteValueJson(*ctx);
//
// The JSON form (docs.cedarpolicy.com, "Entities & context syntax"):
//   true/false -> bool;  an integer -> long;  "s" -> string;
//   [..] -> set;  {..} -> record;
//   {"__entity": {"type": "NS::T", "id": "x"}} -> entity reference;
//   {"__extn": {"fn": "decimal", "arg": "1.5"}} -> extension value, also
//   {"__extn": {"fn": "offset", "args": [a, b]}} for several arguments; the
//   call is evaluated when read, so a bad argument is an error here.
// As in Cedar, an escape only counts when the object has that single key and
// its body has the needed fields (other fields of the body are ignored);
// otherwise the object is an ordinary record. `null`, numbers with a fraction
// or exponent, integers outside the signed 64-bit range, duplicate keys (at
// any depth) and the retired `__expr` escape are errors. One difference from
// Cedar's serde_json: "-0" reads as 0, as it does through cedar-wasm.
//
// Errors say where, as a JSON Pointer (RFC 6901) into the document:
//   "at /3/attrs/age: expected an integer in the signed 64-bit range, found
//   18446744073709551615". The document's root is written "at top level".
// Syntax errors (which simdjson reports without a position) read
// "invalid JSON: <reason>".
//
// Limits: every reader takes a JsonLimits; input over max_bytes or nested
// deeper than max_depth is refused with an error, never a stack overflow.
//
// Thread-safety: all functions are thread-safe; each thread reuses its own
// parser buffers.
#ifndef HAVEN_CEDAR_JSON_VALUE_H_
#define HAVEN_CEDAR_JSON_VALUE_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "cedar/entities.h"
#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

// Bounds on what a JSON reader accepts.
struct JsonLimits {
  // Largest input, in bytes.
  size_t max_bytes = size_t{1} << 30;
  // Deepest nesting of arrays and objects; the root container is level 1.
  size_t max_depth = 128;
};

// Default limits for values, contexts, entities and requests.
inline constexpr JsonLimits kValueJsonLimits{};

// ReadValueJson parses one Cedar value in JSON form, e.g. `[1, "a"]` or
// `{"__entity": {"type": "User", "id": "alice"}}`.
Result<Value> ReadValueJson(std::string_view json,
                            const JsonLimits& limits = kValueJsonLimits);

// ReadContextJson parses a request context: a value that must be a record,
// e.g. `{"purpose": "warrant", "flags": [1, 2]}`.
Result<Value> ReadContextJson(std::string_view json,
                              const JsonLimits& limits = kValueJsonLimits);

// ReadEntityUidJson parses an entity reference written either way Cedar
// accepts: `{"type": "User", "id": "alice"}` or
// `{"__entity": {"type": "User", "id": "alice"}}`. The type must be a valid,
// normalized Cedar name (`NS::Type`; no spaces, no reserved words).
Result<EntityUid> ReadEntityUidJson(
    std::string_view json, const JsonLimits& limits = kValueJsonLimits);

// ReadRequestJson parses one request line of `haven cedar authorize`:
//   {"principal": {"type": "User", "id": "alice"},
//    "action": {"type": "Action", "id": "search"},
//    "resource": {"type": "Dataset", "id": "persons"},
//    "context": {"purpose": "warrant"}}
// principal, action and resource are required; context is optional (an
// empty record when absent). Other keys are errors.
Result<Request> ReadRequestJson(std::string_view json,
                                const JsonLimits& limits = kValueJsonLimits);

// WriteValueJson prints `v` in Cedar's JSON form, compactly: entity
// references as {"__entity": ...}, extension values as {"__extn": {"fn": ...,
// "arg": ...}}, a datetime as its ISO 8601 text (or, outside years
// 0000-9999, as an `offset` from the epoch), records with keys sorted.
// ReadValueJson(WriteValueJson(v)) == v for every value, except a record
// whose only key is "__entity" or "__extn" (Cedar itself refuses to write
// those; here they are written and read back as escapes).
std::string WriteValueJson(const Value& v);
// Appends WriteValueJson(v) to *out.
void AppendValueJson(const Value& v, std::string* out);

// WriteEntityUidJson prints {"type": ..., "id": ...}.
std::string WriteEntityUidJson(const EntityUid& uid);
void AppendEntityUidJson(const EntityUid& uid, std::string* out);

// JsonQuote returns `s` as a JSON string literal: quotes, with `"`, `\` and
// control characters escaped (\n, \t, ..., \u001f). Bytes that are not valid
// UTF-8 become U+FFFD, so that the output is always valid JSON.
std::string JsonQuote(std::string_view s);
// Appends JsonQuote(s) to *out.
void AppendJsonString(std::string_view s, std::string* out);

// IndentJson re-lays out compact JSON (as the writers here produce) for
// people: one member or element a line, nested `indent` spaces deeper,
// `"key": value` with a space, empty arrays and objects kept as [] and {}.
// Only whitespace changes; the input is assumed to be valid JSON.
//   IndentJson(R"({"a":[1,2],"b":{}})") ==
//       "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"
std::string IndentJson(std::string_view json, int indent = 2);

// IsValidCedarName reports whether `name` is a normalized Cedar name, as
// entity types and extension function names must be: identifiers
// ([_A-Za-z][_A-Za-z0-9]*) joined by "::", none of them a reserved word
// (true, false, if, then, else, in, is, like, has) nor `__cedar`.
bool IsValidCedarName(std::string_view name);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_JSON_VALUE_H_
