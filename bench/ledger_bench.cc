// Ledger benchmarks (Google Benchmark). Figures and the command that made
// them are in BENCHMARKS.md, "## Ledger". Every ledger figure sits beside the
// raw limit measured in the same run on the same disk: write+fdatasync of the
// same bytes with no ledger logic, and OpenSSL's SHA-256.
//
// HAVEN_BENCH_DIR: where ledgers and files go (default /tmp); the 10-million
// entry ledger is built once there and reused. HAVEN_BENCH_SYNC_INTERVAL_US
// overrides Options::min_sync_interval; HAVEN_BENCH_NO_CHECKPOINTS turns
// periodic checkpoints off.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "ledger/crc32c.h"
#include "ledger/frame.h"
#include "ledger/hash.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "ledger/verify.h"

namespace hl = haven::ledger;
namespace fs = std::filesystem;

namespace {

constexpr size_t kEntrySize = 200;  // about one audit entry of JSON

std::string BenchDir(const std::string& name) {
  const char* d = std::getenv("HAVEN_BENCH_DIR");
  return (fs::path(d ? d : "/tmp") / name).string();
}

std::string MakeEntry(uint64_t i) {
  std::string e = "{\"i\":" + std::to_string(i) + ",\"who\":\"";
  e.resize(kEntrySize - 2, 'x');
  return e + "\"}";
}

std::string FreshLedger(const std::string& name) {
  std::string dir = BenchDir(name);
  fs::remove_all(dir);
  if (!hl::Ledger::Create(dir, "bench.example/ledger").ok()) std::abort();
  return dir;
}

std::unique_ptr<hl::Ledger> OpenLedger(
    const std::string& dir, size_t max_batch,
    hl::Options::Ahead ahead = hl::Options::Ahead::kAuto) {
  hl::Options o;
  o.ahead = ahead;
  o.max_batch_entries = max_batch;
  o.max_batch_bytes = 64 << 20;
  if (const char* v = std::getenv("HAVEN_BENCH_SYNC_INTERVAL_US")) {
    o.min_sync_interval = std::chrono::microseconds(std::atoi(v));
  }
  if (std::getenv("HAVEN_BENCH_NO_CHECKPOINTS")) {
    o.checkpoint_every = std::chrono::milliseconds(0);
    o.checkpoint_every_entries = uint64_t{1} << 40;
  }
  auto l = hl::Ledger::Open(o, dir);
  if (!l.ok()) std::abort();
  return std::move(*l);
}

// The raw group-commit limit: one pwrite of `batch` frames of the same size,
// then one fdatasync, with no ledger logic.
void BM_RawWriteFdatasync(benchmark::State& state) {
  const size_t batch = static_cast<size_t>(state.range(0));
  std::string path = BenchDir("haven-bench-raw.dat");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  std::string buf(batch * hl::FrameSize(kEntrySize), 'r');
  uint64_t offset = 0;
  for (auto _ : state) {
    if (::pwrite(fd, buf.data(), buf.size(), static_cast<off_t>(offset)) !=
        static_cast<ssize_t>(buf.size())) {
      std::abort();
    }
    if (::fdatasync(fd) != 0) std::abort();
    offset += buf.size();
    if (offset > (1u << 30)) {  // keep the file bounded
      if (::ftruncate(fd, 0) != 0) std::abort();
      offset = 0;
    }
  }
  ::close(fd);
  fs::remove(path);
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * buf.size());
}
BENCHMARK(BM_RawWriteFdatasync)
    ->Arg(1)
    ->Arg(16)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->UseRealTime()
    ->MinTime(2.0);

// Durable appends from T concurrent writers, each waiting for its entry.
std::unique_ptr<hl::Ledger> g_ledger;
void BM_LedgerAppend(benchmark::State& state) {
  if (state.thread_index() == 0) {
    g_ledger = OpenLedger(FreshLedger("haven-bench-append"), 4096);
  }
  std::string e = MakeEntry(state.thread_index());
  for (auto _ : state) {
    if (!g_ledger->Append(e).ok()) std::abort();
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) g_ledger.reset();
}
BENCHMARK(BM_LedgerAppend)
    ->Threads(1)
    ->Threads(16)
    ->Threads(64)
    ->UseRealTime()
    ->MinTime(2.0);

