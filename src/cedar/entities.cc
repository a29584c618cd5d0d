// EntityStore: interning of uids and the transitive closure of the parent
// relation, computed once so that `in` is a binary search at request time.

#include "cedar/entities.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace haven::cedar {
namespace {

std::vector<EntityUid> SortedParents(const Entity& e) {
  std::vector<EntityUid> p = e.parents;
  std::sort(p.begin(), p.end());
  p.erase(std::unique(p.begin(), p.end()), p.end());
  return p;
}

// Cedar compares entities as (uid, attrs, set of parents, tags).
bool SameEntity(const Entity& a, const Entity& b) {
  if (a.uid != b.uid || a.attrs.size() != b.attrs.size() ||
      a.tags.size() != b.tags.size())
    return false;
  for (size_t i = 0; i < a.attrs.size(); ++i)
    if (a.attrs[i].first != b.attrs[i].first ||
        a.attrs[i].second != b.attrs[i].second)
      return false;
  for (size_t i = 0; i < a.tags.size(); ++i)
    if (a.tags[i].first != b.tags[i].first ||
        a.tags[i].second != b.tags[i].second)
      return false;
  return SortedParents(a) == SortedParents(b);
}

// Whether `type` names an action type: its last component is `Action`.
bool IsActionType(const std::string& type) {
  constexpr std::string_view kAction = "Action";
  if (type.size() < kAction.size()) return false;
  std::string_view tail(type.data() + type.size() - kAction.size(),
                        kAction.size());
  if (tail != kAction) return false;
  return type.size() == kAction.size() ||
         (type.size() >= kAction.size() + 2 &&
          type.compare(type.size() - kAction.size() - 2, 2, "::") == 0);
}

}  // namespace

int32_t EntityStore::InternNew(const EntityUid& uid, size_t hash) {
  for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
    int32_t id = table_[at].id;
    if (id < 0) {
      id = static_cast<int32_t>(values_.size());
      table_[at].id = id;
      values_.push_back(Value::Entity(uid));
      IdRec& r = recs_.emplace_back();
      r.hash = hash;
      if (uid.type.size() + uid.id.size() <= sizeof(r.halves)) {
        r.key_inline = true;
        r.type_len = static_cast<uint8_t>(uid.type.size());
        r.id_len = static_cast<uint8_t>(uid.id.size());
        char* key = reinterpret_cast<char*>(r.halves);
        std::memcpy(key, uid.type.data(), uid.type.size());
        std::memcpy(key + uid.type.size(), uid.id.data(), uid.id.size());
      }
      return id;
    }
    if (recs_[id].hash == hash && IsUid(id, uid)) return id;
  }
}

