#include "cedar/parser.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cedar/printer.h"

namespace haven::cedar {
namespace {

// A compact dump of a tree, e.g. (+ 1 (* 2 3)), to check its shape.
std::string Dump(const Expr& e) {
  auto args = [&](std::string head) {
    std::string s = "(" + head;
    for (const ExprPtr& a : e.args) s += " " + Dump(*a);
    return s + ")";
  };
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.literal.kind() == Value::Kind::kEntity
                 ? e.literal.AsEntity().type +
                       "::" + QuoteString(e.literal.AsEntity().id)
                 : e.literal.ToCedar();
    case ExprKind::kVar:
      switch (e.var) {
        case Var::kPrincipal:
          return "principal";
        case Var::kAction:
          return "action";
        case Var::kResource:
          return "resource";
        case Var::kContext:
          return "context";
      }
      return "?";
    case ExprKind::kSlot:
      return e.slot == Slot::kPrincipal ? "?principal" : "?resource";
    case ExprKind::kNot:
      return args("!");
    case ExprKind::kNeg:
      return args("neg");
    case ExprKind::kAnd:
      return args("&&");
    case ExprKind::kOr:
      return args("||");
    case ExprKind::kIf:
      return args("if");
    case ExprKind::kEq:
      return args("==");
    case ExprKind::kNotEq:
      return args("!=");
    case ExprKind::kLess:
      return args("<");
    case ExprKind::kLessEq:
      return args("<=");
    case ExprKind::kGreater:
      return args(">");
    case ExprKind::kGreaterEq:
      return args(">=");
    case ExprKind::kAdd:
      return args("+");
    case ExprKind::kSub:
      return args("-");
    case ExprKind::kMul:
      return args("*");
    case ExprKind::kIn:
      return args("in");
    case ExprKind::kContains:
      return args("contains");
    case ExprKind::kContainsAll:
      return args("containsAll");
    case ExprKind::kContainsAny:
      return args("containsAny");
    case ExprKind::kIsEmpty:
      return args("isEmpty");
    case ExprKind::kGetTag:
      return args("getTag");
    case ExprKind::kHasTag:
      return args("hasTag");
    case ExprKind::kGetAttr:
      return args("." + e.name);
    case ExprKind::kHasAttr:
      return args("has " + e.name);
    case ExprKind::kIs:
      return args("is " + e.name);
    case ExprKind::kSet:
      return args("set");
    case ExprKind::kExtCall:
      return args("call " + e.name);
    case ExprKind::kLike: {
      std::string p;
      for (const PatternElem& el : e.pattern)
        p += el.wildcard ? "<*>" : el.literal;
      return args("like " + p);
    }
    case ExprKind::kRecord: {
      std::string s = "(record";
      for (size_t i = 0; i < e.args.size(); ++i)
        s += " " + e.keys[i] + ":" + Dump(*e.args[i]);
      return s + ")";
    }
  }
  return "?";
}

// The dump of an expression, or "ERROR: message".
std::string D(std::string_view text) {
  Result<ExprPtr> r = ParseExpression(text);
  if (!r.ok()) return "ERROR: " + r.error().message();
  return Dump(**r);
}

// The error of an expression or policy text that must fail, or "OK".
std::string ExprError(std::string_view text) {
  Result<ExprPtr> r = ParseExpression(text);
  return r.ok() ? "OK" : r.error().message();
}
std::string SetError(std::string_view text) {
  Result<PolicySet> r = ParsePolicySet(text);
  return r.ok() ? "OK" : r.error().message();
}

bool Contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

Policy One(std::string_view text) {
  Result<Policy> p = ParsePolicy(text);
  EXPECT_TRUE(p.ok()) << text << "\n" << (p.ok() ? "" : p.error().message());
  return p.ok() ? *p : Policy{};
}

// ------------------------------------------------------------ policy sets

TEST(ParsePolicySet, NamesPoliciesAndTemplatesInOneSequence) {
  Result<PolicySet> set = ParsePolicySet(R"(
    permit(principal, action, resource);
    permit(principal == ?principal, action, resource);
    forbid(principal, action, resource) when { true };
  )");
  ASSERT_TRUE(set.ok()) << set.error().message();
  ASSERT_EQ(set->policies.size(), 2u);
  ASSERT_EQ(set->templates.size(), 1u);
  EXPECT_EQ(set->policies[0].id, "policy0");
  EXPECT_EQ(set->templates[0].id, "policy1");
  EXPECT_EQ(set->policies[1].id, "policy2");
  EXPECT_EQ(set->policies[1].effect, Effect::kForbid);
}

TEST(ParsePolicySet, AcceptsAnEmptyFileAndComments) {
  Result<PolicySet> set = ParsePolicySet("  // nothing here\n");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->policies.empty());
}

