#include "cedar/entities_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cedar/extensions.h"

namespace haven::cedar {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

std::string ReadError(std::string_view json) {
  Result<std::vector<Entity>> r = ReadEntitiesJson(json);
  EXPECT_FALSE(r.ok()) << json << " was accepted";
  return r.ok() ? std::string() : r.error().message();
}

TEST(ReadEntitiesJson, ReadsUidsAttributesParentsAndTags) {
  Result<std::vector<Entity>> r = ReadEntitiesJson(R"([
    {"uid": {"type": "User", "id": "alice"},
     "attrs": {"age": 30, "home": {"__entity": {"type": "City", "id": "c"}},
               "ip": {"__extn": {"fn": "ip", "arg": "10.0.0.1"}}},
     "parents": [{"type": "Group", "id": "staff"},
                 {"__entity": {"type": "Agency", "id": "cpd"}}],
     "tags": {"clearance": "secret"}},
    {"uid": {"__entity": {"type": "Group", "id": "staff"}},
     "attrs": {}, "parents": []}
  ])");
  ASSERT_TRUE(r.ok()) << r.error().message();
  ASSERT_EQ(r->size(), 2u);
  const Entity& alice = (*r)[0];
  EXPECT_EQ(alice.uid, (EntityUid{"User", "alice"}));
  ASSERT_EQ(alice.attrs.size(), 3u);
  EXPECT_EQ(alice.attrs[0].first, "age");  // sorted by key
  EXPECT_EQ(alice.attrs[0].second, Value::Long(30));
  EXPECT_EQ(alice.attrs[1].first, "home");
  EXPECT_EQ(alice.attrs[1].second, Value::Entity({"City", "c"}));
  EXPECT_EQ(alice.attrs[2].second, *ParseIp("10.0.0.1"));
  ASSERT_EQ(alice.parents.size(), 2u);
  EXPECT_EQ(alice.parents[0], (EntityUid{"Group", "staff"}));
  EXPECT_EQ(alice.parents[1], (EntityUid{"Agency", "cpd"}));
  ASSERT_EQ(alice.tags.size(), 1u);
  EXPECT_EQ(alice.tags[0].second, Value::String("secret"));
  EXPECT_EQ((*r)[1].uid, (EntityUid{"Group", "staff"}));
  EXPECT_TRUE((*r)[1].attrs.empty());
}

TEST(ReadEntitiesJson, ReadsAnEmptyList) {
  Result<std::vector<Entity>> r = ReadEntitiesJson("[]");
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
}

TEST(ReadEntitiesJson, IgnoresUnknownFieldsAsCedarDoes) {
  Result<std::vector<Entity>> r = ReadEntitiesJson(
      R"([{"uid": {"type": "A", "id": "b", "x": 1}, "attrs": {},
           "parents": [], "comment": [1.5, null]}])");
  EXPECT_TRUE(r.ok()) << r.error().message();
}

TEST(ReadEntitiesJson, LeavesRepeatedUidsToTheStore) {
  // Identical repeats are allowed by Cedar; EntityStore::Build decides.
  Result<std::vector<Entity>> r = ReadEntitiesJson(
      R"([{"uid": {"type": "A", "id": "b"}, "attrs": {}, "parents": []},
          {"uid": {"type": "A", "id": "b"}, "attrs": {}, "parents": []}])");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->size(), 2u);
}

TEST(ReadEntitiesJson, RequiresUidAttrsAndParents) {
  EXPECT_EQ(ReadError(R"([{"attrs": {}, "parents": []}])"),
            "at /0: missing field `uid`");
  EXPECT_EQ(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "parents": []}])"),
            "at /0: missing field `attrs`");
  EXPECT_EQ(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {}}])"),
            "at /0: missing field `parents`");
}

TEST(ReadEntitiesJson, ReportsWrongShapesWithTheirPlace) {
  EXPECT_THAT(ReadError("{}"),
              StartsWith("at top level: expected an array of entities"));
  EXPECT_THAT(ReadError("[1]"), StartsWith("at /0: expected an entity object"));
  EXPECT_THAT(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": [],
                     "parents": []}])"),
              StartsWith("at /0/attrs: expected an object of attributes"));
  EXPECT_THAT(
      ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {},
                     "parents": {}}])"),
      StartsWith("at /0/parents: expected an array of entity references"));
  EXPECT_THAT(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {},
                     "parents": [1]}])"),
              StartsWith("at /0/parents/0: expected an entity reference"));
  EXPECT_THAT(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {},
                     "parents": [], "tags": null}])"),
              StartsWith("at /0/tags: expected an object of attributes"));
  EXPECT_THAT(ReadError(R"([{"uid": "A::\"b\"", "attrs": {}, "parents": []}])"),
              StartsWith("at /0/uid: expected an entity reference"));
  EXPECT_THAT(ReadError(R"([{"uid": {"type": "1A", "id": "b"}, "attrs": {},
                     "parents": []}])"),
              StartsWith("at /0/uid/type: invalid entity type `1A`"));
}

