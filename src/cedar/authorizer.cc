// The authorizer's index: each policy sits in exactly one place — the bucket
// of the entity in its principal scope, else of the entity in its resource
// scope, else of its action, else the unkeyed list. A request visits the
// buckets of its principal and the principal's ancestors (likewise resource
// and action) and the unkeyed list; a policy found in the bucket of an
// ancestor already satisfies `in` for that part, so only the rest of its
// scope is checked. Since ancestors are distinct, no policy is seen twice.

#include "cedar/authorizer.h"

#include <algorithm>
#include <utility>

namespace haven::cedar {
namespace {

// A request's entity as the matchers see it: its uid, EntityUidHash, and
// interned id in the store (or -1).
struct Part {
  const EntityUid& uid;
  size_t hash;
  int32_t id;
};

// `uid in target`: hashes first, strings only when they agree. Inlined by
// force: out of line (as GCC chose once IsUid grew), the calls cost ~90
// instructions per decision on welcoming-city (callgrind).
[[gnu::always_inline]] inline bool InChain(const EntityStore& s, const Part& p,
                                           const EntityUid& target,
                                           size_t target_hash) {
  if (p.hash == target_hash && p.uid == target) return true;
  if (p.id < 0) return false;
  std::span<const int32_t> anc = s.AncestorsOf(p.id);
  if (anc.size() <= 16) {
    for (int32_t a : anc)
      if (s.HashOf(a) == target_hash && s.IsUid(a, target)) return true;
    return false;
  }
  int32_t t = s.Intern(target, target_hash);
  return t >= 0 && std::binary_search(anc.begin(), anc.end(), t);
}

inline bool EntityScopeMatches(const EntityScope& scope, size_t scope_hash,
                               const EntityStore& s, const Part& p) {
  switch (scope.op) {
    case EntityScope::Op::kAny:
      return true;
    case EntityScope::Op::kEq:
      return scope.entity && p.hash == scope_hash && p.uid == *scope.entity;
    case EntityScope::Op::kIn:
      return scope.entity && InChain(s, p, *scope.entity, scope_hash);
    case EntityScope::Op::kIs:
      return StringsEqual(p.uid.type, scope.entity_type);
    case EntityScope::Op::kIsIn:
      return StringsEqual(p.uid.type, scope.entity_type) && scope.entity &&
             InChain(s, p, *scope.entity, scope_hash);
  }
  return false;
}

inline bool ActionScopeMatches(const ActionScope& scope,
                               const std::vector<size_t>& hashes,
                               const EntityStore& s, const Part& p) {
  switch (scope.op) {
    case ActionScope::Op::kAny:
      return true;
    case ActionScope::Op::kEq:
      return !scope.entities.empty() && p.hash == hashes[0] &&
             p.uid == scope.entities[0];
    case ActionScope::Op::kIn:
    case ActionScope::Op::kInSet: {
      // InChain for each entity, with the action itself tried against all
      // of them first: an action usually has no ancestors.
      const size_t n = scope.entities.size();
      for (size_t k = 0; k < n; ++k)
        if (p.hash == hashes[k] && p.uid == scope.entities[k]) return true;
      if (p.id < 0 || s.AncestorsOf(p.id).empty()) return false;
      for (size_t k = 0; k < n; ++k)
        if (InChain(s, p, scope.entities[k], hashes[k])) return true;
      return false;
    }
  }
  return false;
}

// The entity an entity scope is keyed by, or nullptr.
const EntityUid* ScopeKey(const EntityScope& scope) {
  switch (scope.op) {
    case EntityScope::Op::kEq:
    case EntityScope::Op::kIn:
    case EntityScope::Op::kIsIn:
      return scope.entity ? &*scope.entity : nullptr;
    default:
      return nullptr;
  }
}

// Whether `e` reads the request's resource.
bool MentionsResource(const Expr& e) {
  if (e.kind == ExprKind::kVar && e.var == Var::kResource) return true;
  for (const ExprPtr& a : e.args)
    if (a && MentionsResource(*a)) return true;
  return false;
}

// Per-thread scratch, so that a request allocates nothing once warm.
struct Scratch {
  std::vector<int32_t> satisfied;
  std::vector<int32_t> errored;
  std::vector<std::string> messages;
};

}  // namespace

struct Authorizer::Shared {
  std::vector<int32_t> satisfied;
  std::vector<int32_t> errored;
  std::vector<std::string> messages;  // parallel to errored
};

struct Authorizer::Ctx {
  const EntityStore& entities;
  Part parts[3];  // principal, action, resource
  Evaluator& eval;
  std::vector<int32_t>& satisfied;
  std::vector<int32_t>& errored;
  std::vector<std::string>& messages;
};

void Authorizer::Bucket::Add(const EntityUid& uid, int32_t policy) {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == uid) {
      lists_[i].push_back(policy);
      return;
    }
  }
  keys_.push_back(uid);
  lists_.push_back({policy});
  hashes_.push_back(EntityUidHash()(uid));
}

