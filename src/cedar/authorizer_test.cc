#include "cedar/authorizer.h"

#include <gtest/gtest.h>

#include <thread>

#include "cedar/parser.h"

namespace haven::cedar {
namespace {

EntityUid U(const char* type, const char* id) { return EntityUid{type, id}; }

ExprPtr Lit(Value v) {
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kLiteral;
  e->literal = std::move(v);
  return e;
}
ExprPtr Ctx(const char* attr) {
  auto c = std::make_shared<Expr>();
  c->kind = ExprKind::kVar;
  c->var = Var::kContext;
  auto e = std::make_shared<Expr>();
  e->kind = ExprKind::kGetAttr;
  e->name = attr;
  e->args = {c};
  return e;
}

Policy P(const char* id, Effect effect) {
  Policy p;
  p.id = id;
  p.effect = effect;
  return p;
}
Policy Permit(const char* id) { return P(id, Effect::kPermit); }
Policy Forbid(const char* id) { return P(id, Effect::kForbid); }

EntityScope Scope(EntityScope::Op op, EntityUid e, const char* type = "") {
  EntityScope s;
  s.op = op;
  if (op != EntityScope::Op::kIs) s.entity = std::move(e);
  s.entity_type = type;
  return s;
}

Policy When(Policy p, ExprPtr body, bool is_when = true) {
  p.conditions.push_back({is_when, std::move(body)});
  return p;
}

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ent = [](EntityUid uid, std::vector<EntityUid> parents) {
      Entity e;
      e.uid = std::move(uid);
      e.parents = std::move(parents);
      return e;
    };
    Result<EntityStore> s = EntityStore::Build(
        {ent(U("User", "alice"), {U("Unit", "gang"), U("Agency", "cpd")}),
         ent(U("Unit", "gang"), {U("Agency", "cpd")}),
         ent(U("User", "ice1"), {U("Agency", "ice")}),
         ent(U("Action", "search"), {U("Action", "read")}),
         ent(U("Dataset", "persons"), {U("Store", "records")})});
    ASSERT_TRUE(s.ok());
    store_ = std::move(*s);
    request_.principal = U("User", "alice");
    request_.action = U("Action", "search");
    request_.resource = U("Dataset", "persons");
    request_.context = Value::Record(
        {{"purpose", Value::String("warrant")}, {"n", Value::Long(3)}});
  }

  Response Run(std::vector<Policy> policies) {
    return Authorizer::FromPolicies(std::move(policies))
        .IsAuthorized(request_, store_);
  }

  static std::vector<std::string> ErrorIds(const Response& r) {
    std::vector<std::string> ids;
    for (const PolicyError& e : r.errors) ids.push_back(e.policy_id);
    return ids;
  }

  EntityStore store_;
  Request request_;
};

using Ids = std::vector<std::string>;

TEST_F(AuthorizerTest, DefaultIsDeny) {
  Response r = Run({});
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_TRUE(r.reasons.empty());
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(AuthorizerTest, SatisfiedPermitsAllowAndAreTheReasons) {
  Response r = Run({Permit("a"), Permit("b")});
  EXPECT_EQ(r.decision, Decision::kAllow);
  EXPECT_EQ(r.reasons, (Ids{"a", "b"}));
}

TEST_F(AuthorizerTest, ForbidOverridesPermit) {
  Response r = Run({Permit("p"), Forbid("f1"), Forbid("f2")});
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reasons, (Ids{"f1", "f2"}));
}

TEST_F(AuthorizerTest, AnErroringPolicyIsSkippedAndReported) {
  Policy bad = When(Forbid("bad"), Ctx("missing"));
  Response r = Run({Permit("ok"), bad});
  EXPECT_EQ(r.decision, Decision::kAllow);
  EXPECT_EQ(r.reasons, (Ids{"ok"}));
  EXPECT_EQ(ErrorIds(r), (Ids{"bad"}));
  EXPECT_FALSE(r.errors[0].message.empty());
}

TEST_F(AuthorizerTest, ConditionsRunInOrderAndStopAtTheFirstFailure) {
  Policy p = When(Permit("p"), Lit(Value::Bool(false)));
  p = When(p, Ctx("missing"));
  Policy q = When(Permit("q"), Ctx("missing"));
  q = When(q, Lit(Value::Bool(false)));
  Response r = Run({p, q});
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(ErrorIds(r), (Ids{"q"}));
}