TEST(ReadEntitiesJson, ReportsBadAttributeValuesWithTheirPath) {
  const std::string head = R"([{"uid": {"type": "A", "id": "a"}, "attrs": {},
                               "parents": []},
                              {"uid": {"type": "A", "id": "b"}, "parents": [],
                               "attrs": )";
  EXPECT_EQ(ReadError(head + R"({"age": null}}])"),
            "at /1/attrs/age: found `null`; JSON nulls are not allowed in "
            "Cedar");
  EXPECT_THAT(ReadError(head + R"({"n": {"m": [1.5]}}}])"),
              StartsWith("at /1/attrs/n/m/0: expected an integer"));
  EXPECT_THAT(
      ReadError(head +
                R"({"d": {"__extn": {"fn": "decimal", "arg": "1.23456"}}}}])"),
      StartsWith("at /1/attrs/d: failed to evaluate `decimal`"));
  EXPECT_EQ(ReadError(head + R"({"a": 1, "a": 2}}])"),
            "at /1/attrs: duplicate key `a`");
  EXPECT_EQ(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {},
                          "parents": [], "tags": {"t": null}}])"),
            "at /0/tags/t: found `null`; JSON nulls are not allowed in Cedar");
  EXPECT_EQ(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {},
                          "parents": [], "tags": {"t": 1, "t": 1}}])"),
            "at /0/tags: duplicate key `t`");
}

TEST(ReadEntitiesJson, RejectsDuplicateFieldsOfAnEntity) {
  EXPECT_EQ(ReadError(R"([{"uid": {"type": "A", "id": "b"}, "attrs": {},
                          "attrs": {}, "parents": []}])"),
            "at /0: duplicate key `attrs`");
}

TEST(ReadEntitiesJson, EnforcesLimits) {
  std::string deep = R"([{"uid": {"type": "A", "id": "b"}, "parents": [],
                         "attrs": {"x": )" +
                     std::string(200, '[') + "1" + std::string(200, ']') +
                     "}}]";
  EXPECT_THAT(ReadError(deep), HasSubstr("deeper than the limit of 128"));
  JsonLimits small;
  small.max_bytes = 10;
  Result<std::vector<Entity>> r = ReadEntitiesJson("[          ]", small);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("over the limit of 10"));
  EXPECT_THAT(ReadError("[{]"), StartsWith("invalid JSON"));
}

TEST(WriteEntitiesJson, WritesWhatReadEntitiesJsonReads) {
  std::vector<Entity> list(2);
  list[0].uid = {"User", "al\"ice"};
  list[0].attrs = {{"age", Value::Long(-4)},
                   {"home", Value::Entity({"City", "c"})}};
  list[0].parents = {{"Group", "g"}};
  list[0].tags = {{"t", Value::Set({Value::String("x")})}};
  list[1].uid = {"Group", "g"};
  std::string json = WriteEntitiesJson(list);
  EXPECT_EQ(json,
            R"([{"uid":{"type":"User","id":"al\"ice"},"attrs":{"age":-4,)"
            R"("home":{"__entity":{"type":"City","id":"c"}}},)"
            R"("parents":[{"type":"Group","id":"g"}],"tags":{"t":["x"]}},)"
            R"({"uid":{"type":"Group","id":"g"},"attrs":{},"parents":[]}])");
  Result<std::vector<Entity>> back = ReadEntitiesJson(json);
  ASSERT_TRUE(back.ok()) << back.error().message();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].uid, list[0].uid);
  EXPECT_EQ((*back)[0].attrs, list[0].attrs);
  EXPECT_EQ((*back)[0].parents, list[0].parents);
  EXPECT_EQ((*back)[0].tags, list[0].tags);
  EXPECT_EQ((*back)[1].uid, list[1].uid);
}

}  // namespace
}  // namespace haven::cedar
