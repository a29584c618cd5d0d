#include "cedar/json_value.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "cedar/extensions.h"

namespace haven::cedar {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Value Read(std::string_view json) {
  Result<Value> v = ReadValueJson(json);
  EXPECT_TRUE(v.ok()) << json << ": " << v.error().message();
  return v.ok() ? *v : Value();
}

std::string ReadError(std::string_view json) {
  Result<Value> v = ReadValueJson(json);
  EXPECT_FALSE(v.ok()) << json << " was accepted";
  return v.ok() ? std::string() : v.error().message();
}

Value Dec(std::string_view s) { return *ParseDecimal(s); }

TEST(ReadValueJson, ReadsScalars) {
  EXPECT_EQ(Read("true"), Value::Bool(true));
  EXPECT_EQ(Read("false"), Value::Bool(false));
  EXPECT_EQ(Read("42"), Value::Long(42));
  EXPECT_EQ(Read("-7"), Value::Long(-7));
  EXPECT_EQ(Read(R"("caf\u00e9 \"x\"")"), Value::String("café \"x\""));
}

TEST(ReadValueJson, ReadsIntegersExactlyOverTheWhole64BitRange) {
  EXPECT_EQ(Read("9223372036854775807"),
            Value::Long(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(Read("-9223372036854775808"),
            Value::Long(std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(Read("9007199254740993"), Value::Long(9007199254740993));
  EXPECT_EQ(Read("-0"), Value::Long(0));
}

TEST(ReadValueJson, RejectsIntegersOutsideTheSigned64BitRange) {
  EXPECT_THAT(ReadError("9223372036854775808"),
              HasSubstr("out of the signed 64-bit range"));
  EXPECT_THAT(ReadError("18446744073709551615"),
              HasSubstr("out of the signed 64-bit range"));
  EXPECT_THAT(ReadError("-9223372036854775809"), HasSubstr("invalid JSON"));
  EXPECT_THAT(ReadError("123456789012345678901234567890"),
              HasSubstr("invalid JSON"));
}

TEST(ReadValueJson, RejectsNumbersWithAFractionOrExponent) {
  EXPECT_THAT(ReadError("1.5"), HasSubstr("expected an integer"));
  EXPECT_THAT(ReadError("1.0"), HasSubstr("expected an integer"));
  EXPECT_THAT(ReadError("1e2"), HasSubstr("expected an integer"));
  EXPECT_THAT(ReadError(R"({"a": [1, 2.5]})"), StartsWith("at /a/1: "));
}

TEST(ReadValueJson, RejectsNullAnywhere) {
  EXPECT_EQ(ReadError("null"),
            "at top level: found `null`; JSON nulls are not allowed in Cedar");
  EXPECT_THAT(ReadError(R"({"a": {"b": [null]}})"), StartsWith("at /a/b/0: "));
}

TEST(ReadValueJson, ReadsSetsSortedAndWithoutRepeats) {
  EXPECT_EQ(Read("[3, 1, 3]"), Value::Set({Value::Long(1), Value::Long(3)}));
  EXPECT_EQ(Read("[]"), Value::Set({}));
  EXPECT_EQ(Read(R"([1, "a", [true]])"),
            Value::Set({Value::Long(1), Value::String("a"),
                        Value::Set({Value::Bool(true)})}));
}

TEST(ReadValueJson, ReadsRecords) {
  EXPECT_EQ(Read(R"({"b": 2, "a": {"c": "x"}})"),
            Value::Record({{"a", Value::Record({{"c", Value::String("x")}})},
                           {"b", Value::Long(2)}}));
  EXPECT_EQ(Read("{}"), Value::Record({}));
}

TEST(ReadValueJson, RejectsDuplicateKeysAtAnyDepth) {
  EXPECT_EQ(ReadError(R"({"a": 1, "a": 2})"),
            "at top level: duplicate key `a`");
  EXPECT_EQ(ReadError(R"({"x": [{"k": 1, "j": 2, "k": 3}]})"),
            "at /x/0: duplicate key `k`");
  EXPECT_EQ(ReadError(R"({"__entity": {"type": "A", "id": "b", "id": "c"}})"),
            "at /__entity: duplicate key `id`");
  EXPECT_EQ(
      ReadError(R"({"__extn": {"fn": "decimal", "arg": "1.0", "arg": "2.0"}})"),
      "at /__extn: duplicate key `arg`");
}

TEST(ReadValueJson, ReadsEntityEscapes) {
  EXPECT_EQ(Read(R"({"__entity": {"type": "NS::User", "id": "alice"}})"),
            Value::Entity({"NS::User", "alice"}));
  // Cedar ignores other fields of the escape's body.
  EXPECT_EQ(Read(R"({"__entity": {"type": "A", "id": "b", "x": [1]}})"),
            Value::Entity({"A", "b"}));
}

TEST(ReadValueJson, TreatsIncompleteEscapesAsRecords) {
  // As in Cedar: an escape needs a single key and a complete body.
  Value v = Read(R"({"__entity": {"type": "A"}})");
  EXPECT_EQ(v.kind(), Value::Kind::kRecord);
  v = Read(R"({"__entity": {"type": "A", "id": "b"}, "other": 1})");
  EXPECT_EQ(v.kind(), Value::Kind::kRecord);
  v = Read(R"({"__extn": {"fn": "decimal"}})");
  EXPECT_EQ(v.kind(), Value::Kind::kRecord);
  v = Read(R"({"__extn": {"fn": "decimal", "args": "1.0"}})");
  EXPECT_EQ(v.kind(), Value::Kind::kRecord);
  v = Read(R"({"type": "User", "id": "alice"})");
  EXPECT_EQ(v.kind(), Value::Kind::kRecord);
  v = Read(R"({"__expr": 1})");
  EXPECT_EQ(v.kind(), Value::Kind::kRecord);
}

TEST(ReadValueJson, RejectsInvalidEntityTypes) {
  EXPECT_THAT(ReadError(R"({"__entity": {"type": "A B", "id": "x"}})"),
              StartsWith("at /__entity/type: invalid entity type `A B`"));
  EXPECT_THAT(ReadError(R"({"__entity": {"type": "if", "id": "x"}})"),
              HasSubstr("`if` is a reserved word"));
  EXPECT_THAT(ReadError(R"({"__entity": {"type": "__cedar::X", "id": "x"}})"),
              HasSubstr("`__cedar` is reserved"));
  EXPECT_THAT(ReadError(R"({"__entity": {"type": "", "id": "x"}})"),
              HasSubstr("it is empty"));
  EXPECT_THAT(ReadError(R"({"__entity": {"type": "A::", "id": "x"}})"),
              HasSubstr("empty component"));
}

TEST(ReadValueJson, EvaluatesExtensionEscapes) {
  EXPECT_EQ(Read(R"({"__extn": {"fn": "decimal", "arg": "1.25"}})"),
            Dec("1.25"));
  EXPECT_EQ(Read(R"({"__extn": {"fn": "ip", "arg": "10.0.0.0/8"}})"),
            *ParseIp("10.0.0.0/8"));
  EXPECT_EQ(Read(R"({"__extn": {"fn": "duration", "arg": "1h"}})"),
            *ParseDuration("1h"));
  EXPECT_EQ(Read(R"({"__extn": {"fn": "datetime", "arg": "2024-10-15"}})"),
            *ParseDatetime("2024-10-15"));
  // Extra fields of the body are ignored, as in Cedar.
  EXPECT_EQ(Read(R"({"__extn": {"fn": "decimal", "arg": "1.0", "zz": 3}})"),
            Dec("1.0"));
}

TEST(ReadValueJson, EvaluatesMultiArgumentExtensionEscapes) {
  Value v = Read(R"({"__extn": {"fn": "offset", "args": [
      {"__extn": {"fn": "datetime", "arg": "2024-01-01"}},
      {"__extn": {"fn": "duration", "arg": "1h"}}]}})");
  EXPECT_EQ(v, *ParseDatetime("2024-01-01T01:00:00Z"));
  EXPECT_EQ(Read(R"({"__extn": {"fn": "lessThan", "args": [
      {"__extn": {"fn": "decimal", "arg": "1.0"}},
      {"__extn": {"fn": "decimal", "arg": "2.0"}}]}})"),
            Value::Bool(true));
  EXPECT_EQ(Read(R"({"__extn": {"fn": "decimal", "args": ["1.0"]}})"),
            Dec("1.0"));
}