Result<EntityStore> EntityStore::Build(std::vector<Entity> entities) {
  EntityStore s;
  // The table holds every uid named (entities and parents) at most half full.
  size_t named = entities.size();
  for (const Entity& e : entities) named += e.parents.size();
  size_t cap = 8;
  while (cap < named * 2) cap *= 2;
  s.table_.assign(cap, Slot{});
  s.mask_ = cap - 1;
  s.entities_.reserve(entities.size());
  s.values_.reserve(named);
  s.recs_.reserve(named);
  auto intern = [&s](const EntityUid& uid) {
    return s.InternNew(uid, EntityUidHash()(uid));
  };

  auto by_key = [](const RecordField& a, const RecordField& b) {
    return a.first < b.first;
  };
  for (Entity& e : entities) {
    // Lookups binary-search attributes and tags; make sure they are sorted.
    if (!std::is_sorted(e.attrs.begin(), e.attrs.end(), by_key))
      std::stable_sort(e.attrs.begin(), e.attrs.end(), by_key);
    if (!std::is_sorted(e.tags.begin(), e.tags.end(), by_key))
      std::stable_sort(e.tags.begin(), e.tags.end(), by_key);
    // The reference refuses an action whose parent is not an action.
    if (IsActionType(e.uid.type)) {
      for (const EntityUid& p : e.parents) {
        if (!IsActionType(p.type)) {
          return Error("action `" + e.uid.ToString() +
                       "` has a non-action parent `" + p.ToString() + "`");
        }
      }
    }
    int32_t id = intern(e.uid);
    int32_t existing = s.recs_[id].entity_index;
    if (existing >= 0) {
      // An exact repeat is harmless; a different entity with the same uid is
      // an error ("duplicate entity entry" in the reference).
      if (SameEntity(s.entities_[existing], e)) continue;
      return Error("duplicate entity entry `" + e.uid.ToString() + "`");
    }
    s.recs_[id].entity_index = static_cast<int32_t>(s.entities_.size());
    s.entities_.push_back(std::move(e));
  }

  // Direct parents by interned id, flat: par[par_begin[i] .. par_begin[i+1]).
  for (const Entity& e : s.entities_)
    for (const EntityUid& p : e.parents) intern(p);
  const size_t n = s.values_.size();
  std::vector<uint32_t> par_begin(n + 1, 0);
  std::vector<int32_t> par;
  for (size_t id = 0; id < n; ++id) {
    par_begin[id] = static_cast<uint32_t>(par.size());
    int32_t ei = s.recs_[id].entity_index;
    if (ei >= 0)
      for (const EntityUid& p : s.entities_[ei].parents)
        par.push_back(s.Intern(p));
  }
  par_begin[n] = static_cast<uint32_t>(par.size());

  // Closure: a depth-first search from each entity. A node reached again
  // from itself is a cycle, which the reference refuses.
  std::vector<uint32_t> seen(n, 0);
  uint32_t epoch = 0;
  std::vector<int32_t> stack;
  for (size_t start = 0; start < n; ++start) {
    s.recs_[start].anc_begin = static_cast<uint32_t>(s.anc_.size());
    s.recs_[start].anc_end = s.recs_[start].anc_begin;
    if (par_begin[start] == par_begin[start + 1]) continue;
    ++epoch;
    stack.assign(par.begin() + par_begin[start],
                 par.begin() + par_begin[start + 1]);
    while (!stack.empty()) {
      int32_t v = stack.back();
      stack.pop_back();
      if (seen[v] == epoch) continue;
      seen[v] = epoch;
      if (static_cast<size_t>(v) == start) {
        return Error(
            "transitive closure computation/enforcement error: input graph "
            "has a cycle containing vertex `" +
            s.UidOf(v).ToString() + "`");
      }
      s.anc_.push_back(v);
      for (uint32_t k = par_begin[v]; k < par_begin[v + 1]; ++k)
        if (seen[par[k]] != epoch) stack.push_back(par[k]);
    }
    std::sort(s.anc_.begin() + s.recs_[start].anc_begin, s.anc_.end());
    s.recs_[start].anc_end = static_cast<uint32_t>(s.anc_.size());
  }

  // Attribute-name index (see attr_index_), in entity order. A block that
  // would straddle a line starts on the next one instead.
  constexpr size_t kLineWords = 64 / sizeof(uint32_t);
  constexpr size_t kRecHalves = sizeof(IdRec::halves) / sizeof(uint16_t);
  for (size_t id = 0; id < n; ++id) {
    IdRec& r = s.recs_[id];
    if (r.entity_index < 0) continue;
    const ValueRecord& attrs = s.entities_[r.entity_index].attrs;
    r.attr_count = static_cast<uint32_t>(attrs.size());
    // Inline after the key's halves, if any; half 0 is never used, so that
    // attr_half > 0 means inline.
    const size_t first = std::max<size_t>(
        1, r.key_inline ? (r.type_len + r.id_len + 1) / 2 : kRecHalves);
    if (first + attrs.size() <= kRecHalves) {
      r.attr_half = static_cast<uint8_t>(first);
      for (size_t i = 0; i < attrs.size(); ++i)
        r.halves[first + i] =
            static_cast<uint16_t>(AttrNameHash(attrs[i].first));
      continue;
    }
    const size_t len = attrs.size();
    const size_t in_line = s.attr_index_.size() % kLineWords;
    if (len <= kLineWords && in_line + len > kLineWords)
      s.attr_index_.resize(s.attr_index_.size() + kLineWords - in_line, 0);
    r.attr_at = static_cast<int32_t>(s.attr_index_.size());
    for (const RecordField& f : attrs)
      s.attr_index_.push_back(AttrNameHash(f.first));
  }
  s.LinkAttrs();
  return s;
}

