#include "cedar/printer.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "cedar/parser.h"

namespace haven::cedar {
namespace {

// Formats an expression after parsing it.
std::string F(std::string_view text) {
  Result<ExprPtr> e = ParseExpression(text);
  if (!e.ok()) return "ERROR: " + e.error().message();
  return FormatExpr(**e);
}

// Parse, print, parse again: the trees must be equal.
void ExpectRoundTrip(std::string_view text) {
  Result<ExprPtr> a = ParseExpression(text);
  ASSERT_TRUE(a.ok()) << text << ": " << a.error().message();
  std::string printed = FormatExpr(**a);
  Result<ExprPtr> b = ParseExpression(printed);
  ASSERT_TRUE(b.ok()) << text << " printed as " << printed << ": "
                      << b.error().message();
  EXPECT_TRUE(ExprEquals(**a, **b)) << text << " printed as " << printed;
}

ExprPtr Lit(Value v) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = std::move(v);
  return e;
}
ExprPtr Node(ExprKind kind, std::vector<ExprPtr> args, std::string name = "") {
  auto e = std::make_shared<Expr>();
  e->kind = kind;
  e->args = std::move(args);
  e->name = std::move(name);
  return e;
}

TEST(FormatExpr, PrintsOnlyTheParenthesesItNeeds) {
  EXPECT_EQ(F("((1 + (2 * 3)))"), "1 + 2 * 3");
  EXPECT_EQ(F("(1 + 2) * 3"), "(1 + 2) * 3");
  EXPECT_EQ(F("1 - (2 - 3)"), "1 - (2 - 3)");
  EXPECT_EQ(F("(1 - 2) - 3"), "1 - 2 - 3");
  EXPECT_EQ(F("true || (false && true)"), "true || false && true");
  EXPECT_EQ(F("(true || false) && true"), "(true || false) && true");
  EXPECT_EQ(F("(1 < 2) == (3 < 4)"), "(1 < 2) == (3 < 4)");
  EXPECT_EQ(F("(if true then 1 else 2) + 3"), "(if true then 1 else 2) + 3");
  EXPECT_EQ(F("if true then 1 else (2 || 3)"), "if true then 1 else 2 || 3");
  EXPECT_EQ(F("!(context.a)"), "!context.a");
  EXPECT_EQ(F("!(1 == 2)"), "!(1 == 2)");
  EXPECT_EQ(F("(context has a) has b"), "(context has a) has b");
  EXPECT_EQ(F("(principal is User) == true"), "(principal is User) == true");
}

TEST(FormatExpr, KeepsNegationApartFromNegativeLiterals) {
  EXPECT_EQ(F("-5"), "-5");
  EXPECT_EQ(F("-(5)"), "-(5)");
  EXPECT_EQ(F("--5"), "--5");
  EXPECT_EQ(F("----5"), "----5");
  EXPECT_EQ(F("-(----5)"), "----(-5)");
  EXPECT_EQ(F("--(5)"), "--(5)");
  EXPECT_EQ(F("(-5).foo"), "(-5).foo");
  EXPECT_EQ(F("-5.foo"), "-5.foo");
  EXPECT_EQ(F("1 - -5"), "1 - -5");
  EXPECT_EQ(F("!!!!true"), "!!!!true");
  EXPECT_EQ(F("!!!!(!true)"), "!!!!(!true)");
  EXPECT_EQ(F("!(-context.a)"), "!(-context.a)");
  EXPECT_EQ(F("-9223372036854775808"), "-9223372036854775808");
  for (std::string_view s : {"-5", "-(5)", "--5", "(-5).foo", "-5.foo",
                             "1 - -5", "!!!!true", "----(5)", "- - - -5",
                             "-9223372036854775808", "--9223372036854775808"}) {
    ExpectRoundTrip(s);
  }
}

TEST(FormatExpr, QuotesStringsAttributesAndPatterns) {
  EXPECT_EQ(F(R"("a\"b\\c\n\u{0}\u{7}é")"), "\"a\\\"b\\\\c\\n\\0\\u{7}é\"");
  EXPECT_EQ(F(R"(context["a b"].c["if"])"), R"(context["a b"].c["if"])");
  EXPECT_EQ(F(R"(context has "a b")"), R"(context has "a b")");
  EXPECT_EQ(F(R"({"a b": 1, c: 2, "in": 3})"), R"({"a b": 1, c: 2, "in": 3})");
  EXPECT_EQ(F(R"(context like "a\*b*\n")"), R"(context like "a\*b*\n")");
  EXPECT_EQ(F(R"(User::"a\"b")"), R"(User::"a\"b")");
}

TEST(FormatExpr, PrintsCallsInTheirStyle) {
  EXPECT_EQ(F(R"(ip("1.2.3.4").isInRange(ip("1.0.0.0/8")))"),
            R"(ip("1.2.3.4").isInRange(ip("1.0.0.0/8")))");
  EXPECT_EQ(F("[1, 2].contains(1) && [].isEmpty()"),
            "[1, 2].contains(1) && [].isEmpty()");
  EXPECT_EQ(F("(1 + 2).lessThan(3)"), "(1 + 2).lessThan(3)");
  EXPECT_EQ(F(R"(principal.getTag("t") == principal.hasTag("t"))"),
            R"(principal.getTag("t") == principal.hasTag("t"))");
  EXPECT_EQ(F(R"(principal is NS::User in Group::"g")"),
            R"(principal is NS::User in Group::"g")");
}

TEST(FormatExpr, PrintsLiteralValuesFromOtherReaders) {
  // Trees from the JSON reader may hold set and record values as literals.
  ExprPtr e = Lit(Value::Set({Value::Long(1), Value::String("x")}));
  EXPECT_EQ(FormatExpr(*e), "[1, \"x\"]");
  e = Lit(Value::Record({{"a b", Value::Bool(true)}, {"c", Value::Long(-1)}}));
  EXPECT_EQ(FormatExpr(*e), "{\"a b\": true, c: -1}");
  e = Node(ExprKind::kGetAttr, {Lit(Value::Long(-3))}, "x");
  EXPECT_EQ(FormatExpr(*e), "(-3).x");
  e = Node(ExprKind::kNeg, {Lit(Value::Long(3))});
  EXPECT_EQ(FormatExpr(*e), "-(3)");
}

TEST(FormatExpr, DesugaredHasPathsReadBackTheSame) {
  EXPECT_EQ(F("context has a.b.c"), "context has a.b.c");
  EXPECT_EQ(F("context has a && context.a has b"), "context has a.b");
  EXPECT_EQ(F("true && (context has a.b)"), "true && context has a.b");
  EXPECT_EQ(F("(context has a.b) && true"), "context has a.b && true");
  EXPECT_EQ(F("!(context has a.b)"), "!(context has a.b)");
  EXPECT_EQ(F("(context has a.b) has c"), "(context has a.b) has c");
  EXPECT_EQ(F(R"(context has "a b" && context["a b"] has c)"),
            R"(context has "a b" && context["a b"] has c)");
  EXPECT_EQ(F("context has a && principal.a has b"),
            "context has a && principal.a has b");
  for (std::string_view s :
       {"context has a.b.c", "true && (context has a.b)",
        "(context has a.b) has c.d", "context has a && context.a has b",
        "(context has a && context.a has b) && context.a.b has c"}) {
    ExpectRoundTrip(s);
  }
}

TEST(FormatExpr, NestedHasPathsStayAsSmallAsTheSource) {
  // Each level uses its base three times; printed desugared, the text would
  // grow as 3^levels.
  std::string text = "true";
  for (int i = 0; i < 12; ++i) text = "{a: {b: {c: " + text + "}}} has a.b.c";
  Result<ExprPtr> e = ParseExpression(text);
  ASSERT_TRUE(e.ok()) << e.error().message();
  EXPECT_EQ(FormatExpr(**e), text);
}

TEST(FormatPolicy, PrintsAnnotationsScopeAndConditions) {
  Result<Policy> p = ParsePolicy(R"(
    @id("ban") @sealed
    forbid(principal in Agency::"ice", action in [Action::"a", Action::"b"],
           resource is Doc in Folder::"f")
    when { context.purpose == "x" } unless { false };)");
  ASSERT_TRUE(p.ok()) << p.error().message();
  EXPECT_EQ(FormatPolicy(*p),
            "@id(\"ban\")\n"
            "@sealed\n"
            "forbid (\n"
            "  principal in Agency::\"ice\",\n"
            "  action in [Action::\"a\", Action::\"b\"],\n"
            "  resource is Doc in Folder::\"f\"\n"
            ")\n"
            "when { context.purpose == \"x\" }\n"
            "unless { false };\n");
}

TEST(FormatPolicy, PrintsTemplates) {
  Result<Policy> p = ParsePolicy(
      "permit(principal == ?principal, action == Action::\"v\", resource in "
      "?resource);");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(FormatPolicy(*p),
            "permit (\n"
            "  principal == ?principal,\n"
            "  action == Action::\"v\",\n"
            "  resource in ?resource\n"
            ");\n");
}

TEST(FormatPolicySet, RoundTripsAPolicySet) {
  std::string text = R"(
    permit(principal is User, action, resource) when { principal.age >= 18 };
    @id("t") permit(principal in ?principal, action, resource);
    forbid(principal, action, resource) unless { context.ok };)";
  Result<PolicySet> a = ParsePolicySet(text);
  ASSERT_TRUE(a.ok());
  std::string printed = FormatPolicySet(*a);
  Result<PolicySet> b = ParsePolicySet(printed);
  ASSERT_TRUE(b.ok()) << printed;
  ASSERT_EQ(b->policies.size(), 2u);
  ASSERT_EQ(b->templates.size(), 1u);
  EXPECT_TRUE(PolicyEquals(a->policies[0], b->policies[0]));
  EXPECT_TRUE(PolicyEquals(a->policies[1], b->policies[1], false));
  EXPECT_TRUE(PolicyEquals(a->templates[0], b->templates[0], false));
  EXPECT_FALSE(PolicyEquals(a->policies[0], a->policies[1], false));
}

TEST(ExprEquals, IgnoresLocationsButNotContent) {
  Result<ExprPtr> a = ParseExpression("1 + context.x");
  Result<ExprPtr> b = ParseExpression("1   +\n context.x");
  Result<ExprPtr> c = ParseExpression("1 + context.y");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_TRUE(ExprEquals(**a, **b));
  EXPECT_FALSE(ExprEquals(**a, **c));
}

// Random trees over every form, printed and read back.
class TreeGen {
 public:
  explicit TreeGen(uint32_t seed) : rng_(seed) {}

