#include "cedar/evaluator.h"

#include <gtest/gtest.h>

#include <initializer_list>

namespace haven::cedar {
namespace {

// Builders for expression trees (the parser is tested on its own).
ExprPtr Lit(Value v) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = std::move(v);
  return e;
}
ExprPtr L(int64_t n) { return Lit(Value::Long(n)); }
ExprPtr B(bool b) { return Lit(Value::Bool(b)); }
ExprPtr S(const char* s) { return Lit(Value::String(s)); }
ExprPtr Ent(const char* type, const char* id) {
  return Lit(Value::Entity(EntityUid{type, id}));
}
ExprPtr V(Var v) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kVar;
  e->var = v;
  return e;
}
ExprPtr Op(ExprKind k, std::initializer_list<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->args = args;
  return e;
}
ExprPtr Named(ExprKind k, std::string name,
              std::initializer_list<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = k;
  e->name = std::move(name);
  e->args = args;
  return e;
}
ExprPtr Get(ExprPtr a, const char* attr) {
  return Named(ExprKind::kGetAttr, attr, {a});
}
ExprPtr Has(ExprPtr a, const char* attr) {
  return Named(ExprKind::kHasAttr, attr, {a});
}
ExprPtr Call(const char* fn, std::initializer_list<ExprPtr> args) {
  return Named(ExprKind::kExtCall, fn, args);
}
ExprPtr Set(std::initializer_list<ExprPtr> args) {
  return Op(ExprKind::kSet, args);
}
ExprPtr Rec(std::vector<std::string> keys,
            std::initializer_list<ExprPtr> args) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kRecord;
  e->keys = std::move(keys);
  e->args = args;
  return e;
}
ExprPtr Like(ExprPtr a, Pattern p) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLike;
  e->pattern = std::move(p);
  e->args = {a};
  return e;
}

EntityUid U(const char* type, const char* id) { return EntityUid{type, id}; }

class EvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Entity alice;
    alice.uid = U("User", "alice");
    alice.attrs = {{"a", Value::Long(1)},
                   {"r", Value::Record({{"x", Value::Long(2)}})},
                   {"boss", Value::Entity(U("User", "bob"))}};
    alice.parents = {U("G", "g")};
    alice.tags = {{"t", Value::Long(5)}};
    Entity g;
    g.uid = U("G", "g");
    g.parents = {U("G", "h")};
    Entity h;
    h.uid = U("G", "h");
    h.parents = {U("G", "z")};
    Result<EntityStore> s = EntityStore::Build({alice, g, h});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    request_.principal = U("User", "alice");
    request_.action = U("Action", "view");
    request_.resource = U("Doc", "d");
    request_.context =
        Value::Record({{"n", Value::Long(7)}, {"s", Value::String("case-42")}});
  }

  Result<Value> Eval(const ExprPtr& e) {
    Evaluator ev(request_, store_);
    return ev.Evaluate(*e);
  }
  // The outcome as a policy condition: "true", "false" or "error".
  std::string Cond(const ExprPtr& e) {
    Evaluator ev(request_, store_);
    switch (ev.EvaluateBool(CompiledExpr::Compile(*e))) {
      case Evaluator::Outcome::kTrue:
        return "true";
      case Evaluator::Outcome::kFalse:
        return "false";
      case Evaluator::Outcome::kError:
        return "error";
    }
    return "?";
  }

  EntityStore store_;
  Request request_;
};

using K = ExprKind;