void Authorizer::Bucket::Finish() {
  size_t cap = 4;
  while (cap < keys_.size() * 2) cap *= 2;
  mask_ = cap - 1;
  table_.assign(cap, -1);
  bloom_ = 0;
  for (size_t h : hashes_) bloom_ |= uint64_t{1} << (h >> 58);
  for (size_t i = 0; i < keys_.size(); ++i) {
    size_t at = hashes_[i] & mask_;
    while (table_[at] >= 0) at = (at + 1) & mask_;
    table_[at] = static_cast<int32_t>(i);
  }
}

const std::vector<int32_t>* Authorizer::Bucket::Find(const EntityUid& uid,
                                                     size_t hash) const {
  if (keys_.empty()) return nullptr;
  for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
    int32_t k = table_[at];
    if (k < 0) return nullptr;
    if (hashes_[k] == hash && keys_[k] == uid) return &lists_[k];
  }
}

const std::vector<int32_t>* Authorizer::Bucket::Find(const EntityStore& store,
                                                     int32_t id) const {
  if (keys_.empty()) return nullptr;
  const size_t hash = store.HashOf(id);
  for (size_t at = hash & mask_;; at = (at + 1) & mask_) {
    int32_t k = table_[at];
    if (k < 0) return nullptr;
    if (hashes_[k] == hash && store.IsUid(id, keys_[k])) return &lists_[k];
  }
}

Result<Authorizer> Authorizer::Create(const PolicySet& set) {
  Result<std::vector<Policy>> policies = set.Instantiate();
  if (!policies.ok()) return policies.error();
  return FromPolicies(std::move(*policies));
}

Authorizer Authorizer::FromPolicies(std::vector<Policy> policies) {
  Authorizer a;
  AttrPaths paths;
  a.policies_.reserve(policies.size());
  for (Policy& p : policies) {
    Compiled c;
    c.id = std::move(p.id);
    c.effect = p.effect;
    c.principal = std::move(p.principal);
    c.action = std::move(p.action);
    c.resource = std::move(p.resource);
    if (c.action.op == ActionScope::Op::kInSet && c.action.entities.empty())
      c.never = true;
    // An unfilled slot in a scope matches nothing (Instantiate prevents it).
    if (c.principal.slot || c.resource.slot) c.never = true;
    if (c.principal.entity)
      c.principal_hash = EntityUidHash()(*c.principal.entity);
    if (c.resource.entity)
      c.resource_hash = EntityUidHash()(*c.resource.entity);
    for (const EntityUid& e : c.action.entities)
      c.action_hashes.push_back(EntityUidHash()(e));
    for (const Condition& cond : p.conditions) {
      CompiledExpr e = CompiledExpr::Compile(*cond.body, &paths);
      if (const Value* k = e.constant();
          k != nullptr && k->kind() == Value::Kind::kBool) {
        if (k->AsBool() == cond.is_when) continue;  // always passes
        if (c.conditions.empty()) {
          c.never = true;  // fails before anything could err
          break;
        }
      }
      c.conditions.push_back(std::move(e));
      c.is_when.push_back(cond.is_when);
    }
    c.resource_free =
        c.resource.op == EntityScope::Op::kAny && !c.resource.slot &&
        std::none_of(
            p.conditions.begin(), p.conditions.end(),
            [](const Condition& k) { return MentionsResource(*k.body); });
    a.policies_.push_back(std::move(c));
  }
  a.attr_paths_ = paths.size();
  for (int32_t i = 0; i < static_cast<int32_t>(a.policies_.size()); ++i) {
    const Compiled& c = a.policies_[i];
    if (c.never) continue;
    if (const EntityUid* k = ScopeKey(c.principal)) {
      a.by_principal_.Add(*k, i);
    } else if (const EntityUid* k = ScopeKey(c.resource)) {
      a.by_resource_.Add(*k, i);
    } else if ((c.action.op == ActionScope::Op::kEq ||
                c.action.op == ActionScope::Op::kIn ||
                (c.action.op == ActionScope::Op::kInSet &&
                 c.action.entities.size() == 1)) &&
               !c.action.entities.empty()) {
      a.by_action_.Add(c.action.entities[0], i);
    } else if (c.principal.op == EntityScope::Op::kAny &&
               c.action.op == ActionScope::Op::kAny &&
               c.resource.op == EntityScope::Op::kAny &&
               c.conditions.size() == 1) {
      a.unscoped_.push_back(
          {c.conditions[0], i, c.is_when[0] != 0, c.resource_free});
    } else {
      a.unkeyed_.push_back(i);
    }
  }
  a.by_principal_.Finish();
  a.by_resource_.Finish();
  a.by_action_.Finish();
  return a;
}

