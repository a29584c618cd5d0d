#include "cedar/policy_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "cedar/extensions.h"
#include "cedar/parser.h"

namespace haven::cedar {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A policy with no scope constraints and one `when` condition.
std::string When(std::string_view body) {
  return R"({"effect": "permit", "principal": {"op": "All"},
             "action": {"op": "All"}, "resource": {"op": "All"},
             "conditions": [{"kind": "when", "body": )" +
         std::string(body) + "}]}";
}

std::string WithScope(std::string_view principal, std::string_view action,
                      std::string_view resource) {
  return R"({"effect": "forbid", "principal": )" + std::string(principal) +
         R"(, "action": )" + std::string(action) + R"(, "resource": )" +
         std::string(resource) + R"(, "conditions": []})";
}

Policy Read(std::string_view json) {
  Result<Policy> p = ReadPolicyJson(json);
  EXPECT_TRUE(p.ok()) << json << ": " << p.error().message();
  return p.ok() ? *p : Policy();
}

std::string ReadError(std::string_view json) {
  Result<Policy> p = ReadPolicyJson(json);
  EXPECT_FALSE(p.ok()) << json << " was accepted";
  return p.ok() ? std::string() : p.error().message();
}

ExprPtr ReadE(std::string_view json) {
  Result<ExprPtr> e = ReadExprJson(json);
  EXPECT_TRUE(e.ok()) << json << ": " << e.error().message();
  return e.ok() ? *e : nullptr;
}

std::string ExprError(std::string_view json) {
  Result<ExprPtr> e = ReadExprJson(json);
  EXPECT_FALSE(e.ok()) << json << " was accepted";
  return e.ok() ? std::string() : e.error().message();
}

TEST(ReadPolicyJson, ReadsAFullPolicy) {
  Policy p = Read(R"({
    "effect": "forbid",
    "principal": {"op": "==", "entity": {"type": "User", "id": "alice"}},
    "action": {"op": "in", "entities": [{"type": "Action", "id": "read"},
                                        {"type": "NS::Action", "id": "w"}]},
    "resource": {"op": "is", "entity_type": "Doc",
                 "in": {"entity": {"__entity": {"type": "Folder", "id": "f"}}}},
    "conditions": [{"kind": "when", "body": {"Value": true}},
                   {"kind": "unless", "body": {"Var": "context"}}],
    "annotations": {"id": "no-ice", "sealed": null}
  })");
  EXPECT_EQ(p.effect, Effect::kForbid);
  EXPECT_EQ(p.principal.op, EntityScope::Op::kEq);
  EXPECT_EQ(p.principal.entity, (EntityUid{"User", "alice"}));
  EXPECT_EQ(p.action.op, ActionScope::Op::kInSet);
  ASSERT_EQ(p.action.entities.size(), 2u);
  EXPECT_EQ(p.action.entities[1], (EntityUid{"NS::Action", "w"}));
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIsIn);
  EXPECT_EQ(p.resource.entity_type, "Doc");
  EXPECT_EQ(p.resource.entity, (EntityUid{"Folder", "f"}));
  ASSERT_EQ(p.conditions.size(), 2u);
  EXPECT_TRUE(p.conditions[0].is_when);
  EXPECT_EQ(p.conditions[0].body->literal, Value::Bool(true));
  EXPECT_FALSE(p.conditions[1].is_when);
  EXPECT_EQ(p.conditions[1].body->var, Var::kContext);
  ASSERT_EQ(p.annotations.size(), 2u);
  EXPECT_EQ(*p.Annotation("id"), "no-ice");
  EXPECT_EQ(*p.Annotation("sealed"), "");
  EXPECT_FALSE(p.is_template());
}

TEST(ReadPolicyJson, ReadsEveryScopeForm) {
  Policy p =
      Read(WithScope(R"({"op": "all"})",
                     R"({"op": "==", "entity": {"type": "Action",
                                                       "id": "a"}})",
                     R"({"op": "in", "entity": {"type": "F", "id": "f"}})"));
  EXPECT_EQ(p.principal.op, EntityScope::Op::kAny);
  EXPECT_EQ(p.action.op, ActionScope::Op::kEq);
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIn);
  p = Read(WithScope(R"({"op": "is", "entity_type": "NS::User"})",
                     R"({"op": "in", "entity": {"type": "Action", "id": "g"}})",
                     R"({"op": "is", "entity_type": "Doc", "in": null})"));
  EXPECT_EQ(p.principal.op, EntityScope::Op::kIs);
  EXPECT_EQ(p.principal.entity_type, "NS::User");
  EXPECT_EQ(p.action.op, ActionScope::Op::kIn);
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIs);
  p = Read(WithScope(R"({"op": "All"})", R"({"op": "in", "entities": []})",
                     R"({"op": "All"})"));
  EXPECT_EQ(p.action.op, ActionScope::Op::kInSet);
  EXPECT_TRUE(p.action.entities.empty());
}