TEST_F(EvaluatorTest, AndOrShortCircuitAndNeedBooleans) {
  EXPECT_EQ(Cond(Op(K::kAnd, {B(true), L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kAnd, {B(false), L(1)})), "false");
  EXPECT_EQ(Cond(Op(K::kOr, {B(true), L(1)})), "true");
  EXPECT_EQ(Cond(Op(K::kOr, {B(false), L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kOr, {L(1), B(true)})), "error");
  EXPECT_EQ(Cond(Op(K::kNot, {L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kNot, {B(false)})), "true");
}

TEST_F(EvaluatorTest, ANonBooleanConditionIsAnError) {
  EXPECT_EQ(Cond(L(1)), "error");
  EXPECT_EQ(Cond(Op(K::kIf, {L(1), B(true), B(true)})), "error");
  EXPECT_EQ(Cond(Op(K::kIf, {B(true), B(true), L(1)})), "true");
  EXPECT_EQ(Cond(Op(K::kIf, {B(false), B(true), L(1)})), "error");
}

TEST_F(EvaluatorTest, EqualityNeverFailsAcrossTypes) {
  EXPECT_EQ(Cond(Op(K::kEq, {L(1), B(true)})), "false");
  EXPECT_EQ(Cond(Op(K::kNotEq, {L(1), S("1")})), "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Set({L(1), L(2)}), Set({L(2), L(1)})})), "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Rec({"a", "b"}, {L(1), L(2)}),
                             Rec({"b", "a"}, {L(2), L(1)})})),
            "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Ent("User", "alice"), V(Var::kPrincipal)})),
            "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Call("datetime", {S("2024-01-01")}),
                             Call("duration", {S("0ms")})})),
            "false");
}

TEST_F(EvaluatorTest, ComparisonsTakeLongsDatetimesOrDurations) {
  EXPECT_EQ(Cond(Op(K::kLess, {L(1), L(2)})), "true");
  EXPECT_EQ(Cond(Op(K::kLess, {L(1), L(1)})), "false");
  EXPECT_EQ(Cond(Op(K::kGreaterEq, {L(1), L(1)})), "true");
  EXPECT_EQ(Cond(Op(K::kLess, {Call("datetime", {S("2024-01-01")}),
                               Call("datetime", {S("2024-01-02")})})),
            "true");
  EXPECT_EQ(Cond(Op(K::kGreater, {Call("duration", {S("2h")}),
                                  Call("duration", {S("1h")})})),
            "true");
  EXPECT_EQ(Cond(Op(K::kLess, {Call("datetime", {S("2024-01-01")}), L(1)})),
            "error");
  EXPECT_EQ(Cond(Op(K::kLess, {Call("decimal", {S("1.0")}),
                               Call("decimal", {S("2.0")})})),
            "error");
  EXPECT_EQ(Cond(Op(K::kLess, {S("a"), S("b")})), "error");
}

TEST_F(EvaluatorTest, ArithmeticIsChecked) {
  EXPECT_EQ(Eval(Op(K::kAdd, {L(2), L(3)}))->AsLong(), 5);
  EXPECT_EQ(Eval(Op(K::kSub, {L(2), L(3)}))->AsLong(), -1);
  EXPECT_EQ(Eval(Op(K::kMul, {L(-2), L(3)}))->AsLong(), -6);
  EXPECT_FALSE(Eval(Op(K::kAdd, {L(INT64_MAX), L(1)})).ok());
  EXPECT_FALSE(Eval(Op(K::kSub, {L(INT64_MIN), L(1)})).ok());
  EXPECT_FALSE(Eval(Op(K::kMul, {L(INT64_MAX), L(2)})).ok());
  EXPECT_FALSE(Eval(Op(K::kNeg, {L(INT64_MIN)})).ok());
  EXPECT_EQ(Eval(Op(K::kNeg, {L(INT64_MAX)}))->AsLong(), -INT64_MAX);
  EXPECT_FALSE(Eval(Op(K::kAdd, {L(1), S("a")})).ok());
}