// Durable appends offered faster than the disk takes them, so that every
// batch is full: the ledger's counterpart of BM_RawWriteFdatasync/<batch>.
// One iteration = one batch's worth of entries issued, through one
// AppendBatchAsync call (`each` = false) or one AppendAsync per entry. The
// harness waits for room once per batch and is woken once per completed
// batch: waking it per entry made it (and not the ledger) the bottleneck.
void AppendBatched(benchmark::State& state, bool each,
                   hl::Options::Ahead ahead = hl::Options::Ahead::kAuto) {
  const size_t batch = static_cast<size_t>(state.range(0));
  auto l = OpenLedger(FreshLedger("haven-bench-batched"), batch, ahead);
  std::string e = MakeEntry(0);
  const std::vector<std::string_view> entries(batch, e);
  const uint64_t window = 8 * batch;
  std::atomic<uint64_t> done{0};
  uint64_t issued = 0;
  for (auto _ : state) {
    // `issued` is always a multiple of `batch` here, so the completion that
    // makes room is one that wakes.
    for (uint64_t d = done.load(std::memory_order_acquire);
         issued + batch - d > window;
         d = done.load(std::memory_order_acquire)) {
      done.wait(d);
    }
    if (each) {
      for (size_t i = 0; i < batch; ++i) {
        l->AppendAsync(e, [&done, batch](hl::Status s, uint64_t) {
          if (!s.ok()) std::abort();
          if ((done.fetch_add(1, std::memory_order_release) + 1) % batch == 0) {
            done.notify_one();
          }
        });
      }
    } else {
      l->AppendBatchAsync(entries, [&done, batch](hl::Status s, uint64_t) {
        if (!s.ok()) std::abort();
        done.fetch_add(batch, std::memory_order_release);
        done.notify_one();
      });
    }
    issued += batch;
  }
  for (uint64_t d = done.load(); d < issued; d = done.load()) done.wait(d);
  hl::LedgerStats st = l->stats();
  state.counters["avg_batch"] = double(st.entries) / st.batches;
  state.counters["sync_ms"] = st.sync_seconds * 1e3 / st.batches;
  state.counters["write_ms"] = st.write_seconds * 1e3 / st.batches;
  state.counters["encode_ms"] = st.encode_seconds * 1e3 / st.batches;
  state.counters["complete_ms"] = st.complete_seconds * 1e3 / st.batches;
  state.counters["reserves"] = st.reserves_ahead ? 1 : 0;
  state.SetItemsProcessed(state.iterations() * batch);
  state.SetBytesProcessed(state.iterations() * batch *
                          hl::FrameSize(kEntrySize));
}

void BM_LedgerAppendBatched(benchmark::State& state) {
  AppendBatched(state, /*each=*/false);
}
BENCHMARK(BM_LedgerAppendBatched)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->UseRealTime()
    ->MinTime(3.0);

// The same with the next segment always filled ahead (Options::Ahead::kFill),
// whatever the file system: where BM_LedgerAppendBatched reserves it instead
// (its `reserves` counter is 1), the two measure that choice.
void BM_LedgerAppendBatchedFill(benchmark::State& state) {
  AppendBatched(state, /*each=*/false, hl::Options::Ahead::kFill);
}
BENCHMARK(BM_LedgerAppendBatchedFill)->Arg(1024)->UseRealTime()->MinTime(3.0);

// The same through AppendAsync, one call and one callback per entry.
void BM_LedgerAppendBatchedEach(benchmark::State& state) {
  AppendBatched(state, /*each=*/true);
}
BENCHMARK(BM_LedgerAppendBatchedEach)
    ->Arg(64)
    ->Arg(256)
    ->Arg(1024)
    ->UseRealTime()
    ->MinTime(3.0);

