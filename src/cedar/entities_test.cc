#include "cedar/entities.h"

#include <gtest/gtest.h>

#include <algorithm>

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

}  // namespace
}  // namespace haven::cedar