TEST_F(EvaluatorTest, InFollowsTheHierarchyAndChecksTypes) {
  ExprPtr p = V(Var::kPrincipal);
  EXPECT_EQ(Cond(Op(K::kIn, {p, Ent("G", "z")})), "true");
  EXPECT_EQ(Cond(Op(K::kIn, {p, Ent("G", "nope")})), "false");
  EXPECT_EQ(Cond(Op(K::kIn, {Ent("G", "z"), Ent("G", "z")})), "true");
  EXPECT_EQ(Cond(Op(K::kIn, {Ent("G", "h"), Ent("G", "g")})), "false");
  EXPECT_EQ(Cond(Op(K::kIn, {Ent("Q", "q"), Ent("Q", "q")})), "true");
  EXPECT_EQ(Cond(Op(K::kIn, {p, Set({Ent("G", "x"), Ent("G", "g")})})), "true");
  EXPECT_EQ(Cond(Op(K::kIn, {p, Set({})})), "false");
  // Every element must be an entity, even after a match.
  EXPECT_EQ(Cond(Op(K::kIn, {p, Set({Ent("G", "g"), L(1)})})), "error");
  EXPECT_EQ(Cond(Op(K::kIn, {p, L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kIn, {L(1), Ent("G", "g")})), "error");
  // An entity reached through an attribute.
  EXPECT_EQ(Cond(Op(K::kIn, {Get(p, "boss"), Ent("User", "bob")})), "true");
}

TEST_F(EvaluatorTest, IsChecksTheTypeBeforeIn) {
  ExprPtr p = V(Var::kPrincipal);
  EXPECT_EQ(Cond(Named(K::kIs, "User", {p})), "true");
  EXPECT_EQ(Cond(Named(K::kIs, "G", {p})), "false");
  EXPECT_EQ(Cond(Named(K::kIs, "User", {p, Ent("G", "g")})), "true");
  EXPECT_EQ(Cond(Named(K::kIs, "User", {p, Ent("G", "x")})), "false");
  EXPECT_EQ(Cond(Named(K::kIs, "G", {p, L(1)})), "false");
  EXPECT_EQ(Cond(Named(K::kIs, "User", {p, L(1)})), "error");
  EXPECT_EQ(Cond(Named(K::kIs, "User", {L(1)})), "error");
}

TEST_F(EvaluatorTest, AttributesOfEntitiesAndRecords) {
  ExprPtr p = V(Var::kPrincipal);
  EXPECT_EQ(Cond(Has(p, "a")), "true");
  EXPECT_EQ(Cond(Has(p, "zz")), "false");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(p, "a"), L(1)})), "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(p, "zz"), L(1)})), "error");
  EXPECT_EQ(Cond(Has(Ent("Doc", "x"), "a")), "false");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(Ent("Doc", "x"), "a"), L(1)})), "error");
  EXPECT_EQ(Cond(Has(L(1), "a")), "error");
  EXPECT_EQ(Cond(Has(Get(p, "r"), "x")), "true");
  EXPECT_EQ(Cond(Has(Get(p, "a"), "b")), "error");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(Get(p, "r"), "x"), L(2)})), "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(Rec({"a"}, {L(1)}), "b"), L(1)})), "error");
  EXPECT_EQ(Cond(Has(Rec({"a"}, {L(1)}), "b")), "false");
  // A record computed during evaluation.
  EXPECT_EQ(Cond(Op(K::kEq, {Get(Rec({"a"}, {Get(p, "a")}), "a"), L(1)})),
            "true");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(V(Var::kContext), "n"), L(7)})), "true");
  EXPECT_EQ(Cond(Has(V(Var::kContext), "x")), "false");
  EXPECT_EQ(Cond(Op(K::kEq, {Get(V(Var::kContext), "x"), L(7)})), "error");
}

TEST_F(EvaluatorTest, TagsOfEntities) {
  ExprPtr p = V(Var::kPrincipal);
  EXPECT_EQ(Cond(Op(K::kEq, {Op(K::kGetTag, {p, S("t")}), L(5)})), "true");
  EXPECT_EQ(Cond(Op(K::kHasTag, {p, S("u")})), "false");
  EXPECT_EQ(Cond(Op(K::kEq, {Op(K::kGetTag, {p, S("u")}), L(5)})), "error");
  EXPECT_EQ(Cond(Op(K::kHasTag, {Ent("Doc", "x"), S("u")})), "false");
  EXPECT_EQ(Cond(Op(K::kEq, {Op(K::kGetTag, {Ent("Doc", "x"), S("u")}), L(1)})),
            "error");
  EXPECT_EQ(Cond(Op(K::kHasTag, {p, L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kHasTag, {L(1), S("t")})), "error");
}

TEST_F(EvaluatorTest, SetOperations) {
  EXPECT_EQ(Cond(Op(K::kContains, {Set({L(1)}), L(1)})), "true");
  EXPECT_EQ(Cond(Op(K::kContains, {Set({L(1)}), S("1")})), "false");
  EXPECT_EQ(Cond(Op(K::kContains, {L(1), L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kContainsAll, {Set({L(1), L(2)}), Set({L(2)})})),
            "true");
  EXPECT_EQ(Cond(Op(K::kContainsAll, {Set({L(1)}), Set({L(1), L(3)})})),
            "false");
  EXPECT_EQ(Cond(Op(K::kContainsAll, {Set({L(1)}), L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {Set({}), Set({L(1)})})), "false");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {Set({L(1), L(2)}), Set({L(2), L(9)})})),
            "true");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {Set({L(1)}), L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kIsEmpty, {Set({})})), "true");
  EXPECT_EQ(Cond(Op(K::kIsEmpty, {Set({L(1)})})), "false");
  EXPECT_EQ(Cond(Op(K::kIsEmpty, {S("a")})), "error");
  // Sets built from request data.
  EXPECT_EQ(
      Cond(Op(K::kContains, {Set({Get(V(Var::kContext), "n"), L(1)}), L(7)})),
      "true");
  EXPECT_EQ(Cond(Op(K::kContains, {Set({Get(V(Var::kContext), "q")}), L(7)})),
            "error");
}