Response Authorizer::IsAuthorized(const Request& request,
                                  const EntityStore& entities) const {
  Response r;
  IsAuthorized(request, entities, &r);
  return r;
}

void Authorizer::Consider(int32_t i, int known, Ctx& x) const {
  const Compiled& c = policies_[i];
  // Unconstrained parts (the common case outside the index) cost a compare.
  if (known != 1 && c.principal.op != EntityScope::Op::kAny) {
    // `principal is T` (common outside the index) without the call.
    if (c.principal.op == EntityScope::Op::kIs
            ? !StringsEqual(x.parts[0].uid.type, c.principal.entity_type)
            : !EntityScopeMatches(c.principal, c.principal_hash, x.entities,
                                  x.parts[0]))
      return;
  }
  if (known != 3 && c.action.op != ActionScope::Op::kAny &&
      !ActionScopeMatches(c.action, c.action_hashes, x.entities, x.parts[1]))
    return;
  if (known != 2 && c.resource.op != EntityScope::Op::kAny &&
      !EntityScopeMatches(c.resource, c.resource_hash, x.entities, x.parts[2]))
    return;
  for (size_t k = 0; k < c.conditions.size(); ++k) {
    Evaluator::Outcome o = x.eval.EvaluateBool(*c.conditions[k].root());
    if (o == Evaluator::Outcome::kError) {
      x.errored.push_back(i);
      x.messages.push_back(x.eval.error());
      return;
    }
    if ((o == Evaluator::Outcome::kTrue) != c.is_when[k]) return;
  }
  x.satisfied.push_back(i);
}

void Authorizer::IsAuthorized(const Request& request,
                              const EntityStore& entities,
                              Response* out) const {
  Decide(request, entities, out, nullptr, false);
}

void Authorizer::IsAuthorizedEach(const Request& request,
                                  std::span<const EntityUid> resources,
                                  const EntityStore& entities,
                                  std::vector<Response>* out) const {
  out->resize(resources.size());
  if (resources.empty()) return;
  thread_local Shared shared;
  shared.satisfied.clear();
  shared.errored.clear();
  shared.messages.clear();
  thread_local Request each;
  each.principal = request.principal;
  each.action = request.action;
  each.context = request.context;
  for (size_t k = 0; k < resources.size(); ++k) {
    each.resource = resources[k];
    Decide(each, entities, &(*out)[k], &shared, /*skip=*/k > 0);
  }
  each.context = Value();  // holds nothing of the caller's past the call
}