TEST(ReadValueJson, ReportsExtensionErrorsWithTheirPlace) {
  EXPECT_THAT(ReadError(R"({"a": {"__extn": {"fn": "decimal", "arg": "x"}}})"),
              StartsWith("at /a: failed to evaluate `decimal`: "));
  EXPECT_EQ(ReadError(R"({"__extn": {"fn": "foo", "arg": "1"}})"),
            "at top level: extension function `foo` does not exist");
  EXPECT_THAT(ReadError(R"({"__extn": {"fn": "decimal", "arg": 1}})"),
              StartsWith("at top level: failed to evaluate `decimal`"));
  EXPECT_THAT(ReadError(R"({"__extn": {"fn": "decimal", "args": []}})"),
              StartsWith("at top level: failed to evaluate `decimal`"));
  EXPECT_THAT(ReadError(R"({"__extn": {"fn": "a b", "arg": "1"}})"),
              StartsWith("at /__extn/fn: invalid extension function name"));
  EXPECT_THAT(ReadError(R"({"__extn": {"fn": "decimal", "arg": null}})"),
              StartsWith("at /__extn/arg: found `null`"));
  EXPECT_THAT(ReadError(R"({"__extn": {"fn": "decimal", "arg": "1.0",
                                       "zz": 1.5}})"),
              StartsWith("at /__extn/zz: expected an integer"));
  EXPECT_THAT(ReadError(R"({"__entity": {"type": "A", "id": "b", "zz": 1.5}})"),
              StartsWith("at /__entity/zz: expected an integer"));
}