TEST(ReadPolicyJson, ReadsTemplateSlotsInTheirOwnScopes) {
  Policy p = Read(WithScope(
      R"({"op": "==", "slot": "?principal"})", R"({"op": "All"})",
      R"({"op": "is", "entity_type": "Doc", "in": {"slot": "?resource"}})"));
  EXPECT_TRUE(p.is_template());
  EXPECT_EQ(p.principal.slot, Slot::kPrincipal);
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIsIn);
  EXPECT_EQ(p.resource.slot, Slot::kResource);
  EXPECT_THAT(ReadError(WithScope(R"({"op": "==", "slot": "?resource"})",
                                  R"({"op": "All"})", R"({"op": "All"})")),
              StartsWith("at /principal/slot: slot ?resource cannot be used "
                         "here"));
  EXPECT_THAT(ReadError(WithScope(R"({"op": "in", "slot": "resource"})",
                                  R"({"op": "All"})", R"({"op": "All"})")),
              StartsWith("at /principal/slot: expected a slot"));
}

TEST(ReadPolicyJson, RejectsMalformedScopes) {
  const std::string all = R"({"op": "All"})";
  EXPECT_THAT(ReadError(WithScope(R"({"op": "like"})", all, all)),
              StartsWith("at /principal/op: unknown scope operator `like`"));
  EXPECT_EQ(ReadError(WithScope(R"({})", all, all)),
            "at /principal: missing field `op`");
  EXPECT_THAT(ReadError(WithScope("1", all, all)),
              StartsWith("at /principal: expected a scope object"));
  EXPECT_EQ(ReadError(WithScope(R"({"op": "=="})", all, all)),
            "at /principal: expected a field `entity` or `slot`");
  EXPECT_THAT(ReadError(WithScope(R"({"op": "is", "entity_type": "A", "x": 1})",
                                  all, all)),
              StartsWith("at /principal: unknown field `x`"));
  EXPECT_THAT(ReadError(WithScope(R"({"op": "is"})", all, all)),
              StartsWith("at /principal: missing field `entity_type`"));
  EXPECT_THAT(
      ReadError(WithScope(R"({"op": "is", "entity_type": "A B"})", all, all)),
      StartsWith("at /principal/entity_type: invalid entity type"));
  EXPECT_THAT(ReadError(WithScope(
                  R"({"op": "is", "entity_type": "A", "in": 3})", all, all)),
              StartsWith("at /principal/in: expected"));
  EXPECT_THAT(
      ReadError(WithScope(all, R"({"op": "is", "entity_type": "A"})", all)),
      StartsWith("at /action/op: unknown action scope operator `is`"));
  EXPECT_EQ(
      ReadError(WithScope(all, R"({"op": "==", "slot": "?principal"})", all)),
      "at /action/slot: slots are not allowed for actions");
  EXPECT_EQ(
      ReadError(WithScope(all, R"({"op": "in", "slot": "?principal"})", all)),
      "at /action/slot: slots are not allowed for actions");
  EXPECT_EQ(
      ReadError(WithScope(all, R"({"op": "==", "entity": {"type": "A",
                                                          "id": "b"}})",
                          all)),
      "at /action/entity: expected an entity uid with type `Action` but got "
      "`A::\"b\"`");
  EXPECT_THAT(
      ReadError(WithScope(all, R"({"op": "in", "entities": [
          {"type": "Action", "id": "a"}, {"type": "MyAction", "id": "b"}]})",
                          all)),
      StartsWith("at /action/entities/1: expected an entity uid with type"));
  EXPECT_EQ(ReadError(WithScope(all, R"({"op": "in", "entities": 1})", all)),
            "at /action: expected a field `entity` or `entities` (an array)");
  EXPECT_EQ(ReadError(WithScope(all, R"({"op": "=="})", all)),
            "at /action: expected a field `entity`");
  EXPECT_THAT(ReadError(WithScope(all, all, R"({"op": "==", "entity": 1})")),
              StartsWith("at /resource/entity: expected an entity reference"));
}