  ExprPtr Gen(int depth) {
    if (depth <= 0 || Pick(4) == 0) return Leaf();
    auto sub = [&] { return Gen(depth - 1); };
    switch (Pick(16)) {
      case 0:
        return Node(ExprKind::kNot, {sub()});
      case 1:
        return Node(ExprKind::kNeg, {sub()});
      case 2: {
        static constexpr ExprKind kBin[] = {
            ExprKind::kAnd,      ExprKind::kOr,          ExprKind::kEq,
            ExprKind::kNotEq,    ExprKind::kLess,        ExprKind::kLessEq,
            ExprKind::kGreater,  ExprKind::kGreaterEq,   ExprKind::kAdd,
            ExprKind::kSub,      ExprKind::kMul,         ExprKind::kIn,
            ExprKind::kContains, ExprKind::kContainsAll, ExprKind::kContainsAny,
            ExprKind::kGetTag,   ExprKind::kHasTag};
        return Node(kBin[Pick(std::size(kBin))], {sub(), sub()});
      }
      case 3:
        return Node(ExprKind::kIf, {sub(), sub(), sub()});
      case 4:
        return Node(ExprKind::kIsEmpty, {sub()});
      case 5:
        return Node(ExprKind::kGetAttr, {sub()}, Attr());
      case 6:
        return Node(ExprKind::kHasAttr, {sub()}, Attr());
      case 7: {
        auto e = std::make_shared<Expr>();
        e->kind = ExprKind::kLike;
        e->args = {sub()};
        for (int i = Pick(4); i > 0; --i) {
          if (Pick(2)) {
            e->pattern.push_back(PatternElem{true, ""});
          } else if (e->pattern.empty() || e->pattern.back().wildcard) {
            e->pattern.push_back(PatternElem{false, Str()});
            if (e->pattern.back().literal.empty()) e->pattern.pop_back();
          }
        }
        return e;
      }
      case 8:
        return Pick(2) ? Node(ExprKind::kIs, {sub()}, "NS::T")
                       : Node(ExprKind::kIs, {sub(), sub()}, "T");
      case 9: {
        std::vector<ExprPtr> elems;
        for (int i = Pick(3); i > 0; --i) elems.push_back(sub());
        return Node(ExprKind::kSet, std::move(elems));
      }
      case 10: {
        auto e = std::make_shared<Expr>();
        e->kind = ExprKind::kRecord;
        for (int i = Pick(3); i > 0; --i) {
          std::string k = Attr() + std::to_string(i);
          e->keys.push_back(k);
          e->args.push_back(sub());
        }
        return e;
      }
      case 11:
        return Node(ExprKind::kExtCall, {sub()}, "decimal");
      case 12:
        return Node(ExprKind::kExtCall, {sub(), sub()}, "lessThan");
      case 13:
        return Node(ExprKind::kExtCall, {sub()}, "toDays");
      default:
        return Leaf();
    }
  }