TEST(ParsePolicySet, ReportsEveryBrokenPolicyWithItsLine) {
  std::string err = SetError(
      "permit(principal, action, resource);\n"
      "permit(principal, action, resource) when { x };\n"
      "forbid(principal action, resource);\n");
  EXPECT_TRUE(Contains(err, "line 2, column 44: invalid variable `x`")) << err;
  EXPECT_TRUE(Contains(err,
                       "\nline 3, column 18: expected `==`, `in`, `,` or "
                       "`)`, found identifier `action`"))
      << err;
}

TEST(CheckPolicySet, RecoversAtTheNextSemicolon) {
  std::vector<Error> errors = CheckPolicySet(
      "permit(principal, action, resource) when { 1 + };\n"
      "permit(principal, action, resource);\n"
      "permit(principal, action, resource) when { \"\\q\" };\n"
      "bogus;\n"
      "permit(principal, action, resource) when { foo(1) && x.if && 1 / 2 "
      "&& \"\\q\" && {a: 1, a: 2} && [].contains() && ?principal };\n");
  ASSERT_EQ(errors.size(), 11u);
  EXPECT_TRUE(Contains(errors[0].message(),
                       "line 1, column 48: expected an "
                       "expression, found `}`"))
      << errors[0].message();
  EXPECT_TRUE(Contains(errors[1].message(),
                       "line 3, column 44: the input "
                       "`\\q` is not a valid escape"))
      << errors[1].message();
  EXPECT_TRUE(Contains(errors[2].message(), "invalid policy effect `bogus`"));
  // Errors that leave the text readable do not stop the policy's parse.
  EXPECT_TRUE(Contains(errors[3].message(), "`foo` is not a valid function"));
  EXPECT_TRUE(Contains(errors[4].message(), "invalid variable `x`"));
  EXPECT_TRUE(Contains(errors[5].message(), "reserved"));
  EXPECT_TRUE(Contains(errors[6].message(), "division is not supported"));
  EXPECT_TRUE(Contains(errors[7].message(), "not a valid escape"));
  EXPECT_TRUE(Contains(errors[8].message(), "duplicate key `a`"));
  EXPECT_TRUE(Contains(errors[9].message(), "call to `contains` requires"));
  EXPECT_TRUE(Contains(errors[10].message(), "found template slot"));
  EXPECT_TRUE(CheckPolicySet("permit(principal, action, resource);").empty());
}

TEST(ParsePolicySet, RejectsInvalidUtf8) {
  std::string err = SetError(
      "permit(principal, action, resource)\n"
      "when { \"\xC3\x28\" };");
  EXPECT_TRUE(Contains(err, "line 2, column 9: invalid UTF-8")) << err;
  EXPECT_NE(SetError("\"\xED\xA0\x80\""), "OK");  // an encoded surrogate
}

// ------------------------------------------------------------- annotations

TEST(ParsePolicy, KeepsAnnotationsInSourceOrder) {
  Policy p = One(
      R"(@id("ban") @if("x\ty") @sealed permit(principal, action, resource);)");
  ASSERT_EQ(p.annotations.size(), 3u);
  EXPECT_EQ(p.annotations[0],
            (std::pair<std::string, std::string>{"id", "ban"}));
  EXPECT_EQ(p.annotations[1].first, "if");
  EXPECT_EQ(p.annotations[1].second, "x\ty");
  EXPECT_EQ(p.annotations[2].second, "");
  ASSERT_NE(p.Annotation("sealed"), nullptr);
}

TEST(ParsePolicy, RejectsDuplicateAnnotationsAndNonStringValues) {
  EXPECT_TRUE(Contains(
      SetError(R"(@a("x") @a("y") permit(principal, action, resource);)"),
      "duplicate annotation: @a"));
  EXPECT_NE(SetError(R"(@a(1) permit(principal, action, resource);)"), "OK");
  EXPECT_NE(SetError(R"(@a("\q") permit(principal, action, resource);)"), "OK");
  EXPECT_NE(SetError(R"(@"a" permit(principal, action, resource);)"), "OK");
}

// ------------------------------------------------------------------ scopes