void Authorizer::Decide(const Request& request, const EntityStore& entities,
                        Response* out, Shared* shared, bool skip) const {
  thread_local Scratch scratch;
  std::vector<int32_t>& satisfied = scratch.satisfied;
  std::vector<int32_t>& errored = scratch.errored;
  std::vector<std::string>& messages = scratch.messages;
  satisfied.clear();
  errored.clear();
  messages.clear();

  // A request usually arrives cold (the gateway's comes from the network,
  // the benchmark's from a pass over 10,000), and each read below leads to
  // the next: the uid to its table slot to its record to its attributes to
  // their values. Prefetching each level as soon as its address is known
  // lets the misses of the three entities and the context overlap.
  const void* context = request.context.heap();
  if (context != nullptr) __builtin_prefetch(context);
  const size_t hashes[3] = {EntityUidHash()(request.principal),
                            EntityUidHash()(request.action),
                            EntityUidHash()(request.resource)};
  for (size_t h : hashes) entities.PrefetchSlot(h);
  const int32_t ids[3] = {
      entities.InternAndPrefetch(request.principal, hashes[0]),
      entities.Intern(request.action, hashes[1]),
      entities.Intern(request.resource, hashes[2])};
  for (int32_t id : ids)
    if (id >= 0) entities.Prefetch(id);
  if (request.context.kind() == Value::Kind::kRecord) {
    const ValueRecord& fields = request.context.AsRecord();
    const char* at = reinterpret_cast<const char*>(fields.data());
    const size_t bytes = fields.size() * sizeof(RecordField);
    for (size_t off = 0; off < bytes; off += 64) __builtin_prefetch(at + off);
    if (bytes > 0) __builtin_prefetch(at + bytes - 1);
    for (const RecordField& f : fields)
      if (const void* p = f.second.heap()) __builtin_prefetch(p);
  }
  Evaluator eval(request, entities, ids[0], ids[1], ids[2], attr_paths_);
  Ctx ctx{entities,
          {{request.principal, hashes[0], ids[0]},
           {request.action, hashes[1], ids[1]},
           {request.resource, hashes[2], ids[2]}},
          eval,
          satisfied,
          errored,
          messages};

  // Visits the policies in `list` (the request's own entity's when `self`).
  auto visit = [&](const std::vector<int32_t>* list, bool self, int part) {
    if (list == nullptr) return;
    const EntityUid& req_uid = part == 1   ? request.principal
                               : part == 2 ? request.resource
                                           : request.action;
    for (int32_t i : *list) {
      const Compiled& c = policies_[i];
      if (skip && c.resource_free) continue;
      if (part == 3) {
        // Keyed by action: == needs the action itself; `in` any ancestor.
        if (c.action.op == ActionScope::Op::kEq && !self) continue;
      } else {
        const EntityScope& s = part == 1 ? c.principal : c.resource;
        if (s.op == EntityScope::Op::kEq && !self) continue;
        if (s.op == EntityScope::Op::kIsIn &&
            !StringsEqual(req_uid.type, s.entity_type))
          continue;
      }
      Consider(i, part, ctx);
    }
  };
  auto visit_chain = [&](const Bucket& bucket, const EntityUid& uid, int32_t id,
                         size_t hash, int part) {
    if (bucket.empty()) return;
    const bool filters = bucket.filters();
    if (!filters || bucket.MayHave(hash))
      visit(bucket.Find(uid, hash), true, part);
    if (id < 0) return;
    if (filters) {
      for (int32_t a : entities.AncestorsOf(id))
        if (bucket.MayHave(entities.HashOf(a)))
          visit(bucket.Find(entities, a), false, part);
    } else {
      for (int32_t a : entities.AncestorsOf(id))
        visit(bucket.Find(entities, a), false, part);
    }
  };
  visit_chain(by_principal_, request.principal, ids[0], hashes[0], 1);
  visit_chain(by_resource_, request.resource, ids[2], hashes[2], 2);
  visit_chain(by_action_, request.action, ids[1], hashes[1], 3);
  for (int32_t i : unkeyed_) {
    if (skip && policies_[i].resource_free) continue;
    Consider(i, 0, ctx);
  }
  for (const Unscoped& u : unscoped_) {
    if (skip && u.resource_free) continue;
    Evaluator::Outcome o = eval.EvaluateBool(*u.condition.root());
    if (o == Evaluator::Outcome::kError) {
      errored.push_back(u.policy);
      messages.push_back(eval.error());
    } else if ((o == Evaluator::Outcome::kTrue) == u.is_when) {
      satisfied.push_back(u.policy);
    }
  }

  if (shared != nullptr && skip) {
    // The resource-free policies' outcomes, as the first request found them.
    satisfied.insert(satisfied.end(), shared->satisfied.begin(),
                     shared->satisfied.end());
    errored.insert(errored.end(), shared->errored.begin(),
                   shared->errored.end());
    messages.insert(messages.end(), shared->messages.begin(),
                    shared->messages.end());
  } else if (shared != nullptr) {
    for (int32_t i : satisfied)
      if (policies_[i].resource_free) shared->satisfied.push_back(i);
    for (size_t k = 0; k < errored.size(); ++k) {
      if (!policies_[errored[k]].resource_free) continue;
      shared->errored.push_back(errored[k]);
      shared->messages.push_back(messages[k]);
    }
  }

  // Decision and reasons, in policy order.
  bool any_forbid = false, any_permit = false;
  for (int32_t i : satisfied) {
    if (policies_[i].effect == Effect::kForbid) {
      any_forbid = true;
    } else {
      any_permit = true;
    }
  }
  out->decision =
      !any_forbid && any_permit ? Decision::kAllow : Decision::kDeny;
  const Effect deciding = any_forbid ? Effect::kForbid : Effect::kPermit;
  std::sort(satisfied.begin(), satisfied.end());
  // Assign into the strings already there, so that their storage is reused.
  size_t n = 0;
  for (int32_t i : satisfied) {
    if (policies_[i].effect != deciding) continue;
    if (n < out->reasons.size()) {
      out->reasons[n].assign(policies_[i].id);
    } else {
      out->reasons.push_back(policies_[i].id);
    }
    ++n;
  }
  out->reasons.resize(n);

  out->errors.clear();
  if (!errored.empty()) {
    std::vector<size_t> order(errored.size());
    for (size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::sort(order.begin(), order.end(),
              [&](size_t x, size_t y) { return errored[x] < errored[y]; });
    for (size_t k : order)
      out->errors.push_back({policies_[errored[k]].id, messages[k]});
  }
}

}  // namespace haven::cedar