 private:
  size_t Pick(size_t n) {
    return std::uniform_int_distribution<size_t>(0, n - 1)(rng_);
  }
  std::string Attr() {
    static const char* kAttrs[] = {"a",  "if", "a b", "",   "principal",
                                   "\"", "é",  "has", "_x1"};
    return kAttrs[Pick(std::size(kAttrs))];
  }
  std::string Str() {
    static const char* kStrs[] = {"",   "x",    "*", "\\", "\n\t",
                                  "\"", "\x01", "ü", "a*b"};
    return kStrs[Pick(std::size(kStrs))];
  }
  ExprPtr Leaf() {
    switch (Pick(7)) {
      case 0:
        return Lit(Value::Bool(Pick(2) == 0));
      case 1: {
        static const int64_t kLongs[] = {0, 1, -1, 42, INT64_MAX, INT64_MIN};
        return Lit(Value::Long(kLongs[Pick(std::size(kLongs))]));
      }
      case 2:
        return Lit(Value::String(Str()));
      case 3:
        return Lit(Value::Entity(EntityUid{"NS::User", Str()}));
      default: {
        auto e = std::make_shared<Expr>();
        e->kind = ExprKind::kVar;
        e->var = static_cast<Var>(Pick(4));
        return e;
      }
    }
  }
  std::mt19937 rng_;
};

TEST(FormatExpr, RandomTreesReadBackEqual) {
  TreeGen gen(12345);
  for (int i = 0; i < 20000; ++i) {
    ExprPtr e = gen.Gen(6);
    std::string printed = FormatExpr(*e);
    Result<ExprPtr> back = ParseExpression(printed);
    ASSERT_TRUE(back.ok()) << printed << "\n" << back.error().message();
    ASSERT_TRUE(ExprEquals(*e, **back)) << printed;
  }
}

}  // namespace
}  // namespace haven::cedar