TEST_F(AuthorizerTest, UnlessNeedsFalseAndABoolean) {
  Response r = Run({When(Permit("u"), Lit(Value::Bool(false)), false),
                    When(Permit("v"), Lit(Value::Bool(true)), false),
                    When(Permit("w"), Lit(Value::Long(1)), false),
                    When(Permit("x"), Ctx("n"), true)});
  EXPECT_EQ(r.reasons, (Ids{"u"}));
  EXPECT_EQ(ErrorIds(r), (Ids{"w", "x"}));
}

TEST_F(AuthorizerTest, PrincipalEqualityNeedsTheEntityItself) {
  Policy eq = Permit("eq");
  eq.principal = Scope(EntityScope::Op::kEq, U("Agency", "cpd"));
  Policy in = Permit("in");
  in.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  Policy self = Permit("self");
  self.principal = Scope(EntityScope::Op::kEq, U("User", "alice"));
  Policy other = Permit("other");
  other.principal = Scope(EntityScope::Op::kIn, U("Agency", "ice"));
  Response r = Run({eq, in, self, other});
  EXPECT_EQ(r.reasons, (Ids{"in", "self"}));
}

TEST_F(AuthorizerTest, IsAndIsInScopes) {
  Policy is_user = Permit("is_user");
  is_user.principal = Scope(EntityScope::Op::kIs, {}, "User");
  Policy is_unit = Permit("is_unit");
  is_unit.principal = Scope(EntityScope::Op::kIs, {}, "Unit");
  Policy is_in = Permit("is_in");
  is_in.principal = Scope(EntityScope::Op::kIsIn, U("Unit", "gang"), "User");
  Policy is_in_wrong_type = Permit("is_in_wrong_type");
  is_in_wrong_type.principal =
      Scope(EntityScope::Op::kIsIn, U("Agency", "cpd"), "Unit");
  Policy res_is_in = Permit("res_is_in");
  res_is_in.resource =
      Scope(EntityScope::Op::kIsIn, U("Store", "records"), "Dataset");
  Response r = Run({is_user, is_unit, is_in, is_in_wrong_type, res_is_in});
  EXPECT_EQ(r.reasons, (Ids{"is_user", "is_in", "res_is_in"}));
}

TEST_F(AuthorizerTest, ActionScopesFollowTheActionHierarchy) {
  auto act = [](const char* id, ActionScope::Op op, std::vector<EntityUid> es) {
    Policy p = Permit(id);
    p.action.op = op;
    p.action.entities = std::move(es);
    return p;
  };
  Response r = Run({
      act("eq", ActionScope::Op::kEq, {U("Action", "search")}),
      act("eq_parent", ActionScope::Op::kEq, {U("Action", "read")}),
      act("in_parent", ActionScope::Op::kIn, {U("Action", "read")}),
      act("in_set", ActionScope::Op::kInSet,
          {U("Action", "x"), U("Action", "read")}),
      act("in_one", ActionScope::Op::kInSet, {U("Action", "search")}),
      act("in_empty", ActionScope::Op::kInSet, {}),
      act("in_other", ActionScope::Op::kInSet, {U("Action", "x")}),
  });
  EXPECT_EQ(r.reasons, (Ids{"eq", "in_parent", "in_set", "in_one"}));
}

TEST_F(AuthorizerTest, AllThreeScopesMustHold) {
  Policy p = Permit("p");
  p.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  p.resource = Scope(EntityScope::Op::kEq, U("Dataset", "other"));
  Policy q = Permit("q");
  q.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  q.resource = Scope(EntityScope::Op::kIn, U("Store", "records"));
  q.action.op = ActionScope::Op::kEq;
  q.action.entities = {U("Action", "read")};
  Policy s = Permit("s");
  s.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  s.resource = Scope(EntityScope::Op::kIn, U("Store", "records"));
  s.action.op = ActionScope::Op::kIn;
  s.action.entities = {U("Action", "read")};
  Response r = Run({p, q, s});
  EXPECT_EQ(r.reasons, (Ids{"s"}));
}