TEST(ParsePolicy, ReadsEveryPrincipalAndResourceScope) {
  Policy p = One(R"(permit(principal == NS::User::"a", action,
                           resource in Folder::"f");)");
  EXPECT_EQ(p.principal.op, EntityScope::Op::kEq);
  EXPECT_EQ(*p.principal.entity, (EntityUid{"NS::User", "a"}));
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIn);
  EXPECT_EQ(*p.resource.entity, (EntityUid{"Folder", "f"}));

  p = One(
      R"(permit(principal is User, action, resource is NS::Doc in NS::F::"x");)");
  EXPECT_EQ(p.principal.op, EntityScope::Op::kIs);
  EXPECT_EQ(p.principal.entity_type, "User");
  EXPECT_FALSE(p.principal.entity.has_value());
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIsIn);
  EXPECT_EQ(p.resource.entity_type, "NS::Doc");
  EXPECT_EQ(*p.resource.entity, (EntityUid{"NS::F", "x"}));

  p = One(R"(permit(principal, action, resource);)");
  EXPECT_EQ(p.principal.op, EntityScope::Op::kAny);
  EXPECT_EQ(p.action.op, ActionScope::Op::kAny);
  EXPECT_EQ(p.resource.op, EntityScope::Op::kAny);
  EXPECT_FALSE(p.is_template());

  // Parentheses around the entity and a trailing comma are allowed.
  p = One(R"(permit(principal == (User::"a"), action, resource,);)");
  EXPECT_EQ(*p.principal.entity, (EntityUid{"User", "a"}));
}

TEST(ParsePolicy, ReadsEveryActionScope) {
  Policy p = One(R"(permit(principal, action == Action::"view", resource);)");
  EXPECT_EQ(p.action.op, ActionScope::Op::kEq);
  EXPECT_EQ(p.action.entities, (std::vector<EntityUid>{{"Action", "view"}}));
  p = One(R"(permit(principal, action in NS::Action::"all", resource);)");
  EXPECT_EQ(p.action.op, ActionScope::Op::kIn);
  p = One(
      R"(permit(principal, action in [Action::"a", NS::Action::"b",], resource);)");
  EXPECT_EQ(p.action.op, ActionScope::Op::kInSet);
  EXPECT_EQ(p.action.entities.size(), 2u);
  p = One(R"(permit(principal, action in [], resource);)");
  EXPECT_EQ(p.action.op, ActionScope::Op::kInSet);
  EXPECT_TRUE(p.action.entities.empty());
}

TEST(ParsePolicy, ReadsTemplateSlots) {
  Policy p = One(R"(permit(principal in ?principal, action,
                           resource is Doc in ?resource);)");
  EXPECT_TRUE(p.is_template());
  EXPECT_EQ(p.principal.op, EntityScope::Op::kIn);
  EXPECT_EQ(p.principal.slot, Slot::kPrincipal);
  EXPECT_EQ(p.resource.op, EntityScope::Op::kIsIn);
  EXPECT_EQ(p.resource.slot, Slot::kResource);
  p = One(R"(permit(principal == ?principal, action, resource == ?resource);)");
  EXPECT_EQ(p.principal.op, EntityScope::Op::kEq);
  EXPECT_EQ(p.resource.op, EntityScope::Op::kEq);
}