TEST(ReadPolicyJson, RejectsMalformedPolicies) {
  EXPECT_THAT(ReadError("[]"), StartsWith("at top level: expected an object"));
  EXPECT_THAT(ReadError(R"({"effect": "permit"})"),
              StartsWith("at top level: missing field `principal`"));
  std::string p = When(R"({"Value": true})");
  std::string extra = p.substr(0, p.size() - 1) + R"(, "foo": 1})";
  EXPECT_THAT(ReadError(extra),
              StartsWith("at top level: unknown field `foo`, expected one of "
                         "`effect`, `principal`"));
  std::string dup = p.substr(0, p.size() - 1) + R"(, "effect": "forbid"})";
  EXPECT_EQ(ReadError(dup), "at top level: duplicate key `effect`");
  std::string allow = p;
  allow.replace(allow.find("permit"), 6, "allow");
  EXPECT_THAT(ReadError(allow),
              StartsWith("at /effect: expected `permit` or `forbid`"));
  std::string no_conds =
      WithScope(R"({"op": "All"})", R"({"op": "All"})", R"({"op": "All"})");
  no_conds.replace(no_conds.find(R"(, "conditions": [])"), 18, "");
  EXPECT_EQ(ReadError(no_conds), "at top level: missing field `conditions`");
}

TEST(ReadPolicyJson, RejectsMalformedConditions) {
  auto with_conditions = [](std::string_view conds) {
    return R"({"effect": "permit", "principal": {"op": "All"},
               "action": {"op": "All"}, "resource": {"op": "All"},
               "conditions": )" +
           std::string(conds) + "}";
  };
  EXPECT_THAT(ReadError(with_conditions("{}")),
              StartsWith("at /conditions: expected an array of conditions"));
  EXPECT_THAT(
      ReadError(with_conditions(R"([{"kind": "if", "body": {"Value": 1}}])")),
      StartsWith("at /conditions/0/kind: expected `when` or `unless`"));
  EXPECT_THAT(ReadError(with_conditions(
                  R"([{"kind": "when", "body": {"Value": 1}, "x": 1}])")),
              StartsWith("at /conditions/0: unknown field `x`"));
  EXPECT_EQ(ReadError(with_conditions(R"([{"kind": "when"}])")),
            "at /conditions/0: missing field `body`");
  EXPECT_THAT(ReadError(with_conditions(
                  R"([{"kind": "unless", "body": {"==": {"left":
                       {"Slot": "?principal"}, "right": {"Value": 1}}}}])")),
              StartsWith("at /conditions/0/body: found template slot "
                         "?principal in a `unless` clause"));
}

TEST(ReadPolicyJson, RejectsMalformedAnnotations) {
  std::string p = When(R"({"Value": true})");
  auto with = [&](std::string_view annos) {
    return p.substr(0, p.size() - 1) + R"(, "annotations": )" +
           std::string(annos) + "}";
  };
  EXPECT_THAT(ReadError(with(R"({"a": 1})")),
              StartsWith("at /annotations/a: expected a string"));
  EXPECT_THAT(ReadError(with(R"({"a b": "x"})")),
              StartsWith("at /annotations/a b: invalid annotation key"));
  EXPECT_THAT(ReadError(with("[]")),
              StartsWith("at /annotations: expected an object"));
  EXPECT_EQ(ReadError(with(R"({"a": "x", "a": "y"})")),
            "at /annotations: duplicate key `a`");
  // Reserved words are fine as annotation keys.
  EXPECT_TRUE(ReadPolicyJson(with(R"({"if": "x"})")).ok());
}

struct OpCase {
  const char* key;
  ExprKind kind;
};

TEST(ReadExprJson, ReadsEveryBinaryOperator) {
  for (OpCase c : {OpCase{"==", ExprKind::kEq},
                   {"!=", ExprKind::kNotEq},
                   {"in", ExprKind::kIn},
                   {"<", ExprKind::kLess},
                   {"<=", ExprKind::kLessEq},
                   {">", ExprKind::kGreater},
                   {">=", ExprKind::kGreaterEq},
                   {"&&", ExprKind::kAnd},
                   {"||", ExprKind::kOr},
                   {"+", ExprKind::kAdd},
                   {"-", ExprKind::kSub},
                   {"*", ExprKind::kMul},
                   {"contains", ExprKind::kContains},
                   {"containsAll", ExprKind::kContainsAll},
                   {"containsAny", ExprKind::kContainsAny},
                   {"getTag", ExprKind::kGetTag},
                   {"hasTag", ExprKind::kHasTag}}) {
    std::string json =
        std::string(R"({")") + c.key +
        R"(": {"left": {"Value": 1}, "right": {"Var": "principal"}}})";
    ExprPtr e = ReadE(json);
    ASSERT_NE(e, nullptr) << c.key;
    EXPECT_EQ(e->kind, c.kind) << c.key;
    ASSERT_EQ(e->args.size(), 2u);
    EXPECT_EQ(e->args[0]->literal, Value::Long(1));
    EXPECT_EQ(e->args[1]->kind, ExprKind::kVar);
    EXPECT_EQ(WriteExprJson(*e),
              std::string(R"({")") + c.key +
                  R"(":{"left":{"Value":1},"right":{"Var":"principal"}}})");
    EXPECT_THAT(ExprError(std::string(R"({")") + c.key +
                          R"(": {"left": {"Value": 1}}})"),
                HasSubstr("missing field `right`"))
        << c.key;
    EXPECT_THAT(ExprError(std::string(R"({")") + c.key +
                          R"(": {"left": {"Value": 1}, "right": {"Value": 1},
                                 "x": 1}})"),
                HasSubstr("unknown field `x`"))
        << c.key;
  }
}

