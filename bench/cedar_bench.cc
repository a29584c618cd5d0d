// Cedar decision benchmarks on generated workloads, the Haven half of the
// side-by-side comparison with cedar-wasm (bench/run_cedar_bench.sh runs
// both and prints the table; BENCHMARKS.md holds the figures).
//
//   python3 bench/cedar_workloads.py build/cedar-bench
//   build/release/bench/cedar_bench --workloads=build/cedar-bench
//     --decisions_out=build/cedar-bench
//
// For each workload directory (policies.cedar, entities.json,
// requests.jsonl, slices.jsonl; see cedar_workloads.py) it registers:
//  - Resident/<w>: the entity store built once, requests parsed once;
//    Authorizer::IsAuthorized(request, store, &response) per decision.
//  - ResidentLatency/<w>: the same, each decision timed alone (TSC);
//    counters p50_ns and p99_ns.
//  - PerRequestJson/<w>: each request brings its entities (its slice) and
//    context as JSON text: ReadEntitiesJson + EntityStore::Build +
//    ReadRequestJson + IsAuthorized; counters p50_ns and p99_ns.
//  - ManyResourcesOneByOne/<w> and ManyResourcesEach/<w>: each request
//    asked of the workload's first 8 distinct resources, by one
//    IsAuthorized per resource or by one IsAuthorizedEach (the gateway's
//    read-field decisions); cpu_ns is per decision.
//  - with --threads=N, only Resident/<w>/threads:N: the resident loop on N
//    threads at once.
// Besides wall-clock items/s, each reports cpu_ns, the thread CPU time per
// decision, which other load on the machine does not inflate.
// One benchmark iteration is one pass over every request of the workload;
// items/s is decisions per second.
//
// Before timing, every request is decided both ways; the two must agree (the
// slice holds all the request needs), and with --decisions_out each
// request's decision, reasons and errors are written to
// <dir>/<w>/haven.decisions for comparison with cedar-wasm's.
#include <benchmark/benchmark.h>
#include <x86intrin.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cedar/authorizer.h"
#include "cedar/entities.h"
#include "cedar/entities_json.h"
#include "cedar/json_value.h"
#include "cedar/parser.h"

namespace haven::cedar {
namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "cedar_bench: %s\n", what.c_str());
  std::exit(2);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Die("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(std::move(line));
  return lines;
}

// Nanoseconds per TSC tick, measured against steady_clock (constant_tsc).
double NsPerTick() {
  static const double ns_per_tick = [] {
    auto t0 = std::chrono::steady_clock::now();
    uint64_t c0 = __rdtsc();
    while (std::chrono::steady_clock::now() - t0 <
           std::chrono::milliseconds(200)) {
    }
    auto t1 = std::chrono::steady_clock::now();
    uint64_t c1 = __rdtsc();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() /
           static_cast<double>(c1 - c0);
  }();
  return ns_per_tick;
}

// CPU time of the calling thread, in nanoseconds. The figures use it for
// requests/s, so that other load on the machine does not count against us.
inline double ThreadCpuNs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

inline uint64_t Ticks() {
  _mm_lfence();
  uint64_t t = __rdtsc();
  _mm_lfence();
  return t;
}

// The cost of an empty Ticks()..Ticks() pair, in ticks (its median).
uint64_t TimerOverhead() {
  static const uint64_t overhead = [] {
    std::vector<uint64_t> d(100000);
    for (auto& x : d) {
      uint64_t a = Ticks();
      uint64_t b = Ticks();
      x = b - a;
    }
    std::nth_element(d.begin(), d.begin() + d.size() / 2, d.end());
    return d[d.size() / 2];
  }();
  return overhead;
}

struct Workload {
  std::string name;
  Authorizer authz;
  EntityStore store;
  std::vector<Request> requests;
  std::vector<std::string> request_json;  // requests.jsonl lines
  std::vector<std::string> slice_json;    // slices.jsonl lines
  size_t allow = 0;
};