TEST(ParsePolicy, RejectsMalformedScopes) {
  struct Case {
    const char* text;
    const char* error;
  } cases[] = {
      {"permit(principal == ?resource, action, resource);",
       "found ?resource instead of ?principal"},
      {"permit(principal, action, resource in ?principal);",
       "found ?principal instead of ?resource"},
      {"permit(principal == ?other, action, resource);",
       "invalid template slot"},
      {"permit(principal, action == ?principal, resource);", "template slot"},
      {"permit(principal, action is Action, resource);",
       "`is` cannot appear in the action scope"},
      {"permit(principal in [User::\"a\"], action, resource);",
       "found set of entity uids"},
      {"permit(principal, action == [Action::\"a\"], resource);",
       "found set of entity uids"},
      {"permit(principal: User, action, resource);", "`:` are not supported"},
      {"permit(principal, action, resource, context);", "extra element"},
      {"permit(principal, action);", "missing the `resource` variable"},
      {"permit();", "missing the `principal` variable"},
      {"permit(action, principal, resource);",
       "found the variable `action` where the variable `principal`"},
      {"permit(principal, action == Foo::\"a\", resource);",
       "expected an entity uid with type `Action`"},
      {"permit(principal, action in [Action::\"a\", Foo::\"b\"], resource);",
       "expected an entity uid with type `Action`"},
      {"permit(principal is User == User::\"a\", action, resource);",
       "`is` cannot be used together with `==`"},
      {"permit(principal > User::\"a\", action, resource);",
       "invalid operator in the policy scope"},
      {"permit(principal = User::\"a\", action, resource);", "use '=='"},
      {"permit(principal == User::\"a\" + 1, action, resource);",
       "expected an entity uid or matching template slot"},
      {"permit(principal is User::\"a\", action, resource);",
       "unexpected `::`"},
      {"permit(principal is if, action, resource);", "reserved"},
      {"allow(principal, action, resource);", "invalid policy effect `allow`"},
      {"permit(principal, action, resource) whenever { true };",
       "invalid policy condition `whenever`"},
      {"permit(principal, action, resource) when { };",
       "`when` condition clause cannot be empty"},
      {"permit(principal, action, resource) when { ?principal };",
       "found template slot ?principal in a condition"},
      {"permit(principal, action, resource)", "expected `;`"},
      {"permit(principal, action, resource);;",
       "expected `permit` or `forbid`"},
  };
  for (const Case& c : cases) {
    std::string err = SetError(c.text);
    EXPECT_TRUE(Contains(err, c.error)) << c.text << "\n  got: " << err;
  }
}

TEST(ParsePolicy, KeepsConditionsInOrder) {
  Policy p = One(R"(permit(principal, action, resource)
                      when { true } unless { false } when { 1 < 2 };)");
  ASSERT_EQ(p.conditions.size(), 3u);
  EXPECT_TRUE(p.conditions[0].is_when);
  EXPECT_FALSE(p.conditions[1].is_when);
  EXPECT_EQ(Dump(*p.conditions[2].body), "(< 1 2)");
}

TEST(ParsePolicy, RecordsWhereThePolicyStarts) {
  Result<PolicySet> set =
      ParsePolicySet("\n\n  @a permit(principal, action, resource);");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->policies[0].loc.line, 3);
  EXPECT_EQ(set->policies[0].loc.column, 3);
}

// ------------------------------------------------------------- expressions

TEST(ParseExpression, FollowsCedarPrecedence) {
  EXPECT_EQ(D("a || b && c"),
            "ERROR: line 1, column 1: invalid variable `a`; "
            "the variables are `principal`, `action`, "
            "`resource` and `context` (did you mean the "
            "string \"a\"?)");
  EXPECT_EQ(D("true || false && true"), "(|| true (&& false true))");
  EXPECT_EQ(D("1 + 2 * 3 == 7"), "(== (+ 1 (* 2 3)) 7)");
  EXPECT_EQ(D("1 - 2 - 3"), "(- (- 1 2) 3)");
  EXPECT_EQ(D("1 * 2 * 3"), "(* (* 1 2) 3)");
  EXPECT_EQ(D("true && false && true"), "(&& (&& true false) true)");
  EXPECT_EQ(D("!context.a && context.b"), "(&& (! (.a context)) (.b context))");
  EXPECT_EQ(
      D("1 < 2 == true"),
      "ERROR: line 1, column 1: multiple relational operators (>, ==, in, "
      "etc.) must be used with parentheses to make ordering explicit");
  EXPECT_EQ(D("(1 < 2) == true"), "(== (< 1 2) true)");
  EXPECT_EQ(D("principal in resource"), "(in principal resource)");
  EXPECT_EQ(D("1 == 2 && 3"), "(&& (== 1 2) 3)");
}

TEST(ParseExpression, ReadsIfThenElse) {
  EXPECT_EQ(D("if true then 1 else 2 || 3"), "(if true 1 (|| 2 3))");
  EXPECT_EQ(D("if if true then false else true then 1 else 2"),
            "(if (if true false true) 1 2)");
  EXPECT_EQ(D("[if true then 1 else 2]"), "(set (if true 1 2))");
  EXPECT_NE(ExprError("1 + if true then 1 else 2"), "OK");
  EXPECT_NE(ExprError("if true then 1"), "OK");
}