TEST(ReadValueJson, RejectsTheRetiredExprEscape) {
  EXPECT_EQ(ReadError(R"({"a": {"__expr": "1 + 1"}})"),
            "at /a: the `__expr` escape is no longer supported");
}

TEST(ReadValueJson, EscapesSlashAndTildeInPaths) {
  EXPECT_THAT(ReadError(R"({"a/b": {"c~d": null}})"),
              StartsWith("at /a~1b/c~0d: "));
}

TEST(ReadValueJson, ReportsSyntaxErrors) {
  EXPECT_THAT(ReadError("[1, 2"), StartsWith("invalid JSON: "));
  EXPECT_THAT(ReadError(""), StartsWith("invalid JSON: "));
  EXPECT_THAT(ReadError("\"\xff\""), StartsWith("invalid JSON: "));
  EXPECT_THAT(ReadError("[1] [2]"), StartsWith("invalid JSON: "));
}

TEST(ReadValueJson, EnforcesTheDepthLimitWithoutOverflowingTheStack) {
  std::string ok = std::string(128, '[') + "1" + std::string(128, ']');
  EXPECT_TRUE(ReadValueJson(ok).ok());
  std::string deep = std::string(129, '[') + "1" + std::string(129, ']');
  EXPECT_THAT(ReadError(deep), HasSubstr("deeper than the limit of 128"));
  std::string huge = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_THAT(ReadError(huge), HasSubstr("deeper than the limit"));
  JsonLimits tight;
  tight.max_depth = 2;
  EXPECT_TRUE(ReadValueJson("[[1]]", tight).ok());
  EXPECT_FALSE(ReadValueJson("[[[1]]]", tight).ok());
  // The default limits take effect again afterwards.
  EXPECT_TRUE(ReadValueJson(ok).ok());
}