// One decision from JSON text, as a caller without resident entities makes it.
Decision DecideFromJson(const Authorizer& authz, std::string_view entities,
                        std::string_view request, Response* out) {
  Result<std::vector<Entity>> list = ReadEntitiesJson(entities);
  if (!list.ok()) Die("slice: " + list.error().message());
  Result<EntityStore> store = EntityStore::Build(std::move(*list));
  if (!store.ok()) Die("slice: " + store.error().message());
  Result<Request> req = ReadRequestJson(request);
  if (!req.ok()) Die("request: " + req.error().message());
  authz.IsAuthorized(*req, *store, out);
  return out->decision;
}

std::string Describe(const Response& r) {
  std::vector<std::string> reasons = r.reasons;
  std::sort(reasons.begin(), reasons.end());
  std::vector<std::string> errors;
  for (const PolicyError& e : r.errors) errors.push_back(e.policy_id);
  std::sort(errors.begin(), errors.end());
  std::string s = r.decision == Decision::kAllow ? "allow" : "deny";
  s += '\t';
  for (size_t i = 0; i < reasons.size(); ++i) s += (i ? "," : "") + reasons[i];
  s += '\t';
  for (size_t i = 0; i < errors.size(); ++i) s += (i ? "," : "") + errors[i];
  return s;
}

std::unique_ptr<Workload> Load(const std::string& dir, const std::string& name,
                               const std::string& decisions_out) {
  auto w = std::make_unique<Workload>();
  w->name = name;
  std::string base = dir + "/" + name + "/";
  Result<PolicySet> set = ParsePolicySet(ReadFile(base + "policies.cedar"));
  if (!set.ok()) Die(name + " policies: " + set.error().message());
  Result<Authorizer> authz = Authorizer::Create(*set);
  if (!authz.ok()) Die(name + " policies: " + authz.error().message());
  w->authz = std::move(*authz);
  Result<std::vector<Entity>> list =
      ReadEntitiesJson(ReadFile(base + "entities.json"));
  if (!list.ok()) Die(name + " entities: " + list.error().message());
  size_t n_entities = list->size();
  Result<EntityStore> store = EntityStore::Build(std::move(*list));
  if (!store.ok()) Die(name + " entities: " + store.error().message());
  w->store = std::move(*store);
  w->request_json = ReadLines(base + "requests.jsonl");
  w->slice_json = ReadLines(base + "slices.jsonl");
  if (w->request_json.size() != w->slice_json.size())
    Die(name + ": requests.jsonl and slices.jsonl differ in length");
  for (const std::string& line : w->request_json) {
    Result<Request> r = ReadRequestJson(line);
    if (!r.ok()) Die(name + " request: " + r.error().message());
    w->requests.push_back(std::move(*r));
  }

  // Both paths must give the same answer for every request.
  std::string decisions;
  Response resident, from_json;
  size_t mismatches = 0;
  for (size_t i = 0; i < w->requests.size(); ++i) {
    w->authz.IsAuthorized(w->requests[i], w->store, &resident);
    DecideFromJson(w->authz, w->slice_json[i], w->request_json[i], &from_json);
    std::string a = Describe(resident), b = Describe(from_json);
    if (a != b && mismatches++ < 5)
      std::fprintf(stderr, "%s request %zu: resident %s, per-request %s\n",
                   name.c_str(), i, a.c_str(), b.c_str());
    w->allow += resident.decision == Decision::kAllow;
    decisions += a;
    decisions += '\n';
  }
  if (mismatches) Die(name + ": resident and per-request JSON disagree");
  if (!decisions_out.empty()) {
    std::ofstream out(decisions_out + "/" + name + "/haven.decisions");
    out << decisions;
  }
  std::fprintf(stderr,
               "cedar_bench: %s: %zu policies, %zu entities, %zu requests "
               "(%zu allow, %zu deny)\n",
               name.c_str(), w->authz.size(), n_entities, w->requests.size(),
               w->allow, w->requests.size() - w->allow);
  return w;
}