TEST(ParseExpression, FoldsMinusIntoIntegerLiterals) {
  EXPECT_EQ(D("-5"), "-5");
  EXPECT_EQ(D("--5"), "(neg -5)");
  EXPECT_EQ(D("- -5"), "(neg -5)");
  EXPECT_EQ(D("-(5)"), "(neg 5)");
  EXPECT_EQ(D("----5"), "(neg (neg (neg -5)))");
  EXPECT_EQ(D("-9223372036854775808"), "-9223372036854775808");
  EXPECT_EQ(D("9223372036854775807"), "9223372036854775807");
  EXPECT_EQ(D("--9223372036854775808"), "(neg -9223372036854775808)");
  EXPECT_EQ(D("-5.foo"), "(neg (.foo 5))");
  EXPECT_EQ(D("-context.x"), "(neg (.x context))");
  EXPECT_EQ(D("1 - -2"), "(- 1 -2)");
  EXPECT_EQ(D("!!true"), "(! (! true))");
  EXPECT_TRUE(Contains(ExprError("9223372036854775808"),
                       "integer literal `9223372036854775808` is too large"));
  EXPECT_TRUE(Contains(ExprError("-9223372036854775809"), "is too large"));
  EXPECT_TRUE(
      Contains(ExprError("99999999999999999999"), "integer parse error"));
  EXPECT_TRUE(Contains(ExprError("-----5"), "too many occurrences of `-`"));
  EXPECT_TRUE(Contains(ExprError("!!!!!true"), "too many occurrences of `!`"));
  EXPECT_NE(ExprError("!-5"), "OK");
  EXPECT_NE(ExprError("-!true"), "OK");
}

TEST(ParseExpression, DesugarsHasWithAPath) {
  EXPECT_EQ(D("context has a"), "(has a context)");
  EXPECT_EQ(D("context has \"a b\""), "(has a b context)");
  EXPECT_EQ(D("context has a.b.c"),
            "(&& (&& (has a context) (has b (.a context))) "
            "(has c (.b (.a context))))");
  EXPECT_EQ(D("context has principal"), "(has principal context)");
  EXPECT_TRUE(Contains(ExprError("context has if"), "reserved"));
  EXPECT_TRUE(Contains(ExprError("context has a.then"), "reserved"));
  EXPECT_NE(ExprError("context has a[\"b\"]"), "OK");
  EXPECT_NE(ExprError("context has \"a\".\"b\""), "OK");
  EXPECT_NE(ExprError("context has a + 1"), "OK");
  EXPECT_NE(ExprError("context has a == true"), "OK");
  EXPECT_NE(ExprError("true == context has a"), "OK");
  EXPECT_NE(ExprError("context has A::b"), "OK");
  EXPECT_NE(ExprError("context has 1"), "OK");
}

TEST(ParseExpression, ReadsLikePatterns) {
  EXPECT_EQ(D(R"(context.s like "a\*b*c")"), "(like a*b<*>c (.s context))");
  EXPECT_EQ(D(R"("x" like "")"), "(like  \"x\")");
  EXPECT_TRUE(Contains(ExprError(R"(context like ("a"))"), "pattern literal"));
  EXPECT_TRUE(
      Contains(ExprError(R"(context like "\q")"), "not a valid escape"));
  EXPECT_NE(ExprError(R"(context like "a" + "b")"), "OK");
  EXPECT_NE(ExprError(R"(context like "a" == true)"), "OK");
}

TEST(ParseExpression, ReadsIsWithAndWithoutIn) {
  EXPECT_EQ(D("principal is User"), "(is User principal)");
  EXPECT_EQ(D("principal is A::B::User"), "(is A::B::User principal)");
  EXPECT_EQ(D(R"(principal is User in Group::"g")"),
            R"((is User principal Group::"g"))");
  EXPECT_EQ(D("principal is principal"), "(is principal principal)");
  EXPECT_TRUE(Contains(ExprError(R"(principal is User::"a")"),
                       "must be an entity type name"));
  EXPECT_TRUE(Contains(ExprError("principal is in"), "reserved"));
  EXPECT_TRUE(Contains(ExprError("principal is __cedar"), "`__cedar`"));
  EXPECT_NE(ExprError("principal is User == true"), "OK");
  EXPECT_NE(ExprError(R"(principal is A in B::"a" in C::"b")"), "OK");
}

TEST(ParseExpression, ReadsEntityUids) {
  EXPECT_EQ(D(R"(User::"alice")"), R"(User::"alice")");
  EXPECT_EQ(D(R"(A::B::C::"x\ny")"), R"(A::B::C::"x\ny")");
  EXPECT_EQ(D(R"(permit::"a")"), R"(permit::"a")");
  EXPECT_EQ(D(R"(User::"a".name)"), R"((.name User::"a"))");
  EXPECT_TRUE(Contains(ExprError(R"(A::true::"a")"), "reserved"));
  EXPECT_TRUE(Contains(ExprError(R"(A::__cedar::"a")"),
                       "the name `A::__cedar` contains `__cedar`"));
  EXPECT_EQ(D(R"(__cedarX::"a")"), R"(__cedarX::"a")");
  EXPECT_TRUE(Contains(ExprError(R"(A::B::{a: 1})"), "invalid entity literal"));
  EXPECT_NE(ExprError(R"(A::"\q")"), "OK");
}

