// EntityStore: interning of uids and the transitive closure of the parent
// relation, computed once so that `in` is a binary search at request time.

#include "cedar/entities.h"

#include <algorithm>
#include <string>
#include <utility>

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

Result<EntityStore> EntityStore::Build(std::vector<Entity> entities) {
  EntityStore s;
  s.entities_.reserve(entities.size());
  s.ids_.reserve(entities.size() * 2);
  auto intern = [&s](const EntityUid& uid) -> int32_t {
    auto [it, inserted] =
        s.ids_.emplace(uid, static_cast<int32_t>(s.values_.size()));
    if (inserted) {
      s.values_.push_back(Value::Entity(uid));
      s.entity_index_.push_back(-1);
    }
    return it->second;
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
    int32_t existing = s.entity_index_[id];
    if (existing >= 0) {
      // An exact repeat is harmless; a different entity with the same uid is
      // an error ("duplicate entity entry" in the reference).
      if (SameEntity(s.entities_[existing], e)) continue;
      return Error("duplicate entity entry `" + e.uid.ToString() + "`");
    }
    s.entity_index_[id] = static_cast<int32_t>(s.entities_.size());
    s.entities_.push_back(std::move(e));
  }

  // Direct parents by interned id.
  std::vector<std::vector<int32_t>> parents(s.values_.size());
  for (const Entity& e : s.entities_) {
    int32_t id = s.ids_.find(e.uid)->second;
    for (const EntityUid& p : e.parents) parents[id].push_back(intern(p));
  }
  parents.resize(s.values_.size());
  s.entity_index_.resize(s.values_.size(), -1);

  // Closure: a depth-first search from each entity. A node reached again
  // from itself is a cycle, which the reference refuses.
  const size_t n = s.values_.size();
  s.hashes_.resize(n);
  for (size_t i = 0; i < n; ++i) s.hashes_[i] = EntityUidHash()(s.UidOf(i));
  s.ancestors_.assign(n, {});
  std::vector<uint32_t> seen(n, 0);
  uint32_t epoch = 0;
  std::vector<int32_t> stack;
  for (size_t start = 0; start < n; ++start) {
    if (parents[start].empty()) continue;
    ++epoch;
    std::vector<int32_t>& out = s.ancestors_[start];
    stack.assign(parents[start].begin(), parents[start].end());
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
      out.push_back(v);
      for (int32_t p : parents[v])
        if (seen[p] != epoch) stack.push_back(p);
    }
    std::sort(out.begin(), out.end());
    out.shrink_to_fit();
  }
  return s;
}

int32_t EntityStore::Intern(const EntityUid& uid) const {
  auto it = ids_.find(uid);
  return it == ids_.end() ? -1 : it->second;
}

const Entity* EntityStore::Find(const EntityUid& uid) const {
  int32_t id = Intern(uid);
  return id < 0 ? nullptr : EntityOf(id);
}

bool EntityStore::InIds(int32_t a, int32_t b) const {
  if (a == b) return true;
  const std::vector<int32_t>& anc = ancestors_[a];
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