void SetPercentiles(benchmark::State& state, std::vector<uint64_t>& ticks) {
  if (ticks.empty()) return;
  std::sort(ticks.begin(), ticks.end());
  double scale = NsPerTick();
  double overhead = static_cast<double>(TimerOverhead());
  auto at = [&](double q) {
    double t =
        static_cast<double>(ticks[static_cast<size_t>(q * (ticks.size() - 1))]);
    return std::max(0.0, t - overhead) * scale;
  };
  state.counters["p50_ns"] = at(0.50);
  state.counters["p99_ns"] = at(0.99);
  state.counters["samples"] = static_cast<double>(ticks.size());
}

// Counters common to every benchmark: cpu_ns is this thread's CPU time per
// decision (averaged over threads), allow the allows per pass.
void SetCommon(benchmark::State& state, const Workload& w, size_t allow,
               double cpu_ns) {
  size_t n = w.requests.size();
  double decisions = static_cast<double>(state.iterations()) * n;
  state.SetItemsProcessed(static_cast<int64_t>(decisions));
  state.counters["requests"] = static_cast<double>(n);
  state.counters["allow"] = benchmark::Counter(
      static_cast<double>(allow) / std::max<double>(1, state.iterations()),
      benchmark::Counter::kAvgThreads);
  state.counters["cpu_ns"] = benchmark::Counter(
      cpu_ns / std::max(1.0, decisions), benchmark::Counter::kAvgThreads);
}

void BM_Resident(benchmark::State& state, const Workload* w) {
  Response resp;
  size_t allow = 0;
  double cpu0 = ThreadCpuNs();
  for (auto _ : state) {
    for (const Request& r : w->requests) {
      w->authz.IsAuthorized(r, w->store, &resp);
      allow += resp.decision == Decision::kAllow;
    }
    benchmark::ClobberMemory();
  }
  SetCommon(state, *w, allow, ThreadCpuNs() - cpu0);
}

void BM_ResidentLatency(benchmark::State& state, const Workload* w) {
  Response resp;
  size_t allow = 0;
  std::vector<uint64_t> ticks;
  ticks.reserve(4 << 20);
  double cpu0 = ThreadCpuNs();
  for (auto _ : state) {
    for (const Request& r : w->requests) {
      uint64_t t0 = Ticks();
      w->authz.IsAuthorized(r, w->store, &resp);
      uint64_t t1 = Ticks();
      allow += resp.decision == Decision::kAllow;
      if (ticks.size() < ticks.capacity()) ticks.push_back(t1 - t0);
    }
  }
  SetCommon(state, *w, allow, ThreadCpuNs() - cpu0);
  SetPercentiles(state, ticks);
}

void BM_PerRequestJson(benchmark::State& state, const Workload* w) {
  Response resp;
  size_t allow = 0;
  std::vector<uint64_t> ticks;
  ticks.reserve(1 << 20);
  size_t n = w->requests.size();
  double cpu0 = ThreadCpuNs();
  for (auto _ : state) {
    for (size_t i = 0; i < n; ++i) {
      uint64_t t0 = Ticks();
      Decision d =
          DecideFromJson(w->authz, w->slice_json[i], w->request_json[i], &resp);
      uint64_t t1 = Ticks();
      allow += d == Decision::kAllow;
      if (ticks.size() < ticks.capacity()) ticks.push_back(t1 - t0);
    }
  }
  SetCommon(state, *w, allow, ThreadCpuNs() - cpu0);
  SetPercentiles(state, ticks);
}

// The same question asked of several resources (the gateway's read-field
// decisions, one per field of a dataset): each request of the workload is
// asked of the workload's first kManyResources distinct resources, one
// IsAuthorized per resource (`each` false) or one IsAuthorizedEach.
constexpr size_t kManyResources = 8;

std::vector<EntityUid> DistinctResources(const Workload& w) {
  std::vector<EntityUid> out;
  for (const Request& r : w.requests) {
    if (std::find(out.begin(), out.end(), r.resource) == out.end())
      out.push_back(r.resource);
    if (out.size() == kManyResources) break;
  }
  return out;
}