TEST(ReadValueJson, EnforcesTheSizeLimit) {
  JsonLimits small;
  small.max_bytes = 4;
  EXPECT_TRUE(ReadValueJson("1234", small).ok());
  Result<Value> v = ReadValueJson("12345", small);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().message(), "input is 5 bytes, over the limit of 4");
}

TEST(ReadContextJson, AcceptsOnlyRecords) {
  Result<Value> c = ReadContextJson(R"({"purpose": "warrant"})");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(*c->Find("purpose"), Value::String("warrant"));
  Result<Value> bad = ReadContextJson("[1]");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(),
            "at top level: the context must be a record, found a set");
  bad = ReadContextJson(R"({"__entity": {"type": "A", "id": "b"}})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message(), HasSubstr("must be a record"));
  bad = ReadContextJson(R"({"a": null})");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message(), StartsWith("at /a: "));
}

TEST(ReadEntityUidJson, ReadsBothForms) {
  Result<EntityUid> a = ReadEntityUidJson(R"({"type": "User", "id": "a"})");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, (EntityUid{"User", "a"}));
  Result<EntityUid> b =
      ReadEntityUidJson(R"({"__entity": {"type": "NS::User", "id": ""}})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, (EntityUid{"NS::User", ""}));
  // Unknown fields are ignored, as Cedar ignores them.
  EXPECT_TRUE(ReadEntityUidJson(R"({"type": "A", "id": "b", "x": 1})").ok());
}

TEST(ReadEntityUidJson, RejectsMalformedReferences) {
  for (std::string_view bad :
       {R"("User::\"a\"")", R"({"type": "A"})", R"({"type": "A", "id": 1})",
        R"({"__entity": {"type": "A"}})", "[]"}) {
    Result<EntityUid> u = ReadEntityUidJson(bad);
    ASSERT_FALSE(u.ok()) << bad;
    EXPECT_THAT(u.error().message(), HasSubstr("expected an entity reference"))
        << bad;
  }
  Result<EntityUid> u = ReadEntityUidJson(R"({"__expr": "User::\"a\""})");
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.error().message(), HasSubstr("`__expr` escape"));
  u = ReadEntityUidJson(R"({"type": "A", "id": "b", "id": "c"})");
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.error().message(), HasSubstr("duplicate key `id`"));
  u = ReadEntityUidJson(R"({"type": "A B", "id": "b"})");
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.error().message(), StartsWith("at /type: invalid entity type"));
  u = ReadEntityUidJson(R"({"__entity": {"type": "A", "id": "b", "id": "c"}})");
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.error().message(), HasSubstr("at /__entity: duplicate key"));
  u = ReadEntityUidJson("{");
  ASSERT_FALSE(u.ok());
  EXPECT_THAT(u.error().message(), StartsWith("invalid JSON"));
}

TEST(ReadRequestJson, ReadsARequestLine) {
  Result<Request> r = ReadRequestJson(
      R"({"principal": {"type": "User", "id": "alice"},
          "action": {"type": "Action", "id": "search"},
          "resource": {"__entity": {"type": "Dataset", "id": "persons"}},
          "context": {"n": 1}})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->principal, (EntityUid{"User", "alice"}));
  EXPECT_EQ(r->action, (EntityUid{"Action", "search"}));
  EXPECT_EQ(r->resource, (EntityUid{"Dataset", "persons"}));
  EXPECT_EQ(r->context, Value::Record({{"n", Value::Long(1)}}));
}

TEST(ReadRequestJson, DefaultsTheContextToAnEmptyRecord) {
  Result<Request> r = ReadRequestJson(
      R"({"principal": {"type": "U", "id": "a"},
          "action": {"type": "Action", "id": "x"},
          "resource": {"type": "R", "id": "r"}})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->context, Value::Record({}));
}