TEST_F(AuthorizerTest, ReasonsAndErrorsComeInPolicyOrder) {
  // Policies land in different index buckets but answer in source order.
  Policy a = Permit("a");
  a.resource = Scope(EntityScope::Op::kEq, U("Dataset", "persons"));
  Policy b = Permit("b");
  Policy c = Permit("c");
  c.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  Policy d = Permit("d");
  d.principal = Scope(EntityScope::Op::kEq, U("User", "alice"));
  Policy e1 = When(Permit("e1"), Ctx("zz"));
  e1.principal = Scope(EntityScope::Op::kIn, U("Unit", "gang"));
  Policy e2 = When(Permit("e2"), Ctx("zz"));
  Response r = Run({a, e2, b, c, e1, d});
  EXPECT_EQ(r.reasons, (Ids{"a", "b", "c", "d"}));
  EXPECT_EQ(ErrorIds(r), (Ids{"e2", "e1"}));
}

TEST_F(AuthorizerTest, RequestsForUnknownEntitiesStillMatchByEquality) {
  request_.principal = U("User", "stranger");
  Policy eq = Permit("eq");
  eq.principal = Scope(EntityScope::Op::kEq, U("User", "stranger"));
  Policy in = Permit("in");
  in.principal = Scope(EntityScope::Op::kIn, U("User", "stranger"));
  Policy cpd = Permit("cpd");
  cpd.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  Response r = Run({eq, in, cpd});
  EXPECT_EQ(r.reasons, (Ids{"eq", "in"}));
}

TEST_F(AuthorizerTest, CreateInstantiatesTemplateLinks) {
  PolicySet set;
  Policy t = Forbid("t");
  t.principal.op = EntityScope::Op::kIn;
  t.principal.slot = Slot::kPrincipal;
  set.templates.push_back(t);
  set.policies.push_back(Permit("all"));
  set.links.push_back({"ban-ice", "t", U("Agency", "ice"), std::nullopt});
  set.links.push_back({"ban-cpd", "t", U("Agency", "cpd"), std::nullopt});
  Result<Authorizer> a = Authorizer::Create(set);
  ASSERT_TRUE(a.ok()) << a.error().message();
  EXPECT_EQ(a->size(), 3u);
  Response r = a->IsAuthorized(request_, store_);
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reasons, (Ids{"ban-cpd"}));
  request_.principal = U("User", "nobody");
  r = a->IsAuthorized(request_, store_);
  EXPECT_EQ(r.decision, Decision::kAllow);

  set.links.push_back({"broken", "nope", U("Agency", "x"), std::nullopt});
  EXPECT_FALSE(Authorizer::Create(set).ok());
}

TEST_F(AuthorizerTest, ResponseStorageIsReused) {
  Authorizer a = Authorizer::FromPolicies({Permit("p")});
  Response r;
  r.reasons = {"stale"};
  r.errors = {{"x", "y"}};
  a.IsAuthorized(request_, store_, &r);
  EXPECT_EQ(r.reasons, (Ids{"p"}));
  EXPECT_TRUE(r.errors.empty());
}