TEST(ParseExpression, ReadsSetsAndRecords) {
  EXPECT_EQ(D("[]"), "(set)");
  EXPECT_EQ(D("[1, [2], \"x\",]"), "(set 1 (set 2) \"x\")");
  EXPECT_EQ(D("{}"), "(record)");
  EXPECT_EQ(D(R"({a: 1, "b c": true, permit: 2, principal: 3,})"),
            "(record a:1 b c:true permit:2 principal:3)");
  EXPECT_TRUE(Contains(ExprError("{a: 1, \"a\": 2}"),
                       "duplicate key `a` in record literal"));
  EXPECT_TRUE(Contains(ExprError("{if: 1}"), "reserved"));
  EXPECT_TRUE(Contains(ExprError("{true: 1}"), "reserved"));
  EXPECT_TRUE(Contains(ExprError("{a::b: 1}"), "contains a namespace"));
  EXPECT_TRUE(Contains(ExprError("{(1): 1}"), "invalid attribute name"));
  EXPECT_NE(ExprError("[1,,2]"), "OK");
  EXPECT_NE(ExprError("[,]"), "OK");
  EXPECT_NE(ExprError("{a}"), "OK");
}

TEST(ParseExpression, ReadsAttributeAccess) {
  EXPECT_EQ(D(R"(principal["a b"]["c"].d)"), "(.d (.c (.a b principal)))");
  EXPECT_EQ(D("context.permit"), "(.permit context)");
  EXPECT_EQ(D("context.contains"), "(.contains context)");
  EXPECT_EQ(D("1.foo"), "(.foo 1)");
  EXPECT_TRUE(Contains(ExprError("principal.if"), "reserved"));
  EXPECT_TRUE(Contains(ExprError("principal.is"), "reserved"));
  EXPECT_TRUE(Contains(ExprError("principal[1]"), "string literal"));
  EXPECT_NE(ExprError("principal[(\"a\")]"), "OK");
}

TEST(ParseExpression, ReadsBuiltinMethodsAndChecksTheirArity) {
  EXPECT_EQ(D("[1].contains(1)"), "(contains (set 1) 1)");
  EXPECT_EQ(D("[1].containsAll([1])"), "(containsAll (set 1) (set 1))");
  EXPECT_EQ(D("[1].containsAny([1])"), "(containsAny (set 1) (set 1))");
  EXPECT_EQ(D("[].isEmpty()"), "(isEmpty (set))");
  EXPECT_EQ(D("principal.getTag(\"t\")"), "(getTag principal \"t\")");
  EXPECT_EQ(D("principal.hasTag(\"t\")"), "(hasTag principal \"t\")");
  EXPECT_TRUE(Contains(ExprError("principal.contains(1, 2)"),
                       "call to `contains` requires exactly 1 argument, but "
                       "got 2 arguments"));
  EXPECT_TRUE(Contains(ExprError("principal.isEmpty(1)"),
                       "requires exactly 0 arguments, but got 1 argument"));
  EXPECT_NE(ExprError("principal.hasTag()"), "OK");
}

TEST(ParseExpression, ReadsExtensionCallsWithoutCheckingTheirArguments) {
  EXPECT_EQ(D(R"(ip("10.0.0.1").isInRange(ip("10.0.0.0/8")))"),
            R"((call isInRange (call ip "10.0.0.1") (call ip "10.0.0.0/8")))");
  EXPECT_EQ(D(R"(decimal("1.5").lessThan(decimal("2.0")))"),
            R"((call lessThan (call decimal "1.5") (call decimal "2.0")))");
  EXPECT_EQ(D(R"(datetime("2024-01-01").offset(duration("1h")).toDate())"),
            R"((call toDate (call offset (call datetime "2024-01-01") )"
            R"((call duration "1h"))))");
  // Like Cedar, the argument count and literal strings of extension
  // functions are checked when the policy runs, not when it is parsed.
  EXPECT_EQ(D(R"(decimal("bad", 2))"), R"((call decimal "bad" 2))");
  EXPECT_EQ(D("context.lessThan()"), "(call lessThan context)");
  EXPECT_EQ(D(R"(unknown("x"))"), R"((call unknown "x"))");
  EXPECT_EQ(D("decimal(\"1.0\",)"), "(call decimal \"1.0\")");
}