int32_t EntityStore::Intern(const EntityUid& uid, size_t hash) const {
  if (table_.empty()) return -1;
  for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
    int32_t id = table_[at].id;
    if (id < 0) return -1;
    if (recs_[id].hash == hash && IsUid(id, uid)) return id;
  }
}

int32_t EntityStore::InternAndPrefetch(const EntityUid& uid,
                                       size_t hash) const {
  if (table_.empty()) return -1;
  const Slot& first = table_[hash & mask_];
  const char* a = reinterpret_cast<const char*>(first.attrs);
  for (uint32_t off = 0; off < first.attr_bytes && off < 256; off += 64)
    __builtin_prefetch(a + off);
  return Intern(uid, hash);
}

const Entity* EntityStore::Find(const EntityUid& uid) const {
  int32_t id = Intern(uid);
  return id < 0 ? nullptr : EntityOf(id);
}

bool EntityStore::FindAttr(int32_t id, std::string_view name,
                           uint32_t name_hash, const Value** field) const {
  const IdRec& r = recs_[id];
  if (r.entity_index < 0) return false;
  const uint32_t count = r.attr_count;
  *field = nullptr;
  // Equal hashes: confirm on the key (two names may share a hash).
  if (r.attr_half > 0) {
    static_assert(sizeof(r.halves) == 12 * sizeof(uint16_t));
    const uint16_t h = static_cast<uint16_t>(name_hash);
#if defined(__SSE2__)
    // All twelve halves in two overlapping loads (lanes 0-7 and 4-11, both
    // inside the record): bits 2i and 2i+1 of `hits` say that half i is h.
    const __m128i key = _mm_set1_epi16(static_cast<int16_t>(h));
    const __m128i lo =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(r.halves));
    const __m128i hi =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(r.halves + 4));
    uint32_t hits =
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi16(lo, key))) |
        (static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi16(hi, key)))
         << 8);
    // Only the attributes' halves: [attr_half, attr_half + count) <= 12.
    hits = (hits >> (2 * r.attr_half)) & ((uint32_t{1} << (2 * count)) - 1);
    for (; hits != 0; hits &= hits - 1) {
      const uint32_t i = static_cast<uint32_t>(__builtin_ctz(hits)) / 2;
      hits &= ~(uint32_t{1} << (2 * i));  // its other bit
      if (StringsEqual(r.attrs[i].first, name)) {
        *field = &r.attrs[i].second;
        return true;
      }
    }
#else
    const uint16_t* hashes = r.halves + r.attr_half;
    for (uint32_t i = 0; i < count; ++i) {
      if (hashes[i] == h && StringsEqual(r.attrs[i].first, name)) {
        *field = &r.attrs[i].second;
        return true;
      }
    }
#endif
    return true;
  }
  const uint32_t* hashes = attr_index_.data() + r.attr_at;
  for (uint32_t i = 0; i < count; ++i) {
    if (hashes[i] == name_hash && StringsEqual(r.attrs[i].first, name)) {
      *field = &r.attrs[i].second;
      return true;
    }
  }
  return true;
}

EntityStore::EntityStore(const EntityStore& other)
    : entities_(other.entities_),
      table_(other.table_),
      mask_(other.mask_),
      recs_(other.recs_),
      values_(other.values_),
      anc_(other.anc_),
      attr_index_(other.attr_index_) {
  LinkAttrs();
}

EntityStore& EntityStore::operator=(const EntityStore& other) {
  if (this != &other) *this = EntityStore(other);
  return *this;
}