TEST_F(EvaluatorTest, LikeNeedsAString) {
  Pattern p = {{false, "case-"}, {true, ""}};
  EXPECT_EQ(Cond(Like(Get(V(Var::kContext), "s"), p)), "true");
  EXPECT_EQ(Cond(Like(S("other"), p)), "false");
  EXPECT_EQ(Cond(Like(L(1), p)), "error");
}

TEST_F(EvaluatorTest, ExtensionCallsEvaluateArgumentsAndReportErrors) {
  EXPECT_EQ(Cond(Call("isInRange", {Call("ip", {S("10.1.2.3")}),
                                    Call("ip", {S("10.0.0.0/8")})})),
            "true");
  EXPECT_EQ(Cond(Call("isIpv4", {Call("ip", {S("01.2.3.4")})})), "error");
  EXPECT_EQ(Cond(Call("lessThan", {Call("decimal", {S("-0.5")}),
                                   Call("decimal", {S("0.0")})})),
            "true");
  EXPECT_EQ(Cond(Call("isIpv4", {Call("ip", {Get(V(Var::kContext), "s")})})),
            "error");
  EXPECT_EQ(Cond(Call("nosuch", {L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kEq, {Call("toHours", {Call("duration", {S("-1d2h")})}),
                             L(-26)})),
            "true");
}

TEST_F(EvaluatorTest, AFailingConstantCallStillFailsEveryTime) {
  CompiledExpr c = CompiledExpr::Compile(*Call("decimal", {S("bad")}));
  EXPECT_EQ(c.constant(), nullptr);
  Evaluator ev(request_, store_);
  EXPECT_EQ(ev.EvaluateBool(c), Evaluator::Outcome::kError);
  EXPECT_EQ(ev.EvaluateBool(c), Evaluator::Outcome::kError);
  EXPECT_NE(ev.error().find("decimal"), std::string::npos);
}

TEST_F(EvaluatorTest, ConstantSubtreesAreFolded) {
  CompiledExpr c = CompiledExpr::Compile(
      *Set({Call("ip", {S("10.0.0.0/8")}), L(1), Rec({"a"}, {S("x")})}));
  ASSERT_NE(c.constant(), nullptr);
  EXPECT_EQ(c.constant()->AsSet().size(), 3u);
}

TEST_F(EvaluatorTest, VariablesOutsideTheStoreStillEvaluate) {
  request_.principal = U("User", "nobody");
  EXPECT_EQ(Cond(Op(K::kEq, {V(Var::kPrincipal), Ent("User", "nobody")})),
            "true");
  EXPECT_EQ(Cond(Has(V(Var::kPrincipal), "a")), "false");
  EXPECT_EQ(Cond(Op(K::kIn, {V(Var::kPrincipal), Ent("G", "g")})), "false");
  EXPECT_EQ(Cond(Op(K::kEq, {V(Var::kAction), Ent("Action", "view")})), "true");
  EXPECT_EQ(Cond(Op(K::kEq, {V(Var::kResource), Ent("Doc", "d")})), "true");
}

}  // namespace
}  // namespace haven::cedar

