// Fuzzes the evaluator and authorizer: policies parsed from the input are
// decided against a fixed entity store and a context with values at the
// edges (64-bit limits, extension values, nested records), so that every
// operator runs on hostile operands. Any crash or UB report is a bug, and
// so is an answer of IsAuthorizedEach that differs from IsAuthorized's for
// the same resource.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "cedar/authorizer.h"
#include "cedar/entities_json.h"
#include "cedar/json_value.h"
#include "cedar/parser.h"

using namespace haven::cedar;

namespace {

constexpr std::string_view kEntities = R"([
 {"uid":{"type":"User","id":"alice"},"parents":[{"type":"Group","id":"g"}],
  "attrs":{"age":9223372036854775807,"min":-9223372036854775808,"name":"al*ce",
           "tags":["a","b"],"boss":{"__entity":{"type":"User","id":"bob"}},
           "ip":{"__extn":{"fn":"ip","arg":"10.0.0.1/8"}},
           "d":{"__extn":{"fn":"decimal","arg":"-922337203685477.5808"}},
           "rec":{"a":{"b":{"c":[1,2,{"d":true}]}}}},
  "tags":{"t":1,"u":"v"}},
 {"uid":{"type":"Group","id":"g"},"parents":[{"type":"Group","id":"top"}],"attrs":{}},
 {"uid":{"type":"Action","id":"view"},"parents":[{"type":"Action","id":"all"}],"attrs":{}},
 {"uid":{"type":"Photo","id":"p"},"parents":[],"attrs":{"owner":{"__entity":{"type":"User","id":"alice"}}}}
])";

constexpr std::string_view kContext = R"({
 "n":9223372036854775807,"neg":-9223372036854775808,"s":"","set":[1,"x",[]],
 "when":{"__extn":{"fn":"datetime","arg":"2024-10-15T11:38:02.123+0100"}},
 "dur":{"__extn":{"fn":"duration","arg":"-106751991167d"}},
 "ip6":{"__extn":{"fn":"ip","arg":"ff02::1/16"}}})";

[[noreturn]] void Die(const Error& e) {
  std::fprintf(stderr, "authorize_fuzzer fixture: %s\n", e.message().c_str());
  std::abort();
}

struct Fixture {
  EntityStore store;
  Request request;
  Fixture() {
    Result<std::vector<Entity>> list = ReadEntitiesJson(kEntities);
    if (!list.ok()) Die(list.error());
    Result<EntityStore> built = EntityStore::Build(std::move(*list));
    if (!built.ok()) Die(built.error());
    store = std::move(*built);
    request.principal = {"User", "alice"};
    request.action = {"Action", "view"};
    request.resource = {"Photo", "p"};
    Result<Value> context = ReadContextJson(kContext);
    if (!context.ok()) Die(context.error());
    request.context = std::move(*context);
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture* f = new Fixture();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<PolicySet> set = ParsePolicySet(text);
  if (!set.ok()) return 0;
  Result<Authorizer> authz = Authorizer::Create(*set);
  if (!authz.ok()) return 0;
  (void)authz->IsAuthorized(f->request, f->store);
  // The same question of several resources at once: known and unknown
  // entities, of the scope's types and others.
  static const std::vector<EntityUid>* resources = new std::vector<EntityUid>{
      {"Photo", "p"}, {"User", "alice"}, {"Group", "g"}, {"Photo", "nope"}};
  std::vector<Response> each;
  authz->IsAuthorizedEach(f->request, *resources, f->store, &each);
  Request one = f->request;
  for (size_t k = 0; k < resources->size(); ++k) {
    one.resource = (*resources)[k];
    if (!(each[k] == authz->IsAuthorized(one, f->store))) {
      std::fprintf(stderr, "IsAuthorizedEach differs for resource %zu\n", k);
      std::abort();
    }
  }
  return 0;
}