// The raw limit for latency at 10,000 appends/s offered evenly: one thread
// takes every queued append, writes their frames with one pwrite and makes
// them durable with one fdatasync, with no other ledger logic (greedy group
// commit, as fast as the disk allows).
void BM_RawLatencyAt10kPerSecond(benchmark::State& state) {
  const int kRate = 10000;
  const int kCount = 30000;  // three seconds
  std::string path = BenchDir("haven-bench-raw-latency.dat");
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::abort();
  std::vector<double> lat(kCount);
  const size_t frame = hl::FrameSize(kEntrySize);
  for (auto _ : state) {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::pair<int, std::chrono::steady_clock::time_point>> queued;
    bool done = false;
    uint64_t syncs = 0;
    std::thread committer([&] {
      std::vector<std::pair<int, std::chrono::steady_clock::time_point>> batch;
      std::string buf;
      uint64_t offset = 0;
      while (true) {
        {
          std::unique_lock<std::mutex> l(mu);
          cv.wait(l, [&] { return !queued.empty() || done; });
          if (queued.empty()) return;
          batch.swap(queued);
        }
        buf.assign(batch.size() * frame, 'r');
        if (::pwrite(fd, buf.data(), buf.size(), static_cast<off_t>(offset)) !=
                static_cast<ssize_t>(buf.size()) ||
            ::fdatasync(fd) != 0) {
          std::abort();
        }
        offset += buf.size();
        ++syncs;
        auto now = std::chrono::steady_clock::now();
        for (const auto& [i, t0] : batch) {
          lat[i] = std::chrono::duration<double, std::micro>(now - t0).count();
        }
        batch.clear();
      }
    });
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCount; ++i) {
      std::this_thread::sleep_until(
          start + std::chrono::microseconds(int64_t{i} * 1000000 / kRate));
      {
        std::lock_guard<std::mutex> l(mu);
        queued.emplace_back(i, std::chrono::steady_clock::now());
      }
      cv.notify_one();
    }
    {
      std::lock_guard<std::mutex> l(mu);
      done = true;
    }
    cv.notify_one();
    committer.join();
    state.counters["syncs_per_s"] = syncs * 1e3 / 3000.0;
  }
  ::close(fd);
  fs::remove(path);
  std::sort(lat.begin(), lat.end());
  state.counters["p50_us"] = lat[kCount / 2];
  state.counters["p99_us"] = lat[kCount * 99 / 100];
  state.counters["p999_us"] = lat[kCount * 999 / 1000];
  state.counters["max_us"] = lat.back();
}
BENCHMARK(BM_RawLatencyAt10kPerSecond)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Latency from append to durable, at 10,000 appends/s offered evenly.
void BM_LedgerLatencyAt10kPerSecond(benchmark::State& state) {
  auto l = OpenLedger(FreshLedger("haven-bench-latency"), 4096);
  const int kRate = 10000;
  const int kCount = 30000;  // three seconds
  std::vector<double> lat(kCount);
  std::string e = MakeEntry(0);
  for (auto _ : state) {
    std::atomic<int> done{0};
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kCount; ++i) {
      auto due =
          start + std::chrono::microseconds(int64_t{i} * 1000000 / kRate);
      std::this_thread::sleep_until(due);
      auto t0 = std::chrono::steady_clock::now();
      l->AppendAsync(e, [&, i, t0](hl::Status s, uint64_t) {
        lat[i] = std::chrono::duration<double, std::micro>(
                     std::chrono::steady_clock::now() - t0)
                     .count();
        done.fetch_add(1);
      });
    }
    while (done.load() < kCount)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  hl::LedgerStats st = l->stats();
  state.counters["syncs_per_s"] = st.batches / 3.0;
  state.counters["avg_batch"] = double(st.entries) / st.batches;
  std::sort(lat.begin(), lat.end());
  state.counters["p50_us"] = lat[kCount / 2];
  state.counters["p99_us"] = lat[kCount * 99 / 100];
  state.counters["p999_us"] = lat[kCount * 999 / 1000];
  state.counters["max_us"] = lat.back();
}
BENCHMARK(BM_LedgerLatencyAt10kPerSecond)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The reference for verification speed: OpenSSL SHA-256 over inputs of a
// leaf's size (0x00 ‖ entry).
void BM_OpenSslSha256LeafSized(benchmark::State& state) {
  std::string input(1 + kEntrySize, 'v');
  for (auto _ : state) {
    benchmark::DoNotOptimize(hl::Sha256(input));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * input.size());
}
BENCHMARK(BM_OpenSslSha256LeafSized);