TEST(ReadExprJson, ReadsUnaryOperators) {
  for (OpCase c : {OpCase{"!", ExprKind::kNot},
                   {"neg", ExprKind::kNeg},
                   {"isEmpty", ExprKind::kIsEmpty}}) {
    std::string json =
        std::string(R"({")") + c.key + R"(": {"arg": {"Value": 1}}})";
    ExprPtr e = ReadE(json);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->kind, c.kind);
    EXPECT_EQ(WriteExprJson(*e),
              std::string(R"({")") + c.key + R"(":{"arg":{"Value":1}}})");
    EXPECT_THAT(ExprError(std::string(R"({")") + c.key + R"(": {}})"),
                HasSubstr("missing field `arg`"));
  }
}

TEST(ReadExprJson, ReadsVarsAndSlots) {
  const char* vars[] = {"principal", "action", "resource", "context"};
  for (int i = 0; i < 4; ++i) {
    ExprPtr e = ReadE(std::string(R"({"Var": ")") + vars[i] + "\"}");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->var, static_cast<Var>(i));
    EXPECT_EQ(WriteExprJson(*e), std::string(R"({"Var":")") + vars[i] + "\"}");
  }
  EXPECT_THAT(ExprError(R"({"Var": "user"})"),
              StartsWith("at /Var: expected `principal`"));
  ExprPtr s = ReadE(R"({"Slot": "?resource"})");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->kind, ExprKind::kSlot);
  EXPECT_EQ(s->slot, Slot::kResource);
  EXPECT_EQ(WriteExprJson(*s), R"({"Slot":"?resource"})");
  EXPECT_THAT(ExprError(R"({"Slot": "?x"})"),
              StartsWith("at /Slot: expected a slot"));
}

TEST(ReadExprJson, ReadsValuesAsExpressionsWithoutEvaluatingThem) {
  ExprPtr e = ReadE(R"({"Value": {"a": [1, {"__entity": {"type": "U",
      "id": "x"}}], "d": {"__extn": {"fn": "decimal", "arg": "bad"}}}})");
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->kind, ExprKind::kRecord);
  ASSERT_EQ(e->keys, (std::vector<std::string>{"a", "d"}));
  const Expr& set = *e->args[0];
  ASSERT_EQ(set.kind, ExprKind::kSet);
  EXPECT_EQ(set.args[1]->literal, Value::Entity({"U", "x"}));
  const Expr& call = *e->args[1];
  EXPECT_EQ(call.kind, ExprKind::kExtCall);
  EXPECT_EQ(call.name, "decimal");
  EXPECT_EQ(call.args[0]->literal, Value::String("bad"));
  // Unknown functions in a Value are evaluation errors in Cedar, not
  // parse errors.
  e = ReadE(R"({"Value": {"__extn": {"fn": "foo", "args": [1, 2]}}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->name, "foo");
  EXPECT_EQ(e->args.size(), 2u);
}

TEST(ReadExprJson, RejectsBadValues) {
  EXPECT_EQ(ExprError(R"({"Value": null})"),
            "at /Value: found `null`; JSON nulls are not allowed in Cedar");
  EXPECT_THAT(ExprError(R"({"Value": [1.5]})"),
              StartsWith("at /Value/0: expected an integer"));
  EXPECT_THAT(ExprError(R"({"Value": 9223372036854775808})"),
              HasSubstr("out of the signed 64-bit range"));
  EXPECT_EQ(ExprError(R"({"Value": {"__expr": "1"}})"),
            "at /Value: the `__expr` escape is no longer supported");
  EXPECT_EQ(ExprError(R"({"Value": {"a": 1, "a": 2}})"),
            "at /Value: duplicate key `a`");
  EXPECT_THAT(
      ExprError(R"({"Value": {"__entity": {"type": "if", "id": "x"}}})"),
      StartsWith("at /Value/__entity/type: invalid entity type `if`"));
  EXPECT_THAT(
      ExprError(R"({"Value": {"__extn": {"fn": "a::", "arg": "x"}}})"),
      StartsWith("at /Value/__extn/fn: invalid extension function name"));
  EXPECT_EQ(
      ExprError(R"({"Value": {"__extn": {"fn": "ip", "arg": "x", "arg": 1}}})"),
      "at /Value/__extn: duplicate key `arg`");
}

