// The Cedar authorizer: given a policy set, answers requests.
//
//   Result<Authorizer> authz = Authorizer::Create(policy_set);
//   if (!authz.ok()) { ... }                        // e.g. a bad template link
//   Response r = authz->IsAuthorized(request, store);
//   if (r.decision == Decision::kAllow) { ... }
//
// Semantics (docs.cedarpolicy.com, "Authorization"): a policy is satisfied
// when its scope matches and every `when` condition is true and every
// `unless` condition is false. A policy whose condition errors is skipped and
// reported in `errors`. Forbid overrides permit; with no satisfied permit
// the answer is deny. `reasons` holds the satisfied forbids if there are any,
// else the satisfied permits. Reasons and errors come in policy order
// (static policies, then links).
//
// Policies are indexed by the entity in their principal, resource or action
// scope, so a request evaluates only the policies whose scope can match it;
// every applicable policy is still evaluated.
//
// Thread-safety: an Authorizer is immutable after Create; IsAuthorized may be
// called from any number of threads at once.
#ifndef HAVEN_CEDAR_AUTHORIZER_H_
#define HAVEN_CEDAR_AUTHORIZER_H_

#include <span>
#include <string>
#include <vector>

#include "cedar/ast.h"
#include "cedar/entities.h"
#include "cedar/evaluator.h"
#include "cedar/result.h"

namespace haven::cedar {

enum class Decision : uint8_t { kDeny, kAllow };

struct PolicyError {
  std::string policy_id;
  std::string message;
  bool operator==(const PolicyError&) const = default;
};

struct Response {
  Decision decision = Decision::kDeny;
  std::vector<std::string> reasons;  // policy ids
  std::vector<PolicyError> errors;
  // The same decision, reasons and errors (messages included), in order.
  bool operator==(const Response&) const = default;
};

class Authorizer {
 public:
  Authorizer() = default;

  // Instantiates the set's template links; fails if a link is bad.
  static Result<Authorizer> Create(const PolicySet& set);
  // From policies that are already instantiated (no slots left).
  static Authorizer FromPolicies(std::vector<Policy> policies);

  Response IsAuthorized(const Request& request,
                        const EntityStore& entities) const;
  // The same, into `out`, reusing its vectors' storage: with no errors and
  // short policy ids this does not allocate.
  void IsAuthorized(const Request& request, const EntityStore& entities,
                    Response* out) const;

  // IsAuthorizedEach: the answers to `request` with each of `resources` as
  // its resource in turn, (*out)[k] for resources[k]: exactly what
  // IsAuthorized gives for each, but a policy whose outcome cannot depend on
  // the resource (no constraint in its resource scope, no `resource` in its
  // conditions) is evaluated once for all of them rather than once each.
  // For the same question asked of many resources, such as "may this user
  // read each of these fields?":
  //
  //   std::vector<Response> r;
  //   authz.IsAuthorizedEach(req, fields, store, &r);  // req.resource unused
  //
  // Reuses the storage of `out`'s responses, like IsAuthorized(..., out).
  void IsAuthorizedEach(const Request& request,
                        std::span<const EntityUid> resources,
                        const EntityStore& entities,
                        std::vector<Response>* out) const;

  size_t size() const { return policies_.size(); }

 private:
  struct Compiled {
    std::string id;
    Effect effect = Effect::kPermit;
    EntityScope principal;
    ActionScope action;
    EntityScope resource;
    // EntityUidHash of the scopes' entities (0 when there is none), so that
    // matching compares hashes first and strings only when they agree.
    size_t principal_hash = 0;
    size_t resource_hash = 0;
    std::vector<size_t> action_hashes;  // parallel to action.entities
    std::vector<CompiledExpr> conditions;
    std::vector<uint8_t> is_when;  // parallel to conditions
    bool never = false;  // a condition folded to a constant that fails it
    // Its outcome is the same whatever the request's resource: the resource
    // scope is unconstrained and no condition reads `resource`.
    bool resource_free = false;
  };
  // Policies keyed by an entity uid: an open-addressing table looked up
  // with the hash the EntityStore precomputed for the uid.
  class Bucket {
   public:
    void Add(const EntityUid& uid, int32_t policy);
    void Finish();  // builds the table; call once after the last Add
    bool empty() const { return keys_.empty(); }
    // False when no key has hash `hash` (one bit per key, chosen by the
    // hash's top six bits), so that most misses skip Find. Only for a
    // bucket of few keys (filters()); many would set most bits.
    bool filters() const { return keys_.size() <= 24; }
    bool MayHave(size_t hash) const { return (bloom_ >> (hash >> 58)) & 1; }
    const std::vector<int32_t>* Find(const EntityUid& uid, size_t hash) const;
    // The same for interned id `id` of `store`, whose uid is read only when
    // a key's hash matches.
    const std::vector<int32_t>* Find(const EntityStore& store,
                                     int32_t id) const;

   private:
    std::vector<EntityUid> keys_;
    std::vector<std::vector<int32_t>> lists_;  // parallel to keys_
    std::vector<size_t> hashes_;               // parallel to keys_
    std::vector<int32_t> table_;               // key index, or -1
    size_t mask_ = 0;
    uint64_t bloom_ = 0;  // bit (hash >> 58) of each key's hash
  };

  // One request's state while its policies are considered (authorizer.cc).
  struct Ctx;
  // The outcomes of the resource-free policies for one principal, action
  // and context (authorizer.cc), shared by IsAuthorizedEach's requests.
  struct Shared;
  // IsAuthorized, with `skip` set: resource-free policies are not evaluated
  // but taken from `*shared`; with `skip` unset and `shared` given, their
  // outcomes are recorded there.
  void Decide(const Request& request, const EntityStore& entities,
              Response* out, Shared* shared, bool skip) const;
  // Evaluates policy `i` (its scope must already be known to hold in part
  // `known`: 0 none, 1 principal, 2 resource, 3 action).
  void Consider(int32_t i, int known, Ctx& ctx) const;

  std::vector<Compiled> policies_;
  Bucket by_principal_;
  Bucket by_resource_;
  Bucket by_action_;
  std::vector<int32_t> unkeyed_;
  // Unkeyed policies with no scope to check and one condition (most
  // unkeyed ones): decided in a loop of their own, without Consider.
  struct Unscoped {
    CompiledExpr condition;
    int32_t policy;
    bool is_when;
    bool resource_free;
  };
  std::vector<Unscoped> unscoped_;
  int attr_paths_ = 0;  // AttrPaths::size() of the compiled conditions
};

}  // namespace haven::cedar

#endif  // HAVEN_CEDAR_AUTHORIZER_H_
