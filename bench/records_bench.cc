// Records benchmarks (Google Benchmark): plate lookups and gets by id in a
// store of 10,000,000 plate reads. Figures and the command that made them
// are in BENCHMARKS.md, "## Records". Each call is timed on its own and the
// p50/p99/max latencies are reported as counters (in microseconds).
//
// HAVEN_BENCH_DIR: where the store goes (default /tmp); the store,
// records_bench/records.db, is generated once (seed 1; its generation time
// is printed) and reused while it holds HAVEN_BENCH_PLATE_READS reads
// (default 10,000,000).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "records/import.h"
#include "records/records.h"

namespace hr = haven::records;
namespace fs = std::filesystem;

namespace {

int64_t PlateReads() {
  const char* n = std::getenv("HAVEN_BENCH_PLATE_READS");
  return n != nullptr ? std::atoll(n) : 10'000'000;
}

hr::Store& TheStore() {
  static std::unique_ptr<hr::Store> store = [] {
    const char* d = std::getenv("HAVEN_BENCH_DIR");
    fs::path dir = fs::path(d != nullptr ? d : "/tmp") / "records_bench";
    fs::create_directories(dir);
    std::string path = (dir / "records.db").string();
    auto open = [&] {
      auto s = hr::Store::Open(path, {});
      if (!s.ok()) {
        std::fprintf(stderr, "%s\n", s.status().ToString().c_str());
        std::abort();
      }
      return std::move(*s);
    };
    std::unique_ptr<hr::Store> s = open();
    auto n = s->Count(hr::Dataset::kPlateReads);
    if (!n.ok() || *n != PlateReads()) {
      s.reset();
      for (const char* ext : {"", "-wal", "-shm"}) fs::remove(path + ext);
      s = open();
      hr::GenerateOptions o;
      o.persons = 100'000;
      o.plate_reads = PlateReads();
      o.warrants = 10'000;
      auto t0 = std::chrono::steady_clock::now();
      haven::Status st = hr::Generate(*s, o);
      double secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
              .count();
      if (!st.ok()) {
        std::fprintf(stderr, "%s\n", st.ToString().c_str());
        std::abort();
      }
      std::fprintf(stderr,
                   "generated %lld plate reads, 100,000 persons, 10,000 "
                   "warrants in %.1f s (%s: %.0f MiB)\n",
                   static_cast<long long>(o.plate_reads), secs, path.c_str(),
                   fs::file_size(path) / 1048576.0);
    }
    return s;
  }();
  return *store;
}

std::string ReadId(uint64_t n) {
  char id[32];
  std::snprintf(id, sizeof id, "R%010llu", static_cast<unsigned long long>(n));
  return id;
}

// Plates that have reads, learnt from reads spread over the table.
const std::vector<std::string>& Plates() {
  static const std::vector<std::string> plates = [] {
    std::vector<std::string> out;
    uint64_t n = static_cast<uint64_t>(PlateReads());
    for (uint64_t i = 0; i < 4096; ++i) {
      auto r = TheStore().Get(hr::Dataset::kPlateReads,
                              ReadId(1 + (i * 2654435761ULL) % n));
      if (!r.ok() || !r->has_value()) std::abort();
      out.push_back(std::get<std::string>((*r)->values[1]));
    }
    return out;
  }();
  return plates;
}

void Percentiles(benchmark::State& state, std::vector<double>& us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) {
    return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
  state.counters["max_us"] = us.back();
}

template <typename F>
void Timed(benchmark::State& state, F&& call) {
  std::vector<double> us;
  us.reserve(1 << 20);
  size_t i = static_cast<size_t>(state.thread_index()) * 7919;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    call(i++);
    us.push_back(std::chrono::duration<double, std::micro>(
                     std::chrono::steady_clock::now() - t0)
                     .count());
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) Percentiles(state, us);
}

// Search(kPlateReads, plate) for plates that have reads (about 50 each),
// newest first, limit 100.
void BM_SearchPlateReads(benchmark::State& state) {
  hr::Store& store = TheStore();
  const auto& plates = Plates();
  size_t rows = 0, calls = 0;
  Timed(state, [&](size_t i) {
    auto r = store.Search(hr::Dataset::kPlateReads,
                          {{"plate", plates[i % plates.size()]}}, 100);
    if (!r.ok()) std::abort();
    rows += r->size();
    ++calls;
  });
  state.counters["rows_per_search"] = benchmark::Counter(
      calls ? double(rows) / calls : 0, benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_SearchPlateReads)->UseRealTime()->Threads(1)->Threads(2);

// A plate no read has (generated plates have at most three letters): the
// index answers alone.
void BM_SearchPlateReadsMiss(benchmark::State& state) {
  hr::Store& store = TheStore();
  Timed(state, [&](size_t i) {
    auto r = store.Search(hr::Dataset::kPlateReads,
                          {{"plate", "QQQQ" + std::to_string(i % 1000)}}, 100);
    if (!r.ok() || !r->empty()) std::abort();
  });
}
BENCHMARK(BM_SearchPlateReadsMiss)->UseRealTime();

// Get(kPlateReads, id) at ids spread over the table.
void BM_GetPlateReadById(benchmark::State& state) {
  hr::Store& store = TheStore();
  const uint64_t n = static_cast<uint64_t>(PlateReads());
  Timed(state, [&](size_t i) {
    auto r = store.Get(hr::Dataset::kPlateReads,
                       ReadId(1 + (i * 11400714819323198485ULL) % n));
    if (!r.ok() || !r->has_value()) std::abort();
  });
}
BENCHMARK(BM_GetPlateReadById)->UseRealTime()->Threads(1)->Threads(2);

}  // namespace

BENCHMARK_MAIN();
