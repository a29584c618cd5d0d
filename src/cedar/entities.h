// Entities and the store that holds them for authorization.
//
//   std::vector<Entity> list = ...;  // e.g. from ReadEntitiesJson
//   Result<EntityStore> store = EntityStore::Build(std::move(list));
//   if (store->In(user, agency)) { ... }
//
// An EntityStore is built once: it computes the transitive closure of the
// parent relation at build time, so that `in` is a lookup at request time.
// Parents may name entities that are not in the store; they still count as
// ancestors. Like the reference (cedar-wasm 4.13), Build refuses a cycle in
// the parent relation and two different entities with the same uid (an exact
// repeat of an entity is dropped). Thread-safety: immutable after Build; read
// from any number of threads.
#ifndef HAVEN_CEDAR_ENTITIES_H_
#define HAVEN_CEDAR_ENTITIES_H_

#include <cstdint>
#include <functional>
#include <new>
#include <span>
#include <string_view>
#include <vector>

#include "cedar/result.h"
#include "cedar/value.h"

namespace haven::cedar {

struct Entity {
  EntityUid uid;
  ValueRecord attrs;  // sorted by key
  std::vector<EntityUid> parents;
  ValueRecord tags;  // sorted by key
};

class EntityStore {
 public:
  EntityStore() = default;
  EntityStore(const EntityStore& other);
  EntityStore& operator=(const EntityStore& other);
  EntityStore(EntityStore&&) = default;  // entities keep their addresses
  EntityStore& operator=(EntityStore&&) = default;

  // Fails if a uid appears twice with different contents, or if the parent
  // relation has a cycle (as cedar-wasm does).
  static Result<EntityStore> Build(std::vector<Entity> entities);

  // The entity, or nullptr if the store does not hold it.
  const Entity* Find(const EntityUid& uid) const;

  // Cedar's `a in b` for two entity references: a == b, or b is an ancestor
  // of a (transitively).
  bool In(const EntityUid& a, const EntityUid& b) const;

  size_t size() const { return entities_.size(); }
  const std::vector<Entity>& entities() const { return entities_; }

  // Fast paths for the evaluator and authorizer, on interned ids: every uid
  // the store knows (an entity or a parent) has an id in [0, num_ids()).
  // The interned id of `uid`, or -1.
  int32_t Intern(const EntityUid& uid) const {
    return Intern(uid, EntityUidHash()(uid));
  }
  // The same, when the caller has `hash` == EntityUidHash()(uid) already.
  int32_t Intern(const EntityUid& uid, size_t hash) const;
  // Intern, asking at once for the first lines of the attributes of the
  // uid the first slot names (usually `uid`'s), before reading its record.
  int32_t InternAndPrefetch(const EntityUid& uid, size_t hash) const;
  size_t num_ids() const { return values_.size(); }
  const EntityUid& UidOf(int32_t id) const { return values_[id].AsEntity(); }
  // The entity with interned id `id`, or nullptr if only known as a parent.
  const Entity* EntityOf(int32_t id) const {
    int32_t i = recs_[id].entity_index;
    return i < 0 ? nullptr : &entities_[i];
  }
  // EntityUidHash of the uid with interned id `id`, computed at Build.
  size_t HashOf(int32_t id) const { return recs_[id].hash; }
  // Whether interned id `id` names `uid`: UidOf(id) == uid, compared in the
  // id's record (the cache line HashOf reads) when it holds the key.
  bool IsUid(int32_t id, const EntityUid& uid) const {
    const IdRec& r = recs_[id];
    if (!r.key_inline) return UidOf(id) == uid;
    const char* key = reinterpret_cast<const char*>(r.halves);
    return r.type_len == uid.type.size() && r.id_len == uid.id.size() &&
           BytesEqual(key, uid.type.data(), r.type_len) &&
           BytesEqual(key + r.type_len, uid.id.data(), r.id_len);
  }
  // A prebuilt Value::Entity for interned id `id`.
  const Value& ValueOf(int32_t id) const { return values_[id]; }
  // Sorted interned ids of every ancestor of `id` (not including `id`).
  std::span<const int32_t> AncestorsOf(int32_t id) const {
    const IdRec& r = recs_[id];
    return {anc_.data() + r.anc_begin, r.anc_end - r.anc_begin};
  }
  // `a in b` on interned ids.
  bool InIds(int32_t a, int32_t b) const;

  // Prefetching, so that a cold request's misses overlap instead of forming
  // a chain (each read below depends on the one before). PrefetchSlot(hash)
  // asks for the table slot Intern(uid, hash) probes first; Prefetch(id)
  // for what a decision reads about interned id `id`: its ancestors, its
  // attributes and the values they point at (strings, sets and their
  // elements), listed at Build. Neither changes anything observable.
  void PrefetchSlot(size_t hash) const {
    if (!table_.empty()) __builtin_prefetch(&table_[hash & mask_]);
  }
  void Prefetch(int32_t id) const {
    const IdRec& r = recs_[id];
    if (r.anc_end > r.anc_begin) __builtin_prefetch(&anc_[r.anc_begin]);
    for (uint32_t k = pf_at_[id]; k < pf_at_[id + 1]; ++k)
      __builtin_prefetch(pf_[k]);
  }