void BM_ManyResources(benchmark::State& state, const Workload* w, bool each) {
  const std::vector<EntityUid> resources = DistinctResources(*w);
  Request one;
  Response resp;
  std::vector<Response> many;
  size_t allow = 0;
  // Both ways must agree before anything is timed.
  for (const Request& r : w->requests) {
    w->authz.IsAuthorizedEach(r, resources, w->store, &many);
    one = r;
    for (size_t k = 0; k < resources.size(); ++k) {
      one.resource = resources[k];
      w->authz.IsAuthorized(one, w->store, &resp);
      if (!(resp == many[k]))
        Die(w->name + ": IsAuthorizedEach disagrees with IsAuthorized");
    }
  }
  double cpu0 = ThreadCpuNs();
  for (auto _ : state) {
    for (const Request& r : w->requests) {
      if (each) {
        w->authz.IsAuthorizedEach(r, resources, w->store, &many);
        for (const Response& m : many) allow += m.decision == Decision::kAllow;
      } else {
        one.principal = r.principal;
        one.action = r.action;
        one.context = r.context;
        for (const EntityUid& res : resources) {
          one.resource = res;
          w->authz.IsAuthorized(one, w->store, &resp);
          allow += resp.decision == Decision::kAllow;
        }
      }
    }
    benchmark::ClobberMemory();
  }
  const double decisions = static_cast<double>(state.iterations()) *
                           static_cast<double>(w->requests.size()) *
                           static_cast<double>(resources.size());
  state.SetItemsProcessed(static_cast<int64_t>(decisions));
  state.counters["resources"] = static_cast<double>(resources.size());
  state.counters["allow"] =
      static_cast<double>(allow) / std::max<double>(1, state.iterations());
  state.counters["cpu_ns"] = (ThreadCpuNs() - cpu0) / std::max(1.0, decisions);
}

}  // namespace
}  // namespace haven::cedar

int main(int argc, char** argv) {
  using namespace haven::cedar;
  std::string dir, decisions_out;
  int threads = 1;
  std::vector<std::string> names = {"welcoming-city", "large"};
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.starts_with("--workloads="))
      dir = std::string(a.substr(12));
    else if (a.starts_with("--threads="))
      threads = std::atoi(std::string(a.substr(10)).c_str());
    else if (a.starts_with("--decisions_out="))
      decisions_out = std::string(a.substr(16));
    else
      rest.push_back(argv[i]);
  }
  if (dir.empty()) {
    std::fprintf(stderr,
                 "usage: cedar_bench --workloads=DIR [--decisions_out=DIR] "
                 "[--threads=N] [benchmark flags]\n(make DIR with "
                 "bench/cedar_workloads.py)\n");
    return 2;
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  NsPerTick();
  TimerOverhead();
  std::vector<std::unique_ptr<Workload>> workloads;
  for (const std::string& name : names)
    workloads.push_back(Load(dir, name, decisions_out));
  for (const auto& w : workloads) {
    const Workload* p = w.get();
    if (threads > 1) {
      benchmark::RegisterBenchmark(("Resident/" + w->name).c_str(), BM_Resident,
                                   p)
          ->MinTime(2.0)
          ->UseRealTime()
          ->Threads(threads);
      continue;
    }
    benchmark::RegisterBenchmark(("Resident/" + w->name).c_str(), BM_Resident,
                                 p)
        ->MinTime(2.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("ResidentLatency/" + w->name).c_str(),
                                 BM_ResidentLatency, p)
        ->MinTime(2.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("PerRequestJson/" + w->name).c_str(),
                                 BM_PerRequestJson, p)
        ->MinTime(2.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("ManyResourcesOneByOne/" + w->name).c_str(),
                                 BM_ManyResources, p, false)
        ->MinTime(2.0)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("ManyResourcesEach/" + w->name).c_str(),
                                 BM_ManyResources, p, true)
        ->MinTime(2.0)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