namespace haven::cedar {
namespace {

TEST(Evaluator, HandlesTheDeepestTreesTheParserBuilds) {
  // The parser bounds trees at kMaxExpressionDepth (1000) levels.
  ExprPtr e = Lit(Value::Long(0));
  for (int i = 0; i < 1000; ++i) e = Op(ExprKind::kAdd, {e, L(1)});
  ExprPtr b = Op(ExprKind::kEq, {e, L(1000)});
  for (int i = 0; i < 1000; ++i) b = Op(ExprKind::kNot, {b});
  Request req;
  EntityStore store;
  Evaluator ev(req, store);
  Result<Value> r = ev.Evaluate(*b);
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_TRUE(r->AsBool());
}

TEST(Evaluator, ReusesAttributeReadsWithinARequestOnly) {
  AttrPaths paths;
  ExprPtr ctx = V(Var::kContext);
  CompiledExpr has = CompiledExpr::Compile(*Has(ctx, "n"), &paths);
  CompiledExpr get =
      CompiledExpr::Compile(*Op(ExprKind::kEq, {Get(ctx, "n"), L(1)}), &paths);
  EXPECT_EQ(paths.size(), 1);
  EntityStore store;
  Request with;
  with.context = Value::Record({{"n", Value::Long(1)}});
  Request without;
  {
    Evaluator ev(with, store, -1, -1, -1, paths.size());
    EXPECT_EQ(ev.EvaluateBool(has), Evaluator::Outcome::kTrue);
    EXPECT_EQ(ev.EvaluateBool(get), Evaluator::Outcome::kTrue);
  }
  {
    Evaluator ev(without, store, -1, -1, -1, paths.size());
    EXPECT_EQ(ev.EvaluateBool(has), Evaluator::Outcome::kFalse);
    // Remembered as absent, and still an error to read.
    EXPECT_EQ(ev.EvaluateBool(get), Evaluator::Outcome::kError);
    EXPECT_EQ(ev.EvaluateBool(has), Evaluator::Outcome::kFalse);
  }
}

// The memoized paths (var.attr, var has attr, read once per request) give
// the same results and the same errors as the general path.
TEST(Evaluator, MemoizedEntityAttributesMatchTheGeneralPath) {
  Entity alice;
  alice.uid = U("User", "alice");
  alice.attrs = {{"dept", Value::String("DHS")}, {"n", Value::Long(3)}};
  Result<EntityStore> s = EntityStore::Build({alice});
  ASSERT_TRUE(s.ok());
  AttrPaths paths;
  ExprPtr p = V(Var::kPrincipal);
  ExprPtr cond =
      Op(ExprKind::kAnd,
         {Has(p, "dept"), Op(ExprKind::kEq, {Get(p, "dept"), S("DHS")})});
  CompiledExpr c = CompiledExpr::Compile(*cond, &paths);
  CompiledExpr has_missing = CompiledExpr::Compile(*Has(p, "zzz"), &paths);
  CompiledExpr get_missing =
      CompiledExpr::Compile(*Op(ExprKind::kEq, {Get(p, "zzz"), L(1)}), &paths);
  Request in_store;
  in_store.principal = U("User", "alice");
  Request not_in_store;
  not_in_store.principal = U("User", "bob");
  for (int with_ids = 0; with_ids < 2; ++with_ids) {
    int32_t id = with_ids ? s->Intern(in_store.principal) : -1;
    {
      Evaluator ev(in_store, *s, id, -1, -1, paths.size());
      for (int twice = 0; twice < 2; ++twice) {
        EXPECT_EQ(ev.EvaluateBool(c), Evaluator::Outcome::kTrue);
        EXPECT_EQ(ev.EvaluateBool(has_missing), Evaluator::Outcome::kFalse);
        EXPECT_EQ(ev.EvaluateBool(get_missing), Evaluator::Outcome::kError);
        EXPECT_EQ(ev.error(),
                  "`User::\"alice\"` does not have the attribute `zzz`");
      }
    }
    {
      Evaluator ev(not_in_store, *s, -1, -1, -1, paths.size());
      EXPECT_EQ(ev.EvaluateBool(has_missing), Evaluator::Outcome::kFalse);
      EXPECT_EQ(ev.EvaluateBool(c), Evaluator::Outcome::kFalse);
      EXPECT_EQ(ev.EvaluateBool(get_missing), Evaluator::Outcome::kError);
      EXPECT_EQ(ev.error(), "entity `User::\"bob\"` does not exist");
    }
  }
}

TEST(Evaluator, ContextThatIsNotARecordTakesTheGeneralPath) {
  AttrPaths paths;
  CompiledExpr has = CompiledExpr::Compile(*Has(V(Var::kContext), "a"), &paths);
  EntityStore store;
  Request req;
  req.context = Value::Long(1);
  Evaluator ev(req, store, -1, -1, -1, paths.size());
  EXPECT_EQ(ev.EvaluateBool(has), Evaluator::Outcome::kError);
  EXPECT_EQ(ev.error(),
            "type error: expected one of [record, entity], got long");
}

TEST_F(EvaluatorTest, ContainsAnyIsSymmetricAndFalseOnEmptySets) {
  auto strs = [](std::initializer_list<const char*> xs) {
    std::vector<ExprPtr> v;
    for (const char* x : xs) v.push_back(S(x));
    auto e = std::make_shared<Expr>();
    e->kind = ExprKind::kSet;
    e->args = std::move(v);
    return ExprPtr(e);
  };
  ExprPtr big = strs({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  ExprPtr one = strs({"j"});
  ExprPtr none = strs({"x", "y"});
  ExprPtr empty = strs({});
  EXPECT_EQ(Cond(Op(K::kContainsAny, {big, one})), "true");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {one, big})), "true");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {big, none})), "false");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {none, big})), "false");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {empty, big})), "false");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {big, empty})), "false");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {empty, empty})), "false");
  // Types are still checked on both sides, even when one side is empty.
  EXPECT_EQ(Cond(Op(K::kContainsAny, {empty, L(1)})), "error");
  EXPECT_EQ(Cond(Op(K::kContainsAny, {L(1), empty})), "error");
  EXPECT_EQ(Cond(Op(K::kContainsAll, {big, one})), "true");
  EXPECT_EQ(Cond(Op(K::kContainsAll, {one, big})), "false");
  EXPECT_EQ(Cond(Op(K::kContainsAll, {one, empty})), "true");
}