// Leaf hashes of 200-byte entries as a batch append makes them: two at a
// time (HashLeafPair: SHA-NI with two messages interleaved, where the CPU has
// it). Items are leaves, comparable with BM_OpenSslSha256LeafSized.
void BM_HashLeafPair(benchmark::State& state) {
  std::string a(kEntrySize, 'v'), b(kEntrySize, 'w');
  hl::Hash ha, hb;
  for (auto _ : state) {
    hl::HashLeafPair(a, b, &ha, &hb);
    benchmark::DoNotOptimize(ha);
    benchmark::DoNotOptimize(hb);
  }
  state.SetItemsProcessed(state.iterations() * 2);
  state.SetBytesProcessed(state.iterations() * 2 * (1 + kEntrySize));
}
BENCHMARK(BM_HashLeafPair);

// The ledger of `n` entries the verification benchmarks read, built once in
// HAVEN_BENCH_DIR and reused.
std::string VerifyBenchLedger(uint64_t n) {
  std::string dir = BenchDir("haven-bench-verify-" + std::to_string(n));
  if (!fs::exists(dir + "/checkpoints.log") || !fs::exists(dir + "/DONE")) {
    dir = FreshLedger("haven-bench-verify-" + std::to_string(n));
    auto l = OpenLedger(dir, 4096);
    std::vector<std::string> chunk;
    for (uint64_t i = 0; i < n; ++i) {
      chunk.push_back(MakeEntry(i));
      if (chunk.size() == 65536 || i + 1 == n) {
        if (!l->AppendAll(chunk).ok()) std::abort();
        chunk.clear();
      }
    }
    if (!l->SignCheckpoint().ok()) std::abort();
    l.reset();
    std::ofstream(dir + "/DONE") << "built\n";
  }
  return dir;
}

// Full verification: reread every frame, recompute every leaf and node,
// compare tree.hashes, check checkpoints.
void BM_VerifyLedger(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0));
  const std::string dir = VerifyBenchLedger(n);
  for (auto _ : state) {
    auto r = hl::VerifyLedger(dir, {});
    if (!r.ok() || !r->ok) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_VerifyLedger)
    ->Arg(1 << 20)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

// Why verification reads segments with pread rather than through a mapping:
// CRC32C over the first 64-MiB segment of the verification ledger, (a)
// mapped with MAP_POPULATE, as verification did before, and (b) read with
// pread into one reused window of 1 MiB + 4 KiB, as it does now. Both are
// served from the page cache.
std::string FirstSegment() {
  return VerifyBenchLedger(1 << 20) + "/00000000000000000000.seg";
}

