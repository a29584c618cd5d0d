#include "cedar/entities.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_map>

namespace haven::cedar {
namespace {

EntityUid U(const char* type, const char* id) { return EntityUid{type, id}; }

Entity E(EntityUid uid, std::vector<EntityUid> parents = {}) {
  Entity e;
  e.uid = std::move(uid);
  e.parents = std::move(parents);
  return e;
}

TEST(EntityStore, InIsReflexiveEvenForUnknownEntities) {
  Result<EntityStore> s = EntityStore::Build({});
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->In(U("A", "x"), U("A", "x")));
  EXPECT_FALSE(s->In(U("A", "x"), U("A", "y")));
}

TEST(EntityStore, InFollowsParentsTransitively) {
  Result<EntityStore> s = EntityStore::Build(
      {E(U("User", "alice"), {U("Group", "g")}),
       E(U("Group", "g"), {U("Group", "h"), U("Agency", "cpd")}),
       E(U("Group", "h"), {U("Group", "top")})});
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_TRUE(s->In(U("User", "alice"), U("Group", "g")));
  EXPECT_TRUE(s->In(U("User", "alice"), U("Group", "h")));
  EXPECT_TRUE(s->In(U("User", "alice"), U("Group", "top")));
  EXPECT_TRUE(s->In(U("User", "alice"), U("Agency", "cpd")));
  EXPECT_TRUE(s->In(U("Group", "g"), U("Group", "top")));
  EXPECT_FALSE(s->In(U("Group", "g"), U("User", "alice")));
  EXPECT_FALSE(s->In(U("Group", "top"), U("Group", "h")));
  // A parent that is not itself an entity has no ancestors.
  EXPECT_FALSE(s->In(U("Group", "top"), U("Group", "g")));
  EXPECT_FALSE(s->In(U("User", "bob"), U("Group", "g")));
}

TEST(EntityStore, AncestorsAreSortedAndExcludeTheEntity) {
  Result<EntityStore> s = EntityStore::Build(
      {E(U("User", "a"), {U("G", "1"), U("G", "2")}),
       E(U("G", "1"), {U("G", "3")}), E(U("G", "2"), {U("G", "3")})});
  ASSERT_TRUE(s.ok());
  int32_t id = s->Intern(U("User", "a"));
  ASSERT_GE(id, 0);
  auto anc = s->AncestorsOf(id);
  EXPECT_EQ(anc.size(), 3u);
  EXPECT_TRUE(std::is_sorted(anc.begin(), anc.end()));
  EXPECT_EQ(std::count(anc.begin(), anc.end(), id), 0);
  EXPECT_EQ(s->UidOf(id), U("User", "a"));
  EXPECT_EQ(s->ValueOf(id).AsEntity(), U("User", "a"));
  EXPECT_EQ(s->IdOfValue(&s->ValueOf(id)), id);
  Value other = Value::Entity(U("User", "a"));
  EXPECT_EQ(s->IdOfValue(&other), -1);
}

TEST(EntityStore, RefusesCycles) {
  EXPECT_FALSE(EntityStore::Build({E(U("A", "x"), {U("A", "x")})}).ok());
  EXPECT_FALSE(EntityStore::Build({E(U("A", "x"), {U("A", "y")}),
                                   E(U("A", "y"), {U("A", "z")}),
                                   E(U("A", "z"), {U("A", "x")})})
                   .ok());
}

TEST(EntityStore, DropsExactRepeatsButRefusesConflictingDuplicates) {
  Entity a = E(U("A", "x"), {U("G", "1"), U("G", "2")});
  a.attrs = {{"n", Value::Long(1)}};
  Entity same = a;
  std::reverse(same.parents.begin(), same.parents.end());
  Result<EntityStore> ok = EntityStore::Build({a, same});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->size(), 1u);
  Entity different = a;
  different.attrs = {{"n", Value::Long(2)}};
  Result<EntityStore> bad = EntityStore::Build({a, different});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message().find("duplicate"), std::string::npos);
}