TEST(ReadRequestJson, ReportsEachKindOfMistake) {
  auto error = [](std::string_view json) {
    Result<Request> r = ReadRequestJson(json);
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? std::string() : r.error().message();
  };
  const std::string uids =
      R"("principal": {"type": "U", "id": "a"}, "action": {"type": "Action",
         "id": "x"}, "resource": {"type": "R", "id": "r"})";
  EXPECT_EQ(error("[]"),
            "at top level: expected a request object, found an array `[]`");
  EXPECT_EQ(error(R"({"action": {"type": "Action", "id": "x"}})"),
            "at top level: missing field `principal`");
  EXPECT_THAT(error("{" + uids + R"(, "extra": 1})"),
              HasSubstr("unknown field `extra`"));
  EXPECT_THAT(error("{" + uids + R"(, "context": [1]})"),
              StartsWith("at /context: the context must be a record"));
  EXPECT_THAT(error("{" + uids + R"(, "context": {"a": 1.5}})"),
              StartsWith("at /context/a: "));
  EXPECT_THAT(error(R"({"principal": 1, "action": {"type": "Action",
                        "id": "x"}, "resource": {"type": "R", "id": "r"}})"),
              StartsWith("at /principal: expected an entity reference"));
  EXPECT_THAT(error("{" + uids + R"(, "context": {}, "context": {}})"),
              HasSubstr("duplicate key `context`"));
  EXPECT_THAT(error("{"), StartsWith("invalid JSON"));
}