void BM_Crc32cOfMappedSegment(benchmark::State& state) {
  const std::string path = FirstSegment();
  const int fd = ::open(path.c_str(), O_RDONLY);
  const size_t size = static_cast<size_t>(::lseek(fd, 0, SEEK_END));
  for (auto _ : state) {
    void* p =
        ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (p == MAP_FAILED) std::abort();
    benchmark::DoNotOptimize(
        hl::crc32c::Extend(0, static_cast<const char*>(p), size));
    ::munmap(p, size);
  }
  ::close(fd);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(BM_Crc32cOfMappedSegment)->Unit(benchmark::kMillisecond);

void BM_Crc32cOfSegmentReadWithPread(benchmark::State& state) {
  const std::string path = FirstSegment();
  const int fd = ::open(path.c_str(), O_RDONLY);
  const size_t size = static_cast<size_t>(::lseek(fd, 0, SEEK_END));
  std::vector<char> window((1 << 20) + 4096);
  for (auto _ : state) {
    uint32_t crc = 0;
    for (size_t at = 0; at < size;) {
      ssize_t n =
          ::pread(fd, window.data(), window.size(), static_cast<off_t>(at));
      if (n <= 0) std::abort();
      crc = hl::crc32c::Extend(crc, window.data(), static_cast<size_t>(n));
      at += static_cast<size_t>(n);
    }
    benchmark::DoNotOptimize(crc);
  }
  ::close(fd);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
}
BENCHMARK(BM_Crc32cOfSegmentReadWithPread)->Unit(benchmark::kMillisecond);

// Opening a ledger of range(0) million entries, all covered by its latest
// checkpoint: recovery alone (Ledger::Open, then closing it with nothing
// appended). Built once in HAVEN_BENCH_DIR and reused; its files are in the
// page cache after the first round, so this is the CPU cost of recovery.
void BM_LedgerOpen(benchmark::State& state) {
  const uint64_t n = static_cast<uint64_t>(state.range(0)) * 1'000'000;
  const std::string name = "haven-bench-open-" + std::to_string(n);
  std::string dir = BenchDir(name);
  if (!fs::exists(dir + "/DONE")) {
    dir = FreshLedger(name);
    auto l = OpenLedger(dir, 4096);
    std::vector<std::string> chunk;
    for (uint64_t i = 0; i < n; ++i) {
      chunk.push_back(MakeEntry(i));
      if (chunk.size() == 65536 || i + 1 == n) {
        if (!l->AppendAll(chunk).ok()) std::abort();
        chunk.clear();
      }
    }
    if (!l->SignCheckpoint().ok()) std::abort();
    l.reset();
    std::ofstream(dir + "/DONE") << "built\n";
  }
  for (auto _ : state) {
    auto l = hl::Ledger::Open({}, dir);
    if (!l.ok() || (*l)->size() != n) std::abort();
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_LedgerOpen)
    ->Arg(4)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

// Proofs on a 10-million-entry ledger, from stored subtree hashes.
std::unique_ptr<hl::Ledger> BigLedger() {
  const uint64_t kBig = 10'000'000;
  std::string dir = BenchDir("haven-bench-10m");
  if (!fs::exists(dir + "/DONE")) {
    dir = FreshLedger("haven-bench-10m");
    auto l = OpenLedger(dir, 4096);
    std::vector<std::string> chunk;
    for (uint64_t i = 0; i < kBig; ++i) {
      chunk.push_back("{\"i\":" + std::to_string(i) + "}");
      if (chunk.size() == 65536 || i + 1 == kBig) {
        if (!l->AppendAll(chunk).ok()) std::abort();
        chunk.clear();
      }
    }
    if (!l->SignCheckpoint().ok()) std::abort();
    l.reset();
    std::ofstream(dir + "/DONE") << "built\n";
  }
  return OpenLedger(dir, 4096);
}

void BM_InclusionProof10M(benchmark::State& state) {
  auto l = BigLedger();
  const uint64_t n = l->size();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    auto p = l->InclusionProof(rng() % n, n);
    if (!p.ok()) std::abort();
    benchmark::DoNotOptimize(p->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionProof10M)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

void BM_ConsistencyProof10M(benchmark::State& state) {
  auto l = BigLedger();
  const uint64_t n = l->size();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    auto p = l->ConsistencyProof(1 + rng() % (n - 1), n);
    if (!p.ok()) std::abort();
    benchmark::DoNotOptimize(p->data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ConsistencyProof10M)->Unit(benchmark::kMicrosecond)->MinTime(2.0);

}  // namespace

BENCHMARK_MAIN();