TEST(ReadExprJson, ReadsAttributeAccessAndHas) {
  ExprPtr e = ReadE(R"({".": {"left": {"Var": "context"}, "attr": "a b"}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kGetAttr);
  EXPECT_EQ(e->name, "a b");
  EXPECT_EQ(WriteExprJson(*e),
            R"({".":{"left":{"Var":"context"},"attr":"a b"}})");
  e = ReadE(R"({"has": {"left": {"Var": "context"}, "attr": "x"}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kHasAttr);
  EXPECT_EQ(WriteExprJson(*e),
            R"({"has":{"left":{"Var":"context"},"attr":"x"}})");
  e = ReadE(R"({"has": {"left": {"Var": "context"}, "attr": ["x"]}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kHasAttr);
  EXPECT_EQ(e->name, "x");
}

TEST(ReadExprJson, DesugarsHasPaths) {
  ExprPtr e = ReadE(
      R"({"has": {"left": {"Var": "context"}, "attr": ["a", "b", "c"]}})");
  ASSERT_NE(e, nullptr);
  // ((context has a) && (context.a has b)) && (context.a.b has c)
  EXPECT_EQ(WriteExprJson(*e),
            R"({"&&":{"left":{"&&":{"left":{"has":{"left":{"Var":"context"},)"
            R"("attr":"a"}},"right":{"has":{"left":{".":{"left":{"Var":)"
            R"("context"},"attr":"a"}},"attr":"b"}}}},"right":{"has":{"left":)"
            R"({".":{"left":{".":{"left":{"Var":"context"},"attr":"a"}},)"
            R"("attr":"b"}},"attr":"c"}}}})");
  EXPECT_THAT(
      ExprError(R"({"has": {"left": {"Var": "context"}, "attr": []}})"),
      StartsWith("at /has/attr: expected an attribute name or a non-empty"));
  EXPECT_THAT(
      ExprError(R"({"has": {"left": {"Var": "context"}, "attr": ["a", 1]}})"),
      StartsWith("at /has/attr/1: expected an attribute name"));
  EXPECT_THAT(
      ExprError(R"({".": {"left": {"Var": "context"}, "attr": ["a"]}})"),
      StartsWith("at /./attr: expected an attribute name"));
}

TEST(ReadExprJson, ReadsLikePatterns) {
  ExprPtr e = ReadE(R"({"like": {"left": {"Value": "abc"}, "pattern": [
      {"Literal": "a"}, {"Literal": "*"}, "Wildcard", "Wildcard",
      {"Literal": ""}, {"Literal": "b"}]}})");
  ASSERT_NE(e, nullptr);
  ASSERT_EQ(e->pattern.size(), 4u);
  EXPECT_EQ(e->pattern[0].literal, "a*");  // adjacent literals merge
  EXPECT_TRUE(e->pattern[1].wildcard);
  EXPECT_TRUE(e->pattern[2].wildcard);
  EXPECT_EQ(e->pattern[3].literal, "b");
  EXPECT_EQ(WriteExprJson(*e),
            R"({"like":{"left":{"Value":"abc"},"pattern":[{"Literal":"a*"},)"
            R"("Wildcard","Wildcard",{"Literal":"b"}]}})");
  EXPECT_THAT(ExprError(R"({"like": {"left": {"Value": "a"},
                                     "pattern": ["Star"]}})"),
              StartsWith("at /like/pattern/0: expected \"Wildcard\""));
  EXPECT_THAT(ExprError(R"({"like": {"left": {"Value": "a"},
                                     "pattern": "a*"}})"),
              StartsWith("at /like/pattern: expected an array"));
  EXPECT_THAT(ExprError(R"({"like": {"left": {"Value": "a"},
                                     "pattern": [{"Literal": 1}]}})"),
              StartsWith("at /like/pattern/0: expected"));
}

TEST(ReadExprJson, ReadsIsWithAndWithoutIn) {
  ExprPtr e = ReadE(
      R"({"is": {"left": {"Var": "principal"}, "entity_type": "NS::User"}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kIs);
  EXPECT_EQ(e->name, "NS::User");
  EXPECT_EQ(e->args.size(), 1u);
  e = ReadE(R"({"is": {"left": {"Var": "principal"}, "entity_type": "U",
                        "in": {"Set": []}}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->args.size(), 2u);
  EXPECT_EQ(WriteExprJson(*e),
            R"({"is":{"left":{"Var":"principal"},"entity_type":"U",)"
            R"("in":{"Set":[]}}})");
  EXPECT_THAT(ExprError(R"({"is": {"left": {"Var": "principal"},
                                   "entity_type": "in"}})"),
              StartsWith("at /is/entity_type: invalid entity type `in`"));
  EXPECT_THAT(ExprError(R"({"is": {"left": {"Var": "principal"}}})"),
              StartsWith("at /is: missing field `entity_type`"));
}