namespace {

// Appends to `out` an address in each 64-byte line of [p, p + bytes) that
// out[from ..] does not cover yet, while `out` holds fewer than `max`.
void AddLines(const void* p, size_t bytes, size_t max,
              std::vector<const void*>* out, size_t from) {
  auto line = [](const void* q) { return reinterpret_cast<uintptr_t>(q) >> 6; };
  const char* c = static_cast<const char*>(p);
  for (size_t off = 0; off < bytes && out->size() < max; off += 64) {
    const char* at = off == 0 ? c : std::min(c + off, c + bytes - 1);
    bool seen = false;
    for (size_t k = from; k < out->size() && !seen; ++k)
      seen = line((*out)[k]) == line(at);
    if (!seen) out->push_back(at);
  }
  if (bytes > 64 && out->size() < max) {
    const char* last = c + bytes - 1;
    bool seen = false;
    for (size_t k = from; k < out->size() && !seen; ++k)
      seen = line((*out)[k]) == line(last);
    if (!seen) out->push_back(last);
  }
}

// The same for the lines a read of `v` touches: its shared object, a long
// string's bytes, a set's or record's elements and (two levels down) theirs.
void AddValueLines(const Value& v, size_t max, std::vector<const void*>* out,
                   size_t from, int depth) {
  if (v.heap() == nullptr || out->size() >= max || depth > 2) return;
  switch (v.kind()) {
    case Value::Kind::kString: {
      // The object and the bytes after it.
      const std::string_view str = v.AsString();
      AddLines(v.heap(),
               str.data() + str.size() - static_cast<const char*>(v.heap()),
               max, out, from);
      break;
    }
    case Value::Kind::kEntity:
      AddLines(v.heap(), sizeof(internal::HeapEntity), max, out, from);
      break;
    case Value::Kind::kSet: {
      const ValueSet& set = v.AsSet();
      AddLines(v.heap(), sizeof(internal::HeapSet), max, out, from);
      if (!set.empty())
        AddLines(set.data(), set.size() * sizeof(Value), max, out, from);
      for (const Value& e : set) AddValueLines(e, max, out, from, depth + 1);
      break;
    }
    case Value::Kind::kRecord: {
      const ValueRecord& rec = v.AsRecord();
      AddLines(v.heap(), sizeof(internal::HeapRecord), max, out, from);
      if (!rec.empty())
        AddLines(rec.data(), rec.size() * sizeof(RecordField), max, out, from);
      for (const RecordField& f : rec)
        AddValueLines(f.second, max, out, from, depth + 1);
      break;
    }
    default:
      break;
  }
}

}  // namespace

void EntityStore::LinkAttrs() {
  for (IdRec& r : recs_)
    r.attrs =
        r.entity_index < 0 ? nullptr : entities_[r.entity_index].attrs.data();
  for (Slot& t : table_) {
    if (t.id < 0) continue;
    t.attrs = recs_[t.id].attrs;
    t.attr_bytes =
        static_cast<uint32_t>(recs_[t.id].attr_count * sizeof(RecordField));
  }
  // What Prefetch asks for, in the order a decision reads it: the attribute
  // array, then the values.
  pf_at_.assign(recs_.size() + 1, 0);
  pf_.clear();
  for (size_t id = 0; id < recs_.size(); ++id) {
    pf_at_[id] = static_cast<uint32_t>(pf_.size());
    const IdRec& r = recs_[id];
    if (r.entity_index < 0 || r.attr_count == 0) continue;
    const size_t from = pf_.size(), max = from + kMaxPrefetch;
    AddLines(r.attrs, r.attr_count * sizeof(RecordField), max, &pf_, from);
    for (const RecordField& f : entities_[r.entity_index].attrs)
      AddValueLines(f.second, max, &pf_, from, 0);
  }
  pf_at_[recs_.size()] = static_cast<uint32_t>(pf_.size());
}

bool EntityStore::InIds(int32_t a, int32_t b) const {
  if (a == b) return true;
  std::span<const int32_t> anc = AncestorsOf(a);
  return std::binary_search(anc.begin(), anc.end(), b);
}

bool EntityStore::In(const EntityUid& a, const EntityUid& b) const {
  if (a == b) return true;
  int32_t ia = Intern(a);
  if (ia < 0) return false;
  int32_t ib = Intern(b);
  if (ib < 0) return false;
  return InIds(ia, ib);
}

}  // namespace haven::cedar