TEST_F(EvaluatorTest, BooleanExtensionCallsInConditionsReportTheSameErrors) {
  ExprPtr net = Call("ip", {S("10.0.0.0/8")});
  ExprPtr addr = Call("ip", {S("10.1.2.3")});
  EXPECT_EQ(Cond(Call("isInRange", {addr, net})), "true");
  EXPECT_EQ(Cond(Call("isInRange", {net, addr})), "false");
  EXPECT_EQ(Cond(Call("isLoopback", {Call("ip", {S("127.0.0.1")})})), "true");
  EXPECT_EQ(Cond(Call("lessThan", {Call("decimal", {S("1.5")}),
                                   Call("decimal", {S("2.0")})})),
            "true");
  // Wrong types: the same message in a condition as in a value position.
  for (ExprPtr bad :
       {Call("isInRange", {addr, S("10.0.0.0/8")}), Call("isLoopback", {L(1)}),
        Call("lessThan", {L(1), L(2)}), Call("isInRange", {addr}),
        Call("ip", {S("10.0.0.1")})}) {
    Evaluator ev(request_, store_);
    Result<Value> as_value = ev.Evaluate(*bad);
    std::string cond = Cond(bad);
    Evaluator ev2(request_, store_);
    Evaluator::Outcome o = ev2.EvaluateBool(CompiledExpr::Compile(*bad));
    ASSERT_EQ(o, Evaluator::Outcome::kError) << cond;
    if (!as_value.ok()) {
      EXPECT_EQ(ev2.error(), as_value.error().message());
    } else {
      EXPECT_EQ(ev2.error(), "type error: expected bool, got ipaddr");
    }
  }
}

