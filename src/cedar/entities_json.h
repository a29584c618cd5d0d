// Entities in Cedar's JSON form, read without a schema exactly as Cedar 4.x
// reads them, and written back.
//
//   Result<std::vector<Entity>> list = ReadEntitiesJson(text);
//   if (!list.ok()) { std::cerr << list.error().message() << "\n"; }
//   Result<EntityStore> store = EntityStore::Build(std::move(*list));
//
// The form (docs.cedarpolicy.com, "Entities & context syntax") is an array of
//   {"uid": {"type": "User", "id": "alice"},
//    "attrs": {"age": 30, "home": {"__entity": {"type": "City", "id": "c"}}},
//    "parents": [{"type": "Group", "id": "staff"}],
//    "tags": {"clearance": "secret"}}
// "uid", "attrs" and "parents" are required and "tags" optional, as in
// cedar-wasm 4.13; other keys are ignored, as Cedar ignores them. A uid or
// parent may also be written {"__entity": {"type": ..., "id": ...}}.
// Attribute and tag values follow json_value.h (extension escapes are
// evaluated here). Duplicate keys are errors at any depth. Repeated uids and
// cycles are left to EntityStore::Build, as Cedar checks them there.
//
// Errors name the place as a JSON Pointer, e.g.
//   "at /3/attrs/age: found `null`; JSON nulls are not allowed in Cedar".
//
// Thread-safety: all functions are thread-safe.
#ifndef HAVEN_CEDAR_ENTITIES_JSON_H_
#define HAVEN_CEDAR_ENTITIES_JSON_H_

#include <string>
#include <string_view>
#include <vector>

#include "cedar/entities.h"
#include "cedar/json_value.h"
#include "cedar/result.h"

namespace haven::cedar {

// ReadEntitiesJson parses an entities file: a JSON array of entity objects.
// Each entity's attrs and tags come back sorted by key; parents keep their
// order (repeats included).
Result<std::vector<Entity>> ReadEntitiesJson(
    std::string_view json, const JsonLimits& limits = kValueJsonLimits);

// WriteEntitiesJson prints entities in the same form, compactly, one entity
// after another in the order given; "tags" is written only when non-empty.
std::string WriteEntitiesJson(const std::vector<Entity>& entities);

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_ENTITIES_JSON_H_
