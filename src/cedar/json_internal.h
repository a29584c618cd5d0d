// Internal helpers shared by the JSON readers and writers (json_value.cc,
// entities_json.cc, policy_json.cc). Not part of the cedar library's API.
//
// Readers parse with a simdjson DOM parser owned by the calling thread, then
// walk the DOM. The walk tracks its position as a chain of JsonPath nodes on
// the stack, so that a path costs nothing until an error needs it.
#ifndef HAVEN_CEDAR_JSON_INTERNAL_H_
#define HAVEN_CEDAR_JSON_INTERNAL_H_

#include <simdjson.h>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

#include "cedar/json_value.h"
#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar::json_internal {

using Element = simdjson::dom::element;
using Object = simdjson::dom::object;
using Array = simdjson::dom::array;

// One step of a path from the document root: an object key or array index.
// Lives on the stack of the recursive walk; `parent` is null at the root.
struct JsonPath {
  const JsonPath* parent = nullptr;
  std::string_view key;
  size_t index = 0;
  bool is_index = false;

  JsonPath Key(std::string_view k) const { return {this, k, 0, false}; }
  JsonPath Index(size_t i) const { return {this, {}, i, true}; }
};

// RFC 6901 JSON Pointer of `path` ("" for the root).
std::string PointerOf(const JsonPath* path);
// "at /a/0: message" ("at top level: message" for the root).
Error ErrorAt(const JsonPath& path, std::string_view message);

// Parses `json` with this thread's parser. The element stays valid until the
// thread's next ParseJson call.
Result<Element> ParseJson(std::string_view json, const JsonLimits& limits);

// A short description of a JSON element for messages: `1.5`, `"abc"`, a
// JSON object, ...
std::string Describe(Element e);
// The JSON type name: "null", "a boolean", "a string", "an array", ...
const char* TypeName(Element e);

// Fails on a repeated key in `obj` (not nested).
Status CheckNoDuplicateKeys(Object obj, const JsonPath& path);

// Fails if any key of `obj` is not in `allowed`:
// "unknown field `x`, expected one of `a`, `b`".
Status CheckKnownKeys(Object obj,
                      std::initializer_list<std::string_view> allowed,
                      const JsonPath& path);

// Fails unless `name` is a normalized Cedar name (see IsValidCedarName);
// `what` names the thing for the message ("entity type").
Status CheckCedarName(std::string_view name, std::string_view what,
                      const JsonPath& path);
// Fails unless `id` is a Cedar identifier (reserved words allowed), as
// annotation keys must be.
Status CheckAnyId(std::string_view id, std::string_view what,
                  const JsonPath& path);

// Reads a value (CedarValueJson, schema-less), evaluating extension escapes.
Result<Value> ReadValue(Element e, const JsonPath& path);
// Reads an entity reference: {"type","id"} or {"__entity": {"type","id"}}.
// `what` names the field for messages ("uid", "parent", ...).
Result<EntityUid> ReadUid(Element e, const JsonPath& path);
// Checks that `e` is a value Cedar's deserializer would accept structurally
// (no floats, no out-of-range integers, no duplicate keys), for parts of an
// escape that Cedar parses but then ignores.
Status CheckRaw(Element e, const JsonPath& path);

// Recognizes the single-key escape objects. Each returns false when `obj`
// is not that escape (and so is an ordinary record).
// {"__entity": {"type": <string>, "id": <string>, ...}}
bool IsEntityEscape(Object obj, Element* body);
// {"__extn": {"fn": <string>, "arg": v, ...}} or {..., "args": [..]}
bool IsExtnEscape(Object obj, std::string_view* fn, Element* arg, Array* args,
                  bool* multi);
// {"__expr": <string>}
bool IsExprEscape(Object obj);

// Writers.
void AppendInt(int64_t n, std::string* out);
// Extension value (decimal, ipaddr, datetime, duration) as the body of an
// `__extn` escape: {"fn": ..., "arg": ...} or {"fn": ..., "args": [...]}.
void AppendExtnBody(const Value& v, std::string* out);

}  // namespace haven::cedar::json_internal

#endif  // HAVEN_CEDAR_JSON_INTERNAL_H_