TEST_F(AuthorizerTest, AnswersFromManyThreadsAtOnce) {
  Policy p = Permit("p");
  p.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  Policy f = When(Forbid("f"), Ctx("zz"));
  Authorizer a = Authorizer::FromPolicies({p, f});
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        Response r = a.IsAuthorized(request_, store_);
        if (r.decision != Decision::kAllow || r.errors.size() != 1) ++wrong;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// Scopes are matched by hash first; uids that hash alike or read alike
// but differ must still not match.
TEST_F(AuthorizerTest, ScopesMatchExactUidsOnly) {
  auto action_in = [](Policy p, std::vector<EntityUid> set) {
    p.action.op = ActionScope::Op::kInSet;
    p.action.entities = std::move(set);
    return p;
  };
  Policy near1 = Permit("near1");
  near1.principal = Scope(EntityScope::Op::kEq, U("Use", "ralice"));
  Policy near2 = Permit("near2");
  near2.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd "));
  Policy near3 = Permit("near3");
  near3.resource =
      Scope(EntityScope::Op::kIsIn, U("Store", "record"), "Dataset");
  Policy near4 =
      action_in(Permit("near4"), {U("Action", "Read"), U("Actio", "nread")});
  Policy hit1 = Permit("hit1");
  hit1.principal = Scope(EntityScope::Op::kIn, U("Agency", "cpd"));
  hit1.resource =
      Scope(EntityScope::Op::kIsIn, U("Store", "records"), "Dataset");
  Policy hit2 =
      action_in(Permit("hit2"), {U("Action", "x"), U("Action", "read")});
  // Unkeyed (no entity in the principal or resource scope) but with scopes
  // of their own to check.
  Policy hit3 = Permit("hit3");
  hit3.principal = Scope(EntityScope::Op::kIs, U("", ""), "User");
  hit3.action.op = ActionScope::Op::kEq;
  hit3.action.entities = {U("Action", "search")};
  Policy near5 = hit3;
  near5.id = "near5";
  near5.action.entities = {U("Action", "searc")};
  Response r = Run({near1, near2, near3, near4, hit1, hit2, hit3, near5});
  EXPECT_EQ(r.decision, Decision::kAllow);
  EXPECT_EQ(r.reasons, (Ids{"hit1", "hit2", "hit3"}));
}

// Reasons are written into the strings already in the response.
TEST_F(AuthorizerTest, AReusedResponseHoldsOnlyThisRequestsReasons) {
  Authorizer a =
      Authorizer::FromPolicies({Permit("a-policy-with-a-long-identifier"),
                                Permit("b"), When(Permit("c"), Ctx("n"))});
  Response r;
  a.IsAuthorized(request_, store_, &r);
  EXPECT_EQ(r.reasons, (Ids{"a-policy-with-a-long-identifier", "b"}));
  EXPECT_EQ(ErrorIds(r), (Ids{"c"}));
  Authorizer one = Authorizer::FromPolicies({Permit("z")});
  one.IsAuthorized(request_, store_, &r);
  EXPECT_EQ(r.reasons, (Ids{"z"}));
  EXPECT_TRUE(r.errors.empty());
  a.IsAuthorized(request_, store_, &r);
  EXPECT_EQ(r.reasons, (Ids{"a-policy-with-a-long-identifier", "b"}));
}

// IsAuthorizedEach evaluates the policies that cannot look at the resource
// once; every resource must still get exactly IsAuthorized's answer.
TEST_F(AuthorizerTest, EachResourceGetsExactlyIsAuthorizedsAnswer) {
  Result<PolicySet> set = ParsePolicySet(R"(
    permit (principal in Agency::"cpd", action, resource);
    forbid (principal, action, resource in Store::"records");
    forbid (principal, action, resource) when { resource == Field::"dob" };
    forbid (principal, action, resource) when { context.missing };
    permit (principal, action, resource) when { resource.secret };
    forbid (principal, action, resource) unless { context.n == 3 };
    permit (principal, action == Action::"search", resource is Field);
    forbid (principal in Agency::"ice", action, resource);
  )");
  ASSERT_TRUE(set.ok()) << set.error().message();
  Result<Authorizer> a = Authorizer::Create(*set);
  ASSERT_TRUE(a.ok());
  const std::vector<EntityUid> resources = {
      U("Field", "name"), U("Dataset", "persons"), U("Field", "dob"),
      U("Store", "records"), U("Field", "name")};
  for (const char* who : {"alice", "ice1", "nobody"}) {
    for (int64_t n : {3, 4}) {
      Request req = request_;
      req.principal = U("User", who);
      req.context = Value::Record({{"n", Value::Long(n)}});
      std::vector<Response> got;
      a->IsAuthorizedEach(req, resources, store_, &got);
      ASSERT_EQ(got.size(), resources.size());
      for (size_t k = 0; k < resources.size(); ++k) {
        req.resource = resources[k];
        Response want = a->IsAuthorized(req, store_);
        SCOPED_TRACE(std::string(who) + " n=" + std::to_string(n) + " " +
                     resources[k].type + "::" + resources[k].id);
        EXPECT_EQ(got[k].decision, want.decision);
        EXPECT_EQ(got[k].reasons, want.reasons);
        EXPECT_EQ(ErrorIds(got[k]), ErrorIds(want));
        EXPECT_TRUE(got[k] == want);  // messages too
      }
    }
  }
  // The resource-free forbid that errs is reported for every resource, and
  // the one that reads `resource.secret` only where it errs.
  Request req = request_;
  std::vector<Response> got;
  a->IsAuthorizedEach(req, resources, store_, &got);
  EXPECT_EQ(ErrorIds(got[0]), (Ids{"policy3", "policy4"}));
  EXPECT_EQ(got[2].reasons, (Ids{"policy2"}));
  EXPECT_EQ(got[0].decision, Decision::kAllow);
  EXPECT_EQ(got[1].decision, Decision::kDeny);
  a->IsAuthorizedEach(req, {}, store_, &got);
  EXPECT_TRUE(got.empty());
}

}  // namespace
}  // namespace haven::cedar