TEST_F(EvaluatorTest, InWithALiteralEntityOnTheRight) {
  // The literal's uid hash is precomputed; `in` must still compare uids.
  EXPECT_EQ(Cond(Op(K::kIn, {V(Var::kPrincipal), Ent("G", "z")})), "true");
  EXPECT_EQ(Cond(Op(K::kIn, {V(Var::kPrincipal), Ent("G", "y")})), "false");
  EXPECT_EQ(Cond(Op(K::kIn, {V(Var::kPrincipal), Ent("G::G", "z")})), "false");
  EXPECT_EQ(Cond(Op(K::kIn, {V(Var::kResource), Ent("G", "z")})), "false");
  EXPECT_EQ(Cond(Op(K::kIn, {Ent("G", "g"), Ent("G", "z")})), "true");
}

// `in` reads uids from the store's records when it can (short uids are held
// inline, long ones are not, ancestors are scanned below 17 and searched
// above): every combination agrees with EntityStore::In.
TEST(Evaluator, InAgreesWithTheStoreForShortAndLongUidsAndAncestries) {
  const std::string long_id(40, 'L');
  std::vector<EntityUid> uids = {
      U("User", "u"), EntityUid{"User", long_id}, U("G", "g"),
      EntityUid{"Group::With::A::Long::Namespace", long_id}, U("Top", "t")};
  std::vector<Entity> list;
  auto add = [&](const EntityUid& uid, std::vector<EntityUid> parents) {
    Entity e;
    e.uid = uid;
    e.parents = std::move(parents);
    list.push_back(std::move(e));
  };
  add(uids[0], {uids[2], uids[3]});
  add(uids[1], {uids[3]});
  add(uids[2], {uids[4]});
  add(uids[3], {uids[4]});
  // A chain of 20 ancestors, past the linear scan.
  std::vector<EntityUid> chain;
  for (int i = 0; i < 21; ++i)
    chain.push_back(EntityUid{"C", "c" + std::to_string(i)});
  for (int i = 0; i < 20; ++i) add(chain[i], {chain[i + 1]});
  uids.push_back(chain[0]);
  uids.push_back(chain[20]);
  uids.push_back(chain[7]);
  uids.push_back(U("Nowhere", "n"));  // not in the store
  Result<EntityStore> store = EntityStore::Build(list);
  ASSERT_TRUE(store.ok()) << store.error().message();

  for (const EntityUid& a : uids) {
    for (const EntityUid& b : uids) {
      const bool want = store->In(a, b);
      // principal in <literal>, principal in resource (both store Values
      // when known), <literal> in <literal>.
      Request r;
      r.principal = a;
      r.action = U("Action", "x");
      r.resource = b;
      const std::string where = a.ToString() + " in " + b.ToString();
      for (const ExprPtr& e :
           {Op(K::kIn, {V(Var::kPrincipal), Lit(Value::Entity(b))}),
            Op(K::kIn, {V(Var::kPrincipal), V(Var::kResource)}),
            Op(K::kIn, {Lit(Value::Entity(a)), Lit(Value::Entity(b))}),
            Op(K::kIn, {V(Var::kPrincipal), Set({Lit(Value::Entity(b))})})}) {
        Evaluator ev(r, *store);
        Result<Value> v = ev.Evaluate(*e);
        ASSERT_TRUE(v.ok()) << where << ": " << v.error().message();
        EXPECT_EQ(*v, Value::Bool(want)) << where;
        Evaluator ev2(r, *store);
        EXPECT_EQ(ev2.EvaluateBool(CompiledExpr::Compile(*e)),
                  want ? Evaluator::Outcome::kTrue : Evaluator::Outcome::kFalse)
            << where;
      }
    }
  }
  // A non-entity on the left is a type error, whatever the right.
  Request r;
  r.principal = uids[0];
  Evaluator ev(r, *store);
  EXPECT_FALSE(ev.Evaluate(*Op(K::kIn, {L(1), V(Var::kPrincipal)})).ok());
}

}  // namespace
}  // namespace haven::cedar