TEST(ReadExprJson, ReadsConditionalsSetsRecordsAndExtensionCalls) {
  ExprPtr e = ReadE(R"({"if-then-else": {"if": {"Value": true},
      "then": {"Set": [{"Value": 1}, {"Var": "action"}]},
      "else": {"Record": {"k": {"decimal": [{"Value": "1.5"}]}}}}})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kIf);
  EXPECT_EQ(e->args[1]->kind, ExprKind::kSet);
  EXPECT_EQ(e->args[2]->kind, ExprKind::kRecord);
  EXPECT_EQ(e->args[2]->args[0]->kind, ExprKind::kExtCall);
  EXPECT_EQ(WriteExprJson(*e),
            R"({"if-then-else":{"if":{"Value":true},"then":{"Set":[)"
            R"({"Value":1},{"Var":"action"}]},"else":{"Record":{"k":)"
            R"({"decimal":[{"Value":"1.5"}]}}}}})");
  // Arity is checked at evaluation, as in Cedar.
  e = ReadE(R"({"lessThan": [{"Value": 1}]})");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, ExprKind::kExtCall);
  EXPECT_EQ(e->args.size(), 1u);
}

TEST(ReadExprJson, RejectsMalformedExpressions) {
  EXPECT_EQ(ExprError("{}"),
            "at top level: an empty object is not a valid expression");
  EXPECT_EQ(ExprError(R"({"Value": 1, "Var": "principal"})"),
            "at top level: an expression object has exactly one key, found "
            "`Value` and `Var`");
  EXPECT_THAT(ExprError(R"({"foo": []})"),
              StartsWith("at top level: unknown expression `foo`"));
  EXPECT_THAT(ExprError(R"({"NS::decimal": []})"),
              StartsWith("at top level: unknown expression `NS::decimal`"));
  EXPECT_THAT(ExprError("1"),
              StartsWith("at top level: expected an expression"));
  EXPECT_THAT(ExprError(R"({"Set": {"Value": 1}})"),
              StartsWith("at /Set: expected an array of expressions"));
  EXPECT_THAT(ExprError(R"({"Set": [1]})"),
              StartsWith("at /Set/0: expected an expression"));
  EXPECT_THAT(ExprError(R"({"Record": []})"),
              StartsWith("at /Record: expected an object of expressions"));
  EXPECT_EQ(ExprError(R"({"Record": {"a": {"Value": 1}, "a": {"Value": 2}}})"),
            "at /Record: duplicate key `a`");
  EXPECT_THAT(ExprError(R"({"decimal": {"Value": "1.0"}})"),
              StartsWith("at /decimal: expected an array of arguments"));
  EXPECT_THAT(ExprError(R"({"ip": [{"Value": null}]})"),
              StartsWith("at /ip/0/Value: found `null`"));
  EXPECT_THAT(ExprError(R"({"==": 1})"),
              StartsWith("at /==: expected an object with `left`, `right`"));
  EXPECT_THAT(ExprError(R"({"==": {"left": {"Value": 1}, "left": {"Value": 1},
                                   "right": {"Value": 1}}})"),
              StartsWith("at /==: duplicate key `left`"));
}

std::string NestedNots(int n) {
  std::string json;
  for (int i = 0; i < n; ++i) json += R"({"!": {"arg": )";
  json += R"({"Value": true})";
  for (int i = 0; i < n; ++i) json += "}}";
  return json;
}

TEST(ReadExprJson, RefusesDeepNestingWithoutOverflowingTheStack) {
  EXPECT_THAT(ExprError(NestedNots(5000)),
              HasSubstr("deeper than the limit of 2048"));
  // As deep as the text parser allows, and no deeper.
  EXPECT_TRUE(ReadExprJson(NestedNots(kMaxExpressionDepth - 1)).ok());
  EXPECT_THAT(ExprError(NestedNots(kMaxExpressionDepth)),
              HasSubstr("expression nested deeper than the limit of 1000"));
  std::string deep_value = R"({"Value": )" + std::string(1000, '[') + "1" +
                           std::string(1000, ']') + "}";
  EXPECT_THAT(ExprError(deep_value), HasSubstr("expression nested deeper"));
}

TEST(ReadExprJson, BoundsTheTreeThatHasPathsBuild) {
  std::string path = "[";
  for (int i = 0; i < 600; ++i) path += std::string(i ? "," : "") + "\"a\"";
  path += "]";
  EXPECT_THAT(ExprError(R"({"has": {"left": {"Var": "context"}, "attr": )" +
                        path + "}}"),
              StartsWith("at /has/attr: expression nested deeper"));
  // A long but legal path reads, and its tree respects the bound.
  std::string ok = "[";
  for (int i = 0; i < 400; ++i) ok += std::string(i ? "," : "") + "\"a\"";
  ok += "]";
  EXPECT_TRUE(ReadExprJson(R"({"has": {"left": {"Var": "context"}, "attr": )" +
                           ok + "}}")
                  .ok());
}

