// Entities and the store that holds them for authorization.
//
//   std::vector<Entity> list = ...;  // e.g. from ReadEntitiesJson
//   Result<EntityStore> store = EntityStore::Build(std::move(list));
//   if (store->In(user, agency)) { ... }
//
// An EntityStore is built once: it computes the transitive closure of the
// parent relation at build time, so that `in` is a lookup at request time.
// Parents may name entities that are not in the store; they still count as
// ancestors. Thread-safety: immutable after Build; read from any number of
// threads.
#ifndef HAVEN_CEDAR_ENTITIES_H_
#define HAVEN_CEDAR_ENTITIES_H_

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

struct Entity {
  EntityUid uid;
  ValueRecord attrs;  // sorted by key
  std::vector<EntityUid> parents;
  ValueRecord tags;   // sorted by key
};

class EntityStore {
 public:
  EntityStore() = default;

  // Fails if a uid appears twice. Cycles in the parent relation are allowed
  // (Cedar does not forbid them without a schema); the closure handles them.
  static Result<EntityStore> Build(std::vector<Entity> entities);

  // The entity, or nullptr if the store does not hold it.
  const Entity* Find(const EntityUid& uid) const;

  // Cedar's `a in b` for two entity references: a == b, or b is an ancestor
  // of a (transitively).
  bool In(const EntityUid& a, const EntityUid& b) const;

  size_t size() const { return entities_.size(); }
  const std::vector<Entity>& entities() const { return entities_; }

 private:
  // Interned id of a uid known to the store (an entity or a parent), or -1.
  int32_t Intern(const EntityUid& uid) const;

  std::vector<Entity> entities_;
  std::unordered_map<EntityUid, int32_t, EntityUidHash> ids_;
  // ancestors_[i]: sorted interned ids of every ancestor of interned id i
  // (only entities in the store have ancestors).
  std::vector<std::vector<int32_t>> ancestors_;
  std::vector<int32_t> entity_index_;  // interned id -> index in entities_, or -1
};

// One authorization request.
struct Request {
  EntityUid principal;
  EntityUid action;
  EntityUid resource;
  Value context = Value::Record({});  // a record
};

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_ENTITIES_H_