TEST(EntityStore, FindsEntitiesButNotMereParents) {
  Result<EntityStore> s =
      EntityStore::Build({E(U("User", "alice"), {U("Group", "g")})});
  ASSERT_TRUE(s.ok());
  ASSERT_NE(s->Find(U("User", "alice")), nullptr);
  EXPECT_EQ(s->Find(U("Group", "g")), nullptr);
  EXPECT_GE(s->Intern(U("Group", "g")), 0);
  EXPECT_EQ(s->Intern(U("Group", "zz")), -1);
}

}  // namespace
}  // namespace haven::cedar

namespace haven::cedar {
namespace {

TEST(EntityStore, RefusesActionsWithNonActionParents) {
  auto ent = [](const char* type, const char* ptype) {
    Entity e;
    e.uid = EntityUid{type, "v"};
    e.parents = {EntityUid{ptype, "x"}};
    return e;
  };
  EXPECT_TRUE(EntityStore::Build({ent("Action", "Action")}).ok());
  EXPECT_TRUE(EntityStore::Build({ent("NS::Action", "Foo::Action")}).ok());
  EXPECT_TRUE(EntityStore::Build({ent("User", "Action")}).ok());
  EXPECT_TRUE(EntityStore::Build({ent("Actions", "Doc")}).ok());
  EXPECT_FALSE(EntityStore::Build({ent("Action", "Doc")}).ok());
  EXPECT_FALSE(EntityStore::Build({ent("Action", "Action::Foo")}).ok());
  EXPECT_FALSE(EntityStore::Build({ent("NS::Action", "NSAction")}).ok());
}

// The uid table: every uid (entity or parent) found, absent ones not, in a
// table large enough for its slots to collide and wrap around.
TEST(EntityStore, InternFindsEveryUidAndNoOther) {
  std::vector<Entity> list;
  for (int i = 0; i < 5000; ++i) {
    std::string id = "u" + std::to_string(i);
    list.push_back(E(EntityUid{"User", id},
                     {EntityUid{"Agency", "a" + std::to_string(i % 97)}}));
  }
  Result<EntityStore> s = EntityStore::Build(list);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->num_ids(), 5000u + 97u);
  std::vector<bool> seen(s->num_ids(), false);
  for (int i = 0; i < 5000; ++i) {
    EntityUid u{"User", "u" + std::to_string(i)};
    int32_t id = s->Intern(u);
    ASSERT_GE(id, 0) << i;
    EXPECT_FALSE(seen[id]);
    seen[id] = true;
    EXPECT_EQ(s->UidOf(id), u);
    EXPECT_EQ(s->HashOf(id), EntityUidHash()(u));
    EXPECT_EQ(s->Intern(u, EntityUidHash()(u)), id);
    ASSERT_NE(s->EntityOf(id), nullptr);
    EXPECT_TRUE(s->In(u, EntityUid{"Agency", "a" + std::to_string(i % 97)}));
  }
  for (int i = 0; i < 97; ++i) {
    int32_t id = s->Intern(EntityUid{"Agency", "a" + std::to_string(i)});
    ASSERT_GE(id, 0);
    EXPECT_EQ(s->EntityOf(id), nullptr);  // a parent only
  }
  for (int i = 5000; i < 10000; ++i)
    EXPECT_EQ(s->Intern(EntityUid{"User", "u" + std::to_string(i)}), -1);
  // Same characters, split differently between type and id.
  EXPECT_EQ(s->Intern(EntityUid{"Use", "ru1"}), -1);
  EXPECT_EQ(s->Intern(EntityUid{"Useru", "1"}), -1);
  EXPECT_EQ(s->Intern(EntityUid{"user", "u1"}), -1);
  EXPECT_EQ(s->Intern(EntityUid{"User", "u1 "}), -1);
  EXPECT_EQ(s->Intern(EntityUid{"User", ""}), -1);
  Result<EntityStore> empty = EntityStore::Build({});
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->Intern(EntityUid{"User", "u1"}), -1);
}

TEST(EntityStore, UidsThatOnlyDifferLateOrInLengthAreDistinct) {
  std::string long_id(100, 'x');
  std::vector<Entity> list;
  std::vector<EntityUid> uids;
  for (size_t n = 0; n <= 40; ++n) {
    uids.push_back(EntityUid{"T", long_id.substr(0, n)});
    std::string y = long_id.substr(0, n);
    if (n > 0) y[n - 1] = 'y';
    uids.push_back(EntityUid{"T", y});
  }
  std::sort(uids.begin(), uids.end());
  uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
  for (const EntityUid& u : uids) list.push_back(E(u));
  Result<EntityStore> s = EntityStore::Build(list);
  ASSERT_TRUE(s.ok()) << s.error().message();
  EXPECT_EQ(s->size(), uids.size());
  for (const EntityUid& u : uids) {
    int32_t id = s->Intern(u);
    ASSERT_GE(id, 0);
    EXPECT_EQ(s->UidOf(id), u);
  }
}