namespace haven::cedar {
namespace {

// The fused forms (var.attr == literal, [..].contains(var.attr), runs of
// `like` on one attribute, ...) decide exactly as the general path does,
// errors and their messages included, whatever the attribute holds.
TEST(Evaluator, FusedFormsMatchTheGeneralPath) {
  PatternElem star{true, ""};
  auto infix = [&](const char* w) {
    return Pattern{star, PatternElem{false, w}, star};
  };
  Entity alice;
  alice.uid = U("User", "alice");
  alice.attrs = {{"net", Value::Ip(IpAddr{{10, 0, 0, 0}, 8, false})},
                 {"on", Value::Bool(true)},
                 {"tf", Value::Set({Value::String("x")})}};
  alice.parents = {U("G", "g")};
  Result<EntityStore> s = EntityStore::Build({alice});
  ASSERT_TRUE(s.ok());
  ExprPtr c = V(Var::kContext), p = V(Var::kPrincipal);
  ExprPtr reason = Get(c, "reason");
  const std::vector<ExprPtr> exprs = {
      Op(K::kOr,
         {Op(K::kOr, {Op(K::kOr, {Op(K::kContains, {Get(c, "flags"), S("i")}),
                                  Like(reason, infix("ICE"))}),
                      Like(reason, infix("ERO"))}),
          Like(reason, {PatternElem{false, "JC"}, star})}),
      Op(K::kOr, {Like(reason, infix("a")), Like(Get(c, "n"), infix("b"))}),
      Op(K::kAnd, {Op(K::kAnd, {Has(c, "reason"), B(true)}),
                   Op(K::kEq, {Get(c, "reason"), S("ICE")})}),
      Op(K::kNotEq, {S("x"), Get(c, "reason")}),
      Op(K::kContains, {Lit(Value::Set({Value::String("x")})), reason}),
      Op(K::kContains, {Get(c, "flags"), S("i")}),
      Op(K::kContainsAny,
         {Get(c, "flags"), Lit(Value::Set({Value::String("i")}))}),
      Op(K::kContainsAny,
         {Get(p, "tf"), Lit(Value::Set({Value::String("x")}))}),
      Get(p, "on"),
      Get(c, "reason"),
      Op(K::kIn, {p, Ent("G", "g")}),
      Op(K::kIn, {p, Ent("G", "h")}),
      // Extension calls on memoized attributes and literals (EvalAttrExt).
      Call("isInRange", {Get(c, "n"), Call("ip", {S("10.0.0.0/8")})}),
      Call("isInRange", {Get(c, "n"), Get(p, "net")}),
      Call("isLoopback", {Get(c, "n")}),
  };
  std::vector<Value> contexts = {
      Value::Record({{"flags", Value::Set({})},
                     {"n", Value::Long(1)},
                     {"reason", Value::String("ICE+ERO")}}),
      Value::Record({{"flags", Value::Set({Value::String("i")})},
                     {"reason", Value::String("burglary")}}),
      Value::Record({{"flags", Value::Set({})},
                     {"n", Value::String("b")},
                     {"reason", Value::String("JC1")}}),
      Value::Record({{"flags", Value::Long(1)}, {"reason", Value::Long(2)}}),
      Value::Record({}),
      Value::Long(3),
      Value::Record({{"n", Value::Ip(IpAddr{{10, 1, 2, 3}, 32, false})}}),
      Value::Record({{"n", Value::Ip(IpAddr{{127, 0, 0, 1}, 32, false})}}),
  };
  for (const char* who : {"alice", "bob"}) {
    for (const Value& ctx : contexts) {
      Request req;
      req.principal = U("User", who);
      req.context = ctx;
      for (size_t i = 0; i < exprs.size(); ++i) {
        AttrPaths paths;
        CompiledExpr fused = CompiledExpr::Compile(*exprs[i], &paths);
        CompiledExpr plain = CompiledExpr::Compile(*exprs[i]);
        Evaluator a(req, *s, s->Intern(req.principal), -1, -1, paths.size());
        Evaluator b(req, *s);
        Evaluator::Outcome oa = a.EvaluateBool(fused);
        Evaluator::Outcome ob = b.EvaluateBool(plain);
        EXPECT_EQ(oa, ob) << "expr " << i << " " << ctx.ToCedar() << " " << who;
        EXPECT_EQ(a.error(), b.error()) << "expr " << i;
        Result<Value> va = a.Evaluate(fused), vb = b.Evaluate(plain);
        EXPECT_EQ(va.ok(), vb.ok()) << "expr " << i;
        if (va.ok() && vb.ok()) {
          EXPECT_EQ(*va, *vb) << "expr " << i;
        }
      }
    }
  }
}

}  // namespace
}  // namespace haven::cedar