TEST(WriteValueJson, WritesEveryKind) {
  EXPECT_EQ(WriteValueJson(Value::Bool(true)), "true");
  EXPECT_EQ(WriteValueJson(Value::Long(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(WriteValueJson(Value::String("a\"b")), R"("a\"b")");
  EXPECT_EQ(WriteValueJson(Value::Entity({"NS::User", "x"})),
            R"({"__entity":{"type":"NS::User","id":"x"}})");
  EXPECT_EQ(WriteValueJson(Value::Set({Value::Long(2), Value::Long(1)})),
            "[1,2]");
  EXPECT_EQ(WriteValueJson(
                Value::Record({{"b", Value::Long(1)}, {"a", Value::Set({})}})),
            R"({"a":[],"b":1})");
  EXPECT_EQ(WriteValueJson(Dec("-1.5")),
            R"({"__extn":{"fn":"decimal","arg":"-1.5000"}})");
  EXPECT_EQ(WriteValueJson(*ParseIp("10.0.0.0/8")),
            R"({"__extn":{"fn":"ip","arg":"10.0.0.0/8"}})");
  EXPECT_EQ(WriteValueJson(*ParseDuration("90m")),
            R"({"__extn":{"fn":"duration","arg":"1h30m"}})");
  EXPECT_EQ(WriteValueJson(*ParseDatetime("2024-10-15T11:38:02.500Z")),
            R"({"__extn":{"fn":"datetime","arg":"2024-10-15T11:38:02.500Z"}})");
  EXPECT_EQ(WriteValueJson(Value::Datetime(-1)),
            R"({"__extn":{"fn":"datetime","arg":"1969-12-31T23:59:59.999Z"}})");
}

TEST(WriteValueJson, WritesFarDatetimesAsOffsetsFromTheEpoch) {
  Value far = Value::Datetime(std::numeric_limits<int64_t>::max());
  std::string json = WriteValueJson(far);
  EXPECT_THAT(json, HasSubstr("\"fn\":\"offset\""));
  Result<Value> back = ReadValueJson(json);
  ASSERT_TRUE(back.ok()) << json << ": " << back.error().message();
  EXPECT_EQ(*back, far);
}

TEST(WriteValueJson, RoundTripsThroughReadValueJson) {
  Value v = Value::Record({
      {"set", Value::Set({Value::Long(-3), Value::String("\x01\n\t\\")})},
      {"who", Value::Entity({"A::B", "id with \"quotes\""})},
      {"when", *ParseDatetime("2000-02-29T23:59:59Z")},
      {"ip6", *ParseIp("::1")},
      {"nested", Value::Record({{"d", Dec("3.1415")}})},
      {"long", Value::Long(std::numeric_limits<int64_t>::max())},
  });
  Result<Value> back = ReadValueJson(WriteValueJson(v));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, v);
}

TEST(JsonQuote, EscapesQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(JsonQuote("plain"), "\"plain\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(JsonQuote("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(JsonQuote(std::string_view("\0\x1f", 2)), R"("\u0000\u001f")");
  EXPECT_EQ(JsonQuote("\x7f"), "\"\x7f\"");
  EXPECT_EQ(JsonQuote("é😀"), "\"é😀\"");
}

TEST(JsonQuote, ReplacesInvalidUtf8SoThatTheOutputIsValidJson) {
  EXPECT_EQ(JsonQuote("a\xff"
                      "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  EXPECT_EQ(JsonQuote("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // overlong
  EXPECT_EQ(JsonQuote("\xED\xA0\x80"),  // surrogate
            "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonQuote("\xE2\x82"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");  // cut
  EXPECT_EQ(JsonQuote("é\xff"), "\"é\xEF\xBF\xBD\"");
  Result<Value> v = ReadValueJson(JsonQuote("x\xF5\x80\x80\x80y"));
  EXPECT_TRUE(v.ok());
}

TEST(IndentJson, LaysOutOneMemberALine) {
  EXPECT_EQ(IndentJson(R"({"a":[1,2],"b":{},"c":[ ]})"),
            "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {},\n  \"c\": []\n}");
  EXPECT_EQ(IndentJson("[]"), "[]");
  EXPECT_EQ(IndentJson("7"), "7");
  EXPECT_EQ(IndentJson(R"(["a,b:{c}[\"]",1])", 1),
            "[\n \"a,b:{c}[\\\"]\",\n 1\n]");
}

TEST(IndentJson, SurvivesMalformedInput) {
  EXPECT_EQ(IndentJson("]]"), "\n]\n]");
  EXPECT_EQ(IndentJson("[\"abc"), "[\n  \"abc");
  EXPECT_EQ(IndentJson("\"\\"), "\"\\");
}

TEST(IndentJson, ChangesOnlyWhitespace) {
  std::string compact = WriteValueJson(Value::Record(
      {{"k \" ,:", Value::Set({Value::Long(1), Value::String("{[")})},
       {"e", Value::Entity({"A", "]}"})}}));
  std::string pretty = IndentJson(compact);
  Result<Value> a = ReadValueJson(compact);
  Result<Value> b = ReadValueJson(pretty);
  ASSERT_TRUE(a.ok() && b.ok()) << pretty;
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(IndentJson(pretty), pretty);
}

TEST(IsValidCedarName, AcceptsNormalizedNamesOnly) {
  EXPECT_TRUE(IsValidCedarName("User"));
  EXPECT_TRUE(IsValidCedarName("NS::Sub::User_1"));
  EXPECT_TRUE(IsValidCedarName("_"));
  EXPECT_TRUE(IsValidCedarName("principal"));
  EXPECT_TRUE(IsValidCedarName("__cedarx"));
  EXPECT_FALSE(IsValidCedarName(""));
  EXPECT_FALSE(IsValidCedarName("1A"));
  EXPECT_FALSE(IsValidCedarName("A :: B"));
  EXPECT_FALSE(IsValidCedarName(" A"));
  EXPECT_FALSE(IsValidCedarName("::A"));
  EXPECT_FALSE(IsValidCedarName("A::::B"));
  EXPECT_FALSE(IsValidCedarName("é"));
  EXPECT_FALSE(IsValidCedarName("A-b"));
  for (const char* r :
       {"true", "false", "if", "then", "else", "in", "is", "like", "has"}) {
    EXPECT_FALSE(IsValidCedarName(r)) << r;
    EXPECT_FALSE(IsValidCedarName(std::string("A::") + r)) << r;
  }
  EXPECT_FALSE(IsValidCedarName("__cedar"));
  EXPECT_FALSE(IsValidCedarName("A::__cedar"));
}

}  // namespace
}  // namespace haven::cedar