TEST(WritePolicyJson, WritesCedarsFieldOrder) {
  Policy p;
  p.effect = Effect::kForbid;
  p.principal.op = EntityScope::Op::kIn;
  p.principal.entity = EntityUid{"Agency", "ice"};
  p.action.op = ActionScope::Op::kIn;
  p.action.entities = {{"Action", "search"}};
  p.resource.op = EntityScope::Op::kIs;
  p.resource.entity_type = "Dataset";
  auto body = std::make_shared<Expr>();
  body->kind = ExprKind::kLiteral;
  body->literal = Value::Bool(true);
  p.conditions.push_back({false, body});
  p.annotations = {{"id", "ban \"ice\""}};
  EXPECT_EQ(WritePolicyJson(p),
            R"({"effect":"forbid","principal":{"op":"in","entity":)"
            R"({"type":"Agency","id":"ice"}},"action":{"op":"in","entity":)"
            R"({"type":"Action","id":"search"}},"resource":{"op":"is",)"
            R"("entity_type":"Dataset"},"conditions":[{"kind":"unless",)"
            R"("body":{"Value":true}}],"annotations":{"id":"ban \"ice\""}})");
}

TEST(WritePolicyJson, WritesLiteralSetsAndRecordsAsExpressions) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = Value::Record(
      {{"__entity", Value::Set({Value::Long(1), *ParseDecimal("2.5")})}});
  EXPECT_EQ(WriteExprJson(*e),
            R"({"Record":{"__entity":{"Set":[{"Value":1},{"Value":)"
            R"({"__extn":{"fn":"decimal","arg":"2.5000"}}}]}}})");
  Result<ExprPtr> back = ReadExprJson(WriteExprJson(*e));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ((*back)->kind, ExprKind::kRecord);
  EXPECT_EQ((*back)->keys[0], "__entity");
}

// Text -> AST -> JSON -> AST -> JSON: the two JSON texts must agree.
void ExpectJsonRoundTrip(std::string_view text) {
  Result<Policy> parsed = ParsePolicy(text);
  ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.error().message();
  std::string json = WritePolicyJson(*parsed);
  Result<Policy> back = ReadPolicyJson(json);
  ASSERT_TRUE(back.ok()) << json << ": " << back.error().message();
  EXPECT_EQ(WritePolicyJson(*back), json) << text;
}

TEST(WritePolicyJson, RoundTripsPoliciesFromText) {
  ExpectJsonRoundTrip(R"(@id("x") @sealed
    forbid(principal in Agency::"ice", action in [Action::"search",
           Action::"read"], resource is Dataset in Folder::"f")
    when { context.purpose like "*immigra\*tion*" && context has reason.code }
    unless { principal.age >= -5 || !(resource.tags.contains("x")) };)");
  ExpectJsonRoundTrip(R"(permit(principal == ?principal, action,
                                resource in ?resource)
    when { if [1, "a", {k: true}].isEmpty() then ip("10.0.0.1")
           .isInRange(ip("10.0.0.0/8")) else decimal("1.5").lessThan(
           decimal("2.0")) };)");
  ExpectJsonRoundTrip(R"(permit(principal is User, action == Action::"a",
                                resource)
    when { principal is User in [Group::"g"] && resource.hasTag("t") &&
           resource.getTag("t") != 2 * 3 - 1 + -(4) &&
           [1].containsAll([1]) && [2].containsAny([3]) &&
           datetime("2024-01-01").offset(duration("1h")) >
           datetime("2024-01-01") && {"a b": 1}["a b"] < 2 &&
           1 <= 2 && principal in resource };)");
}

TEST(ReadPolicySetJson, ReadsPoliciesTemplatesAndLinks) {
  Result<PolicySet> set = ReadPolicySetJson(R"({
    "staticPolicies": {
      "p1": {"effect": "permit", "principal": {"op": "All"},
             "action": {"op": "All"}, "resource": {"op": "All"},
             "conditions": []}},
    "templates": {
      "t1": {"effect": "permit",
             "principal": {"op": "==", "slot": "?principal"},
             "action": {"op": "All"},
             "resource": {"op": "in", "slot": "?resource"},
             "conditions": []}},
    "templateLinks": [
      {"templateId": "t1", "newId": "l1",
       "values": {"?principal": {"type": "User", "id": "a"},
                  "?resource": {"__entity": {"type": "F", "id": "f"}}}}]
  })");
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->policies.size(), 1u);
  EXPECT_EQ(set->policies[0].id, "p1");
  ASSERT_EQ(set->templates.size(), 1u);
  EXPECT_EQ(set->templates[0].id, "t1");
  ASSERT_EQ(set->links.size(), 1u);
  EXPECT_EQ(set->links[0].id, "l1");
  EXPECT_EQ(set->links[0].template_id, "t1");
  EXPECT_EQ(set->links[0].principal, (EntityUid{"User", "a"}));
  EXPECT_EQ(set->links[0].resource, (EntityUid{"F", "f"}));

  std::string json = WritePolicySetJson(*set);
  Result<PolicySet> back = ReadPolicySetJson(json);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(WritePolicySetJson(*back), json);
}