TEST(ParseExpression, RejectsUnknownFunctionsAndMethods) {
  EXPECT_TRUE(Contains(ExprError("foo(1)"), "`foo` is not a valid function"));
  EXPECT_TRUE(
      Contains(ExprError("A::ip(\"x\")"), "`A::ip` is not a valid function"));
  EXPECT_TRUE(Contains(ExprError("lessThan(1, 2)"),
                       "`lessThan` is a method, not a function"));
  EXPECT_TRUE(Contains(ExprError("context.decimal()"),
                       "`decimal` is a function, not a method"));
  EXPECT_TRUE(Contains(ExprError("context.toYears()"),
                       "`toYears` is not a valid method"));
  EXPECT_TRUE(Contains(ExprError("(context)(1)"), "function calls must be"));
  EXPECT_TRUE(
      Contains(ExprError("context.a[\"b\"](1)"), "function calls must be"));
  EXPECT_TRUE(Contains(ExprError("context.a(1)(2)"), "not a valid method"));
}

TEST(ParseExpression, RejectsUnknownNamesAndOperators) {
  EXPECT_TRUE(Contains(ExprError("foo"), "invalid variable `foo`"));
  EXPECT_TRUE(Contains(ExprError("A::B"), "invalid variable `A::B`"));
  EXPECT_TRUE(Contains(ExprError("1 = 2"), "use '=='"));
  EXPECT_TRUE(Contains(ExprError("1 / 2"), "division is not supported"));
  EXPECT_TRUE(
      Contains(ExprError("1 % 2"), "remainder/modulo is not supported"));
  EXPECT_TRUE(Contains(ExprError("1 | 2"), "did you mean `||`"));
  EXPECT_TRUE(Contains(ExprError("?principal"), "found template slot"));
  EXPECT_TRUE(Contains(ExprError("1 2"), "expected end of input"));
  EXPECT_TRUE(
      Contains(ExprError(""), "expected an expression, found end of input"));
  EXPECT_TRUE(Contains(ExprError("\"abc"), "unterminated string literal"));
}

TEST(ParseExpression, ReadsStringEscapes) {
  EXPECT_EQ(D(R"("\u{1F600}\x41\0\'\"")"),
            "\"\xF0\x9F\x98\x80"
            "A\\0'\\\"\"");
  EXPECT_EQ(D("\"a\nb\""), R"("a\nb")");
  for (std::string_view bad :
       {R"("\x80")", R"("\u{D800}")", R"("\u{110000}")", R"("\u{}")",
        R"("\u{0000001}")", R"("\q")", R"("\*")", "\"a\rb\""}) {
    EXPECT_TRUE(Contains(ExprError(bad), "line 1, column 1:")) << bad;
  }
}

TEST(ParseExpression, RecordsSourceLocations) {
  Result<ExprPtr> e = ParseExpression("true &&\n  context.x");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->loc.line, 1);
  EXPECT_EQ((*e)->args[1]->loc.line, 2);
  EXPECT_EQ((*e)->args[1]->loc.column, 3);
}

// ------------------------------------------------------------------ limits

TEST(ParseExpression, RejectsDeepNestingWithoutOverflowingTheStack) {
  std::string deep(100000, '(');
  EXPECT_TRUE(Contains(ExprError(deep + "1" + std::string(100000, ')')),
                       "nested too deeply"));
  std::string lists(100000, '[');
  EXPECT_TRUE(Contains(ExprError(lists), "nested too deeply"));
  std::string ok(kMaxNesting - 1, '(');
  EXPECT_EQ(D(ok + "1" + std::string(kMaxNesting - 1, ')')), "1");
}

TEST(ParseExpression, BoundsTheDepthOfLongChains) {
  std::string chain = "true";
  for (int i = 0; i < kMaxExpressionDepth + 10; ++i) chain += " && true";
  EXPECT_TRUE(Contains(ExprError(chain), "nested too deeply"));
  std::string attrs = "context";
  for (int i = 0; i < 5000; ++i) attrs += ".a";
  EXPECT_TRUE(Contains(ExprError(attrs), "nested too deeply"));
  std::string short_chain = "1";
  for (int i = 0; i < 500; ++i) short_chain += " + 1";
  EXPECT_EQ(ExprError(short_chain), "OK");
}