  // AttrNameHash(name): the 32-bit hash the store indexes attribute names
  // by. Callers that look one name up often (a compiled policy) compute it
  // once:
  //   uint32_t h = EntityStore::AttrNameHash("department");
  //   const Value* f;
  //   if (store.FindAttr(id, "department", h, &f) && f != nullptr) { ... }
  static uint32_t AttrNameHash(std::string_view name) {
    return static_cast<uint32_t>(HashBytes(name.data(), name.size(), 0));
  }
  // FindAttr(id, name, name_hash, &field): false if interned id `id` is not
  // an entity in the store; else true, with *field the entity's attribute
  // `name` (a Value in the store), or nullptr if it has none. `name_hash`
  // must be AttrNameHash(name). An absent name is usually rejected on the
  // hashes alone, without reading the record's keys.
  bool FindAttr(int32_t id, std::string_view name, uint32_t name_hash,
                const Value** field) const;

  // If `v` is one of the Values handed out by ValueOf, its id; else -1.
  int32_t IdOfValue(const Value* v) const {
    std::less<const Value*> lt;
    if (values_.empty() || lt(v, values_.data()) ||
        !lt(v, values_.data() + values_.size()))
      return -1;
    return static_cast<int32_t>(v - values_.data());
  }

 private:
  // What a request reads about an interned id, in one cache line: the
  // probe's hash and key, the ancestors' range, where the entity is, and
  // its attribute names' hashes (inline when the key and the hashes fit).
  // Invariant: recs_ is 64-byte aligned (alignas), so that a record never
  // straddles two lines.
  struct alignas(64) IdRec {
    uint64_t hash = 0;  // EntityUidHash of the uid
    // The entity's attributes (entities_[entity_index].attrs.data()), so
    // that reading one skips the Entity; copies of the store relink it.
    const RecordField* attrs = nullptr;
    uint32_t anc_begin = 0;  // ancestors: anc_[anc_begin .. anc_end)
    uint32_t anc_end = 0;
    int32_t entity_index = -1;  // index in entities_, or -1
    uint32_t attr_count = 0;
    // When the attribute-name hashes are not inline: their block in
    // attr_index_; else -1.
    int32_t attr_at = -1;
    // When key_inline: `halves` starts with the uid's type then its id
    // (type_len and id_len bytes); else the uid is compared through
    // values_.
    uint8_t type_len = 0;
    uint8_t id_len = 0;
    bool key_inline = false;
    // Inline attribute-name hashes, their low 16 bits: halves[attr_half ..]
    // [0 .. attr_count), when attr_half > 0.
    uint8_t attr_half = 0;
    uint16_t halves[12] = {};
  };
  static_assert(sizeof(IdRec) == 64);

  // Points each IdRec's `attrs` into this store's entities_, and lists the
  // lines Prefetch asks for (pf_at_, pf_).
  void LinkAttrs();
  // Inserts `uid` if new (Build only); `hash` is EntityUidHash()(uid).
  int32_t InternNew(const EntityUid& uid, size_t hash);

  // An allocator of 64-byte-aligned storage, for attr_index_.
  template <typename T>
  struct LineAligned {
    using value_type = T;
    LineAligned() = default;
    template <typename U>
    LineAligned(const LineAligned<U>&) {}
    T* allocate(size_t n) {
      return static_cast<T*>(
          ::operator new(n * sizeof(T), std::align_val_t(64)));
    }
    void deallocate(T* p, size_t) {
      ::operator delete(p, std::align_val_t(64));
    }
    friend bool operator==(const LineAligned&, const LineAligned&) {
      return true;
    }
  };

  std::vector<Entity> entities_;
  // Open-addressing table of interned ids (id -1: free), probed from
  // hash & mask_, each with its entity's attributes (recs_[id].attrs).
  struct Slot {
    int32_t id = -1;
    uint32_t attr_bytes = 0;
    const RecordField* attrs = nullptr;
  };
  std::vector<Slot> table_;
  size_t mask_ = 0;
  std::vector<IdRec> recs_;    // interned id -> its record
  std::vector<Value> values_;  // interned id -> Value::Entity of its uid
  // Ancestors, sorted, in the ranges recs_ gives. Only entities in the store
  // have ancestors.
  std::vector<int32_t> anc_;
  // Attribute-name index, so that a lookup reads one short array and not the
  // record's keys: the AttrNameHash of each of an entity's attributes, in
  // the record's order, in its IdRec when they fit (the low 16 bits); else
  // a block here of attr_count words at its attr_at. Invariant: a block of
  // at most 16 words never straddles a 64-byte line (padding between
  // blocks; the storage is line-aligned).
  std::vector<uint32_t, LineAligned<uint32_t>> attr_index_;
  // For Prefetch: interned id -> the addresses pf_[pf_at_[id] ..
  // pf_at_[id + 1]), one per cache line, at most kMaxPrefetch per entity.
  static constexpr size_t kMaxPrefetch = 16;
  std::vector<uint32_t> pf_at_;
  std::vector<const void*> pf_;
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