TEST(ReadPolicySetJson, AcceptsMissingSections) {
  Result<PolicySet> set = ReadPolicySetJson("{}");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->policies.empty());
  EXPECT_EQ(WritePolicySetJson(*set),
            R"({"staticPolicies":{},"templates":{},"templateLinks":[]})");
}

TEST(ReadPolicySetJson, ReportsEachInconsistency) {
  const std::string stat = R"({"effect": "permit", "principal": {"op": "All"},
      "action": {"op": "All"}, "resource": {"op": "All"}, "conditions": []})";
  const std::string tmpl = R"({"effect": "permit",
      "principal": {"op": "==", "slot": "?principal"},
      "action": {"op": "All"}, "resource": {"op": "All"}, "conditions": []})";
  auto error = [](const std::string& json) {
    Result<PolicySet> r = ReadPolicySetJson(json);
    EXPECT_FALSE(r.ok()) << json;
    return r.ok() ? std::string() : r.error().message();
  };
  EXPECT_THAT(error(R"({"links": []})"),
              StartsWith("at top level: unknown field `links`"));
  EXPECT_THAT(error(R"({"staticPolicies": {"a": )" + tmpl + "}}"),
              StartsWith("at /staticPolicies/a: expected a static policy, got "
                         "a template containing the slot ?principal"));
  EXPECT_THAT(error(R"({"templates": {"a": )" + stat + "}}"),
              StartsWith("at /templates/a: expected a template"));
  EXPECT_EQ(
      error(R"({"staticPolicies": {"a": )" + stat + R"(, "a": )" + stat + "}}"),
      "at /staticPolicies: duplicate key `a`");
  EXPECT_EQ(error(R"({"staticPolicies": {"a": )" + stat +
                  R"(}, "templates": {"a": )" + tmpl + "}}"),
            "at /templates/a: id `a` is already used by a static policy");
  const std::string with_t = R"({"templates": {"t": )" + tmpl + "}, ";
  EXPECT_EQ(error(with_t + R"("templateLinks": [{"templateId": "x",
      "newId": "l", "values": {}}]})"),
            "at /templateLinks/0/templateId: no template has id `x`");
  EXPECT_EQ(error(with_t + R"("templateLinks": [{"templateId": "t",
      "newId": "l", "values": {}}]})"),
            "at /templateLinks/0/values: the values must bind exactly the "
            "template's slots (?principal)");
  EXPECT_THAT(error(with_t + R"("templateLinks": [{"templateId": "t",
      "newId": "l", "values": {"?principal": {"type": "U", "id": "u"},
                               "?resource": {"type": "U", "id": "u"}}}]})"),
              HasSubstr("must bind exactly"));
  EXPECT_EQ(error(with_t + R"("templateLinks": [{"templateId": "t",
      "newId": "t", "values": {"?principal": {"type": "U", "id": "u"}}}]})"),
            "at /templateLinks/0/newId: id `t` is already in use");
  EXPECT_EQ(error(with_t + R"("templateLinks": [{"templateId": "t",
      "newId": "l", "values": {"?p": {"type": "U", "id": "u"}}}]})"),
            "at /templateLinks/0/values/?p: unknown slot `?p`, expected "
            "`?principal` or `?resource`");
  EXPECT_EQ(error(with_t + R"("templateLinks": [{"templateId": "t",
      "values": {}}]})"),
            "at /templateLinks/0: missing field `newId`");
  EXPECT_THAT(error(with_t + R"("templateLinks": {}})"),
              StartsWith("at /templateLinks: expected an array"));
  EXPECT_THAT(error(R"({"staticPolicies": []})"),
              StartsWith("at /staticPolicies: expected an object"));
  EXPECT_THAT(error(R"({"staticPolicies": {"p": {"effect": "permit"}}})"),
              StartsWith("at /staticPolicies/p: missing field `principal`"));
  EXPECT_THAT(error("[]"), StartsWith("at top level: expected an object"));
  EXPECT_THAT(error("{"), StartsWith("invalid JSON"));
}

}  // namespace
}  // namespace haven::cedar