TEST(ParseExpression, BoundsTheSizeOfTreesWithSharedSubtrees) {
  // `e has a.b.c` refers to `e` three times; nesting multiplies that.
  std::string text = "true";
  for (int i = 0; i < 30; ++i) text = "{a: {b: {c: " + text + "}}} has a.b.c";
  EXPECT_TRUE(Contains(ExprError(text), "expression is too large"));
  std::string keys = "{";
  for (int i = 0; i < 20000; ++i) keys += "k" + std::to_string(i) + ": 1, ";
  EXPECT_EQ(ExprError(keys + "k5: 2}"),
            "line 1, column 208892: duplicate key `k5` in record literal");
}

// ------------------------------------------------------- uids and names

TEST(ParseEntityUid, ReadsOneUid) {
  Result<EntityUid> u = ParseEntityUid(R"( NS::User::"al\"ice" )");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, (EntityUid{"NS::User", "al\"ice"}));
  EXPECT_FALSE(ParseEntityUid("User").ok());
  EXPECT_FALSE(ParseEntityUid(R"(User::"a" == User::"b")").ok());
  EXPECT_FALSE(ParseEntityUid("1").ok());
  EXPECT_FALSE(ParseEntityUid(R"(if::"a")").ok());
}

TEST(ParseName, ReadsTypeNames) {
  EXPECT_EQ(*ParseName("NS :: User"), "NS::User");
  EXPECT_EQ(*ParseName("permit"), "permit");
  EXPECT_FALSE(ParseName("A::in").ok());
  EXPECT_FALSE(ParseName("__cedar::A").ok());
  EXPECT_FALSE(ParseName("A::").ok());
  EXPECT_FALSE(ParseName("A B").ok());
}

TEST(IsUnquotedAttribute, AcceptsNonReservedIdentifiers) {
  EXPECT_TRUE(IsUnquotedAttribute("a_1"));
  EXPECT_TRUE(IsUnquotedAttribute("principal"));
  EXPECT_FALSE(IsUnquotedAttribute("has"));
  EXPECT_FALSE(IsUnquotedAttribute("a b"));
  EXPECT_FALSE(IsUnquotedAttribute("1a"));
  EXPECT_FALSE(IsUnquotedAttribute(""));
}

// ------------------------------------------------------------------ corpus

// The conformance corpus lives beside the repository (../shared).
std::filesystem::path CorpusTarball() {
  std::filesystem::path here(__FILE__);
  return here.parent_path().parent_path().parent_path().parent_path() /
         "shared" / "cedar-conformance" / "corpus-tests.tar.gz";
}

TEST(ParsePolicySet, ParsesAndRoundTripsTheWholeConformanceCorpus) {
  std::filesystem::path tarball = CorpusTarball();
  if (!std::filesystem::exists(tarball)) GTEST_SKIP() << "no " << tarball;
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("haven_parser_corpus_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::string cmd = "tar -xzf '" + tarball.string() + "' -C '" + dir.string() +
                    "' --wildcards '*.cedar'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  int files = 0, policies = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.path().extension() != ".cedar") continue;
    ++files;
    std::ifstream in(entry.path());
    std::stringstream ss;
    ss << in.rdbuf();
    Result<PolicySet> set = ParsePolicySet(ss.str());
    ASSERT_TRUE(set.ok()) << entry.path() << ": " << set.error().message();
    std::string printed = FormatPolicySet(*set);
    Result<PolicySet> again = ParsePolicySet(printed);
    ASSERT_TRUE(again.ok())
        << entry.path() << ": " << again.error().message() << "\n"
        << printed;
    ASSERT_EQ(again->policies.size(), set->policies.size());
    ASSERT_EQ(again->templates.size(), set->templates.size());
    for (size_t i = 0; i < set->policies.size(); ++i) {
      ++policies;
      ASSERT_TRUE(PolicyEquals(set->policies[i], again->policies[i],
                               /*compare_ids=*/false))
          << entry.path() << "\n"
          << printed;
    }
    for (size_t i = 0; i < set->templates.size(); ++i) {
      ASSERT_TRUE(PolicyEquals(set->templates[i], again->templates[i],
                               /*compare_ids=*/false))
          << entry.path() << "\n"
          << printed;
    }
  }
  std::filesystem::remove_all(dir);
  EXPECT_EQ(files, 7809);
  EXPECT_GE(policies, 7809);
}

}  // namespace
}  // namespace haven::cedar