TEST(EntityStore, FindAttrFindsPresentAttributesAndRejectsAbsentOnes) {
  Entity alice = E(U("User", "alice"), {U("Group", "g")});
  alice.attrs = {{"badge", Value::Long(7)}, {"name", Value::String("Alice")}};
  Result<EntityStore> s = EntityStore::Build({alice, E(U("User", "bob"))});
  ASSERT_TRUE(s.ok()) << s.error().message();
  auto find = [&](const EntityUid& uid, std::string_view name,
                  const Value** f) {
    return s->FindAttr(s->Intern(uid), name, EntityStore::AttrNameHash(name),
                       f);
  };
  const Value* f = nullptr;
  ASSERT_TRUE(find(U("User", "alice"), "name", &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::String("Alice"));
  // The field is the store's own Value, not a copy.
  EXPECT_EQ(f, &s->Find(U("User", "alice"))->attrs[1].second);
  ASSERT_TRUE(find(U("User", "alice"), "badge", &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::Long(7));
  // Absent: on an entity with attributes, and on one with none.
  ASSERT_TRUE(find(U("User", "alice"), "department", &f));
  EXPECT_EQ(f, nullptr);
  ASSERT_TRUE(find(U("User", "alice"), "nam", &f));
  EXPECT_EQ(f, nullptr);
  ASSERT_TRUE(find(U("User", "bob"), "name", &f));
  EXPECT_EQ(f, nullptr);
  // A uid known only as a parent is not an entity.
  EXPECT_FALSE(find(U("Group", "g"), "name", &f));
}

TEST(EntityStore, FindAttrConfirmsHashMatchesOnTheName) {
  // Two names with the same 32-bit hash, found by a birthday search.
  std::unordered_map<uint32_t, std::string> seen;
  std::string a, b;
  for (int i = 0; i < 1000000 && a.empty(); ++i) {
    std::string name = "attr" + std::to_string(i);
    auto [it, fresh] = seen.emplace(EntityStore::AttrNameHash(name), name);
    if (!fresh) {
      a = it->second;
      b = name;
    }
  }
  ASSERT_FALSE(a.empty()) << "no collision found";
  ASSERT_EQ(EntityStore::AttrNameHash(a), EntityStore::AttrNameHash(b));

  // An entity with only `a`: a lookup of `b` matches a's hash, then misses.
  Entity one = E(U("T", "one"));
  one.attrs = {{a, Value::Long(1)}};
  // An entity with both (Build sorts the record by key).
  Entity both = E(U("T", "both"));
  both.attrs = {{a, Value::Long(1)}, {b, Value::Long(2)}};
  Result<EntityStore> s = EntityStore::Build({one, both});
  ASSERT_TRUE(s.ok()) << s.error().message();
  const uint32_t h = EntityStore::AttrNameHash(a);
  const Value* f = nullptr;
  ASSERT_TRUE(s->FindAttr(s->Intern(U("T", "one")), b, h, &f));
  EXPECT_EQ(f, nullptr);
  ASSERT_TRUE(s->FindAttr(s->Intern(U("T", "one")), a, h, &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::Long(1));
  ASSERT_TRUE(s->FindAttr(s->Intern(U("T", "both")), a, h, &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::Long(1));
  ASSERT_TRUE(s->FindAttr(s->Intern(U("T", "both")), b, h, &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::Long(2));
}

TEST(EntityStore, FindAttrSurvivesACopyOfTheStore) {
  Entity alice = E(U("User", "alice"));
  alice.attrs = {{"name", Value::String("Alice")}};
  EntityStore copy;
  {
    Result<EntityStore> s = EntityStore::Build({alice});
    ASSERT_TRUE(s.ok());
    copy = *s;
  }
  const Value* f = nullptr;
  ASSERT_TRUE(copy.FindAttr(copy.Intern(U("User", "alice")), "name",
                            EntityStore::AttrNameHash("name"), &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::String("Alice"));
}

// Two attribute names with the same AttrNameHash, found by a birthday search.
std::pair<std::string, std::string> CollidingNames() {
  std::unordered_map<uint32_t, std::string> seen;
  for (int i = 0; i < 1000000; ++i) {
    std::string name = "attr" + std::to_string(i);
    auto [it, fresh] = seen.emplace(EntityStore::AttrNameHash(name), name);
    if (!fresh) return {it->second, name};
  }
  return {};
}

TEST(EntityStore, FindAttrAgreesWithTheRecordForShortAndLongUidsAndRecords) {
  // Keys of 6 to 51 bytes around the 24 a record holds inline, each with 0
  // to 20 attributes: the hashes sit in the record or in a block of their
  // own, and blocks are padded to stay within one line.
  std::vector<Entity> list;
  for (size_t id_len = 0; id_len <= 44; ++id_len) {
    for (size_t n : {0, 1, 5, 6, 7, 8, 15, 16, 20}) {
      Entity e = E(EntityUid{
          "Type", std::string(id_len, 'x') + "-" + std::to_string(n)});
      for (size_t k = 0; k < n; ++k)
        e.attrs.push_back(
            {"a" + std::to_string(k), Value::Long(static_cast<int64_t>(k))});
      list.push_back(std::move(e));
    }
  }
  Result<EntityStore> s = EntityStore::Build(list);
  ASSERT_TRUE(s.ok()) << s.error().message();
  static const Value kUnset;
  for (const Entity& want : list) {
    const int32_t id = s->Intern(want.uid);
    ASSERT_GE(id, 0) << want.uid.ToString();
    EXPECT_EQ(s->UidOf(id), want.uid);
    const Entity* e = s->EntityOf(id);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->attrs.size(), want.attrs.size());
    for (const RecordField& f : e->attrs) {
      const Value* got = nullptr;
      ASSERT_TRUE(
          s->FindAttr(id, f.first, EntityStore::AttrNameHash(f.first), &got));
      EXPECT_EQ(got, &f.second) << want.uid.ToString() << "." << f.first;
    }
    for (std::string absent : {"a20", "a", "", "absent-attribute-name"}) {
      const Value* got = &kUnset;
      ASSERT_TRUE(
          s->FindAttr(id, absent, EntityStore::AttrNameHash(absent), &got));
      EXPECT_EQ(got, nullptr) << want.uid.ToString() << "." << absent;
    }
    // A uid that differs in its last byte, or splits the same bytes between
    // type and id differently, is another uid.
    EntityUid other = want.uid;
    other.id += "y";
    EXPECT_EQ(s->Intern(other), -1);
    EXPECT_EQ(s->Intern(EntityUid{"Typ", "e" + want.uid.id}), -1);
  }
}

TEST(EntityStore, FindAttrConfirmsHashMatchesOnTheNameInALongRecord) {
  // As above, with the hashes in a block outside the entity's record.
  auto [a, b] = CollidingNames();
  ASSERT_FALSE(a.empty()) << "no collision found";
  Entity e = E(U("T", "many"));
  for (int k = 0; k < 12; ++k)
    e.attrs.push_back({"z" + std::to_string(k), Value::Long(k)});
  e.attrs.push_back({a, Value::Long(-1)});
  Result<EntityStore> s = EntityStore::Build({e});
  ASSERT_TRUE(s.ok()) << s.error().message();
  const int32_t id = s->Intern(U("T", "many"));
  const uint32_t h = EntityStore::AttrNameHash(a);
  const Value* f = nullptr;
  ASSERT_TRUE(s->FindAttr(id, b, h, &f));
  EXPECT_EQ(f, nullptr);
  ASSERT_TRUE(s->FindAttr(id, a, h, &f));
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(*f, Value::Long(-1));
}

TEST(EntityStore, FindAttrConfirmsMatchesOfTheLow16BitsHeldInline) {
  // A record holds the low 16 bits of each name's hash: find three names
  // that share them, and give an entity two of them.
  std::unordered_map<uint16_t, std::vector<std::string>> by_low;
  std::vector<std::string> names;
  for (int i = 0; i < 1000000 && names.empty(); ++i) {
    std::string name = "n" + std::to_string(i);
    auto& v = by_low[static_cast<uint16_t>(EntityStore::AttrNameHash(name))];
    v.push_back(name);
    if (v.size() == 3) names = v;
  }
  ASSERT_EQ(names.size(), 3u);
  Entity e = E(U("T", "t"));
  e.attrs = {{names[0], Value::Long(0)}, {names[1], Value::Long(1)}};
  Result<EntityStore> s = EntityStore::Build({e});
  ASSERT_TRUE(s.ok()) << s.error().message();
  const int32_t id = s->Intern(U("T", "t"));
  for (int k = 0; k < 3; ++k) {
    const Value* f = nullptr;
    ASSERT_TRUE(
        s->FindAttr(id, names[k], EntityStore::AttrNameHash(names[k]), &f));
    if (k < 2) {
      ASSERT_NE(f, nullptr) << names[k];
      EXPECT_EQ(*f, Value::Long(k));
    } else {
      EXPECT_EQ(f, nullptr) << names[k];
    }
  }
}

TEST(EntityStore, FindAttrReadsTheStoresOwnEntitiesAfterCopiesAndMoves) {
  Entity alice = E(U("User", "alice"));
  alice.attrs = {{"name", Value::String("Alice")}};
  Entity many = E(U("User", "many"));
  for (int k = 0; k < 20; ++k)
    many.attrs.push_back({"a" + std::to_string(k), Value::Long(k)});
  auto check = [](const EntityStore& s) {
    for (const char* uid : {"alice", "many"}) {
      const int32_t id = s.Intern(U("User", uid));
      ASSERT_GE(id, 0);
      for (const RecordField& f : s.EntityOf(id)->attrs) {
        const Value* got = nullptr;
        ASSERT_TRUE(
            s.FindAttr(id, f.first, EntityStore::AttrNameHash(f.first), &got));
        // The field is this store's own, not the one copied from.
        EXPECT_EQ(got, &f.second);
      }
    }
  };
  Result<EntityStore> built = EntityStore::Build({alice, many});
  ASSERT_TRUE(built.ok());
  EntityStore copied(*built);
  check(copied);
  EntityStore assigned;
  assigned = copied;
  check(assigned);
  EntityStore& self = assigned;
  assigned = self;
  check(assigned);
  EntityStore moved(std::move(copied));
  check(moved);
  EntityStore move_assigned;
  move_assigned = std::move(moved);
  check(move_assigned);
  built = Result<EntityStore>(EntityStore());  // the original is gone
  check(assigned);
  check(move_assigned);
}

TEST(EntityStore, PrefetchIsHarmlessForEveryIdOfACopyAndAnEmptyStore) {
  // Prefetch reads only the lists made at Build (and remade by a copy);
  // under ASan this checks that they cover every id, parents included.
  std::vector<Entity> list;
  for (int i = 0; i < 50; ++i) {
    Entity e = E(U("User", ("u" + std::to_string(i)).c_str()),
                 {U("Group", "g"), U("Agency", "not-in-the-store")});
    std::vector<Value> roles;
    for (int k = 0; k < i % 7; ++k)
      roles.push_back(Value::String(std::string(k * 9, 'r') + "ole"));
    e.attrs = {{"name", Value::String(std::string(i, 'n'))},
               {"roles", Value::Set(std::move(roles))},
               {"rec", Value::Record({{"a", Value::Long(i)}})}};
    list.push_back(std::move(e));
  }
  list.push_back(E(U("Group", "g")));
  Result<EntityStore> s = EntityStore::Build(std::move(list));
  ASSERT_TRUE(s.ok()) << s.error().message();
  EntityStore copy = *s;
  for (const EntityStore* store : {&*s, &copy}) {
    for (size_t id = 0; id < store->num_ids(); ++id) {
      store->PrefetchSlot(store->HashOf(static_cast<int32_t>(id)));
      store->Prefetch(static_cast<int32_t>(id));
    }
  }
  Result<EntityStore> empty = EntityStore::Build({});
  ASSERT_TRUE(empty.ok());
  empty->PrefetchSlot(12345);
  EXPECT_EQ(copy.Intern(U("Group", "g")), s->Intern(U("Group", "g")));
}

}  // namespace
}  // namespace haven::cedar
