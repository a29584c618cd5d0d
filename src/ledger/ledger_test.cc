#include "ledger/ledger.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <span>
#include <string_view>
#include <thread>

#include "ledger/frame.h"
#include "ledger/verify.h"

namespace haven::ledger {
namespace {

namespace fs = std::filesystem;

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = ::testing::TempDir() + "ledger_test_XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
    ASSERT_TRUE(Ledger::Create(dir_, "haven.test/ledger").ok());
    options_.checkpoint_every = std::chrono::milliseconds(0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<Ledger> OpenOrDie() {
    StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(options_, dir_);
    EXPECT_TRUE(l.ok()) << l.status().ToString();
    return l.ok() ? std::move(*l) : nullptr;
  }

  std::string LastSegment() {
    std::string last;
    for (const auto& e : fs::directory_iterator(dir_)) {
      std::string n = e.path().filename();
      if (n.size() == 24 && n.ends_with(".seg") && n > last) last = n;
    }
    return dir_ + "/" + last;
  }

  static std::string Entry(uint64_t i) { return "entry-" + std::to_string(i); }

  void AheadRoundTrip(Options::Ahead ahead, uint64_t segment_bytes, size_t pad,
                      uint64_t count);

  std::string dir_;
  Options options_;
};

TEST_F(LedgerTest, CreateWritesAnOwnerOnlyKeyAndAVerifierKey) {
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/ledger.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  std::ifstream vkey(dir_ + "/ledger.vkey");
  std::string line;
  std::getline(vkey, line);
  StatusOr<VerifierKey> key = ParseVerifierKey(line);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->name, "haven.test/ledger");
  EXPECT_EQ(Ledger::Create(dir_, "haven.test/ledger").code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Ledger::Create(dir_ + "/sub", "bad origin").code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LedgerTest, AppendsGetConsecutiveIndicesAndTheRfcRoot) {
  auto l = OpenOrDie();
  InMemoryTree ref;
  EXPECT_EQ(l->root(), EmptyRoot());
  for (uint64_t i = 0; i < 100; ++i) {
    StatusOr<uint64_t> idx = l->Append(Entry(i));
    ASSERT_TRUE(idx.ok());
    EXPECT_EQ(*idx, i);
    ref.Append(Entry(i));
  }
  EXPECT_EQ(l->size(), 100u);
  EXPECT_EQ(l->root(), ref.RootAt(100));
  for (uint64_t n = 0; n <= 100; n += 7)
    EXPECT_EQ(*l->RootAt(n), ref.RootAt(n));
}

TEST_F(LedgerTest, ConcurrentWritersEachGetTheirOwnDurableEntry) {
  auto l = OpenOrDie();
  constexpr int kThreads = 8, kPer = 300;
  std::vector<std::vector<uint64_t>> got(kThreads);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        StatusOr<uint64_t> idx =
            l->Append("t" + std::to_string(t) + "-" + std::to_string(i));
        ASSERT_TRUE(idx.ok());
        got[t].push_back(*idx);
      }
    });
  }
  for (auto& t : ts) t.join();
  ASSERT_EQ(l->size(), uint64_t{kThreads * kPer});
  StatusOr<std::vector<std::string>> all = l->ReadEntries(0, l->size());
  ASSERT_TRUE(all.ok());
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPer; ++i) {
      EXPECT_EQ((*all)[got[t][i]],
                "t" + std::to_string(t) + "-" + std::to_string(i));
      if (i > 0) {
        EXPECT_GT(got[t][i], got[t][i - 1]);
      }
    }
  }
}

TEST_F(LedgerTest, AsyncAppendsCompleteOnceDurable) {
  auto l = OpenOrDie();
  std::atomic<int> done{0};
  std::vector<uint64_t> idx(1000);
  for (int i = 0; i < 1000; ++i) {
    l->AppendAsync(Entry(i), [&, i](Status s, uint64_t index) {
      EXPECT_TRUE(s.ok());
      idx[i] = index;
      done.fetch_add(1);
    });
  }
  while (done.load() < 1000) std::this_thread::yield();
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(idx[i], uint64_t(i));
  l->AppendAsync(std::string(kMaxEntrySize + 1, 'x'), [&](Status s, uint64_t) {
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  });
}

// Waits for the callbacks of AppendBatchAsync calls.
struct BatchResults {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::pair<Status, uint64_t>> got;  // by call

  Ledger::Callback For(size_t call) {
    return [this, call](Status s, uint64_t first) {
      std::lock_guard<std::mutex> l(mu);
      EXPECT_EQ(got[call].second, ~uint64_t{0}) << "called twice";
      got[call] = {s, first};
      cv.notify_all();
    };
  }
  void Expect(size_t calls) {
    std::lock_guard<std::mutex> l(mu);
    got.assign(calls, {Status::Ok(), ~uint64_t{0}});
  }
  void WaitAll() {
    std::unique_lock<std::mutex> l(mu);
    cv.wait(l, [&] {
      for (const auto& g : got) {
        if (g.second == ~uint64_t{0}) return false;
      }
      return true;
    });
  }
};

TEST_F(LedgerTest, BatchAppendsTakeConsecutiveIndicesAcrossBatchesAndSegments) {
  options_.max_batch_entries = 7;  // calls of 60 span many batches...
  options_.segment_bytes = 4096;   // ...and segments
  options_.min_sync_interval = std::chrono::microseconds(0);
  constexpr int kThreads = 4, kCalls = 6, kPer = 60;
  BatchResults r;
  r.Expect(kThreads * kCalls);
  std::vector<std::vector<std::string>> entries(kThreads * kCalls);
  {
    auto l = OpenOrDie();
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
      ts.emplace_back([&, t] {
        for (int c = 0; c < kCalls; ++c) {
          const size_t call = t * kCalls + c;
          for (int i = 0; i < kPer; ++i) {
            entries[call].push_back("t" + std::to_string(t) + "-c" +
                                    std::to_string(c) + "-" +
                                    std::to_string(i));
          }
          if (c % 2 == 0) {
            l->AppendBatchAsync(std::span<const std::string>(entries[call]),
                                r.For(call));
          } else {
            std::vector<std::string_view> views(entries[call].begin(),
                                                entries[call].end());
            l->AppendBatchAsync(views, r.For(call));
          }
          // Single appends from the same thread interleave with the calls.
          ASSERT_TRUE(l->Append("single").ok());
        }
      });
    }
    for (auto& t : ts) t.join();
    r.WaitAll();
    EXPECT_EQ(l->size(), uint64_t{kThreads * (kCalls * kPer + kCalls)});
    StatusOr<std::vector<std::string>> all = l->ReadEntries(0, l->size());
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    for (size_t call = 0; call < entries.size(); ++call) {
      ASSERT_TRUE(r.got[call].first.ok()) << r.got[call].first.ToString();
      const uint64_t first = r.got[call].second;
      for (int i = 0; i < kPer; ++i) {
        ASSERT_EQ((*all)[first + i], entries[call][i]) << call << " " << i;
      }
    }
  }
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->summary;
}

TEST_F(LedgerTest, FullBatchesQueuedAheadCompleteInOrderAcrossSegments) {
  options_.max_batch_entries = 16;  // every call below is one full batch...
  options_.segment_bytes = 4096;    // ...and a segment holds a few of them
  options_.min_sync_interval = std::chrono::microseconds(0);
  constexpr size_t kCalls = 300, kPer = 16;
  std::mutex mu;
  std::vector<uint64_t> completed;  // first indices, in completion order
  std::vector<std::string> all;
  {
    auto l = OpenOrDie();
    // Issued all at once, so that the writer frames batches while earlier
    // ones are written and synced.
    for (size_t c = 0; c < kCalls; ++c) {
      std::vector<std::string> entries;
      for (size_t i = 0; i < kPer; ++i) entries.push_back(Entry(c * kPer + i));
      all.insert(all.end(), entries.begin(), entries.end());
      l->AppendBatchAsync(std::span<const std::string>(entries),
                          [&](Status s, uint64_t first) {
                            EXPECT_TRUE(s.ok()) << s.ToString();
                            std::lock_guard<std::mutex> g(mu);
                            completed.push_back(first);
                          });
    }
  }  // closing completes every queued call
  ASSERT_EQ(completed.size(), kCalls);
  for (size_t c = 0; c < kCalls; ++c) ASSERT_EQ(completed[c], c * kPer) << c;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() == ".seg") {
      EXPECT_LE(fs::file_size(e.path()), 4096u) << e.path();
    }
  }
  auto l = OpenOrDie();
  EXPECT_TRUE(l->recovery().empty());
  StatusOr<std::vector<std::string>> read = l->ReadEntries(0, l->size());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, all);
  l.reset();
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->summary;
}

TEST_F(LedgerTest, AnEntryIsInSizeAndProvableWhenItsAppendCompletes) {
  options_.max_batch_entries = 8;
  options_.min_sync_interval = std::chrono::microseconds(0);
  constexpr int kCount = 500;
  InMemoryTree ref;
  for (int i = 0; i < kCount; ++i) ref.Append(Entry(i));
  std::atomic<int> done{0};
  std::vector<uint64_t> size_seen(kCount);
  std::vector<int> root_ok(kCount);
  auto l = OpenOrDie();
  Ledger* p = l.get();
  for (int i = 0; i < kCount; ++i) {
    l->AppendAsync(Entry(i), [&, i, p](Status s, uint64_t index) {
      EXPECT_TRUE(s.ok());
      size_seen[i] = p->size();
      // Needs the stored nodes up to the entry.
      StatusOr<Hash> root = p->RootAt(index + 1);
      root_ok[i] = root.ok() && *root == ref.RootAt(index + 1);
      done.fetch_add(1);
    });
  }
  while (done.load() < kCount) std::this_thread::yield();
  for (int i = 0; i < kCount; ++i) {
    EXPECT_GT(size_seen[i], uint64_t(i)) << i;
    EXPECT_TRUE(root_ok[i]) << i;
  }
}

TEST_F(LedgerTest, BatchAppendsSplitAtTheBatchByteLimit) {
  options_.max_batch_bytes = 100;  // a few frames of ~30 bytes each
  auto l = OpenOrDie();
  std::vector<std::string> entries;
  for (int i = 0; i < 50; ++i) entries.push_back(Entry(i) + "-padding");
  entries.push_back(std::string(300, 'b'));  // larger than a batch: alone
  entries.push_back("after");
  BatchResults r;
  r.Expect(1);
  l->AppendBatchAsync(std::span<const std::string>(entries), r.For(0));
  r.WaitAll();
  ASSERT_TRUE(r.got[0].first.ok());
  EXPECT_EQ(r.got[0].second, 0u);
  EXPECT_GE(l->stats().batches, 14u);  // 4 frames of 23-24 bytes a batch
  StatusOr<std::vector<std::string>> all = l->ReadEntries(0, l->size());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, entries);
}

TEST_F(LedgerTest, BatchAppendsOfNothingOrOfAnOversizedEntryAppendNothing) {
  auto l = OpenOrDie();
  BatchResults r;
  r.Expect(2);
  l->AppendBatchAsync(std::span<const std::string_view>(), r.For(0));
  std::vector<std::string> big = {"fine", std::string(kMaxEntrySize + 1, 'x')};
  l->AppendBatchAsync(std::span<const std::string>(big), r.For(1));
  r.WaitAll();
  EXPECT_EQ(r.got[0].first.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.got[1].first.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(l->size(), 0u);
  EXPECT_FALSE(l->AppendAll({}).ok());
}

TEST_F(LedgerTest, ReopeningKeepsEntriesAcrossManySegments) {
  options_.segment_bytes = 4096;
  InMemoryTree ref;
  {
    auto l = OpenOrDie();
    std::vector<std::string> batch;
    for (uint64_t i = 0; i < 2000; ++i) {
      batch.push_back(Entry(i));
      ref.Append(Entry(i));
      if (batch.size() == 37) {
        ASSERT_TRUE(l->AppendAll(batch).ok());
        batch.clear();
      }
    }
    ASSERT_TRUE(l->AppendAll(batch).ok());
  }
  auto l = OpenOrDie();
  EXPECT_TRUE(l->recovery().empty());
  EXPECT_EQ(l->size(), 2000u);
  EXPECT_EQ(l->root(), ref.RootAt(2000));
  StatusOr<std::vector<std::string>> e = l->ReadEntries(0, 2000);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  for (uint64_t i = 0; i < 2000; ++i) ASSERT_EQ((*e)[i], Entry(i));
  StatusOr<std::vector<std::string>> mid = l->ReadEntries(1234, 1300);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid->front(), Entry(1234));
  EXPECT_EQ(mid->size(), 66u);
  EXPECT_FALSE(l->ReadEntries(1990, 2001).ok());
  ASSERT_TRUE(l->Append("more").ok());
  EXPECT_EQ(*l->ReadEntries(2000, 2001), std::vector<std::string>{"more"});
}

TEST_F(LedgerTest, BatchesFillUpToTheSegmentEndAndContinueInTheNext) {
  options_.segment_bytes = 4096;
  std::atomic<int> done{0};
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 3000; ++i) {
      l->AppendAsync(Entry(i), [&, i](Status s, uint64_t index) {
        EXPECT_TRUE(s.ok());
        EXPECT_EQ(index, uint64_t(i));
        done.fetch_add(1);
      });
    }
    while (done.load() < 3000) std::this_thread::yield();
    EXPECT_LT(l->stats().batches, 3000u);  // they did share batches
  }
  int segments = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() == ".seg") {
      ++segments;
      EXPECT_LE(fs::file_size(e.path()), 4096u) << e.path();
    }
  }
  EXPECT_GE(segments, 13);  // 3000 frames of 17 or 18 bytes
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->summary;
  EXPECT_EQ(v->entries, 3000u);
}

TEST_F(LedgerTest, MinSyncIntervalGroupsAppendsIntoFewerSyncs) {
  options_.min_sync_interval = std::chrono::milliseconds(5);
  auto l = OpenOrDie();
  constexpr int kThreads = 8, kPer = 25;
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&] {
      for (int i = 0; i < kPer; ++i) ASSERT_TRUE(l->Append("e").ok());
    });
  }
  for (auto& t : ts) t.join();
  LedgerStats st = l->stats();
  EXPECT_EQ(st.entries, uint64_t{kThreads * kPer});
  EXPECT_EQ(l->size(), uint64_t{kThreads * kPer});
  // Each writer waits for its own entry, so without pacing most batches
  // would hold one or two entries.
  EXPECT_LE(st.batches * 2, st.entries);
}

TEST_F(LedgerTest, ProofsFromStoredNodesVerifyAgainstEveryRoot) {
  auto l = OpenOrDie();
  InMemoryTree ref;
  for (uint64_t i = 0; i < 130; ++i) {
    ASSERT_TRUE(l->Append(Entry(i)).ok());
    ref.Append(Entry(i));
  }
  for (uint64_t n = 1; n <= 130; n += 3) {
    for (uint64_t m = 0; m < n; m += 5) {
      StatusOr<std::vector<Hash>> p = l->InclusionProof(m, n);
      ASSERT_TRUE(p.ok());
      EXPECT_EQ(*p, *InclusionProof(m, n, ref));
      EXPECT_TRUE(
          VerifyInclusion(m, n, HashLeaf(Entry(m)), *p, ref.RootAt(n)).ok());
    }
    for (uint64_t m = 1; m <= n; m += 4) {
      StatusOr<std::vector<Hash>> c = l->ConsistencyProof(m, n);
      ASSERT_TRUE(c.ok());
      EXPECT_TRUE(
          VerifyConsistency(m, n, *c, ref.RootAt(m), ref.RootAt(n)).ok());
    }
  }
  EXPECT_FALSE(l->InclusionProof(0, 131).ok());
  EXPECT_FALSE(l->ConsistencyProof(0, 10).ok());
  EXPECT_FALSE(l->ConsistencyProof(11, 10).ok());
}

TEST_F(LedgerTest, CheckpointsAreSignedOncePerSizeAndProveEntries) {
  auto l = OpenOrDie();
  EXPECT_FALSE(l->SignCheckpoint().ok());  // empty
  EXPECT_FALSE(l->Prove(0).ok());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  StatusOr<std::string> a = l->SignCheckpoint();
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*l->SignCheckpoint(), *a);  // same size: same checkpoint
  StatusOr<Checkpoint> cp = OpenCheckpoint(*a, l->verifier());
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(cp->size, 10u);
  EXPECT_EQ(cp->root, l->root());
  for (uint64_t i = 0; i < 10; ++i) {
    StatusOr<TlogProof> p = l->Prove(i);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(VerifyTlogProof(*p, Entry(i), l->verifier()).ok());
  }
  EXPECT_FALSE(l->Prove(10).ok());
  ASSERT_TRUE(l->Append("x").ok());
  StatusOr<std::string> b = l->SignCheckpoint();
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_EQ(*l->Checkpoints(), (std::vector<std::string>{*a, *b}));
}

TEST_F(LedgerTest, SignsPeriodicallyEveryNEntries) {
  options_.checkpoint_every_entries = 100;
  options_.checkpoint_on_close = false;
  auto l = OpenOrDie();
  std::vector<std::string> batch;
  for (int i = 0; i < 1000; ++i) {
    batch.push_back(Entry(i));
    if (batch.size() == 10) {
      ASSERT_TRUE(l->AppendAll(batch).ok());
      batch.clear();
    }
  }
  // Once appends stop, the latest checkpoint is fewer than N entries behind.
  auto latest_size = [&]() -> uint64_t {
    std::optional<std::string> n = l->LatestCheckpoint();
    return n ? OpenCheckpoint(*n, l->verifier())->size : 0;
  };
  for (int tries = 0; tries < 1000 && latest_size() + 100 <= 1000; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(latest_size() + 100, 1000u);
  StatusOr<std::vector<std::string>> cps = l->Checkpoints();
  ASSERT_TRUE(cps.ok());
  ASSERT_GE(cps->size(), 2u);
  uint64_t prev = 0;
  for (const std::string& n : *cps) {
    StatusOr<Checkpoint> cp = OpenCheckpoint(n, l->verifier());
    ASSERT_TRUE(cp.ok());
    EXPECT_GT(cp->size, prev);
    EXPECT_EQ(cp->root, *l->RootAt(cp->size));
    prev = cp->size;
  }
}

TEST_F(LedgerTest, SignsPeriodicallyEveryTMilliseconds) {
  options_.checkpoint_every = std::chrono::milliseconds(20);
  options_.checkpoint_on_close = false;
  auto l = OpenOrDie();
  ASSERT_TRUE(l->Append("a").ok());
  for (int tries = 0; tries < 500 && !l->LatestCheckpoint(); ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(l->LatestCheckpoint().has_value());
  EXPECT_EQ(OpenCheckpoint(*l->LatestCheckpoint(), l->verifier())->size, 1u);
}

TEST_F(LedgerTest, ClosingSignsTheUncoveredTail) {
  {
    auto l = OpenOrDie();
    ASSERT_TRUE(l->Append("a").ok());
  }
  auto l = OpenOrDie();
  ASSERT_TRUE(l->LatestCheckpoint().has_value());
}

TEST_F(LedgerTest, OnlyOneProcessMayOpenALedger) {
  auto l = OpenOrDie();
  // flock is per open file description, so a second Open in this process
  // conflicts just as another process would.
  EXPECT_EQ(Ledger::Open(options_, dir_).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(LedgerTest, RecoveryCutsATornTailAndReportsIt) {
  options_.checkpoint_on_close = false;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  std::string seg = LastSegment();
  uint64_t good = fs::file_size(seg);
  {
    // Half of a frame, as a crash in the middle of a write leaves it.
    std::string frame;
    uint32_t chain = 0;
    AppendFrame(&chain, 5, "half-written entry", &frame);
    std::ofstream f(seg, std::ios::app | std::ios::binary);
    f << frame.substr(0, 12);
  }
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().events.size(), 1u);
  EXPECT_NE(l->recovery().events[0].find("offset " + std::to_string(good)),
            std::string::npos)
      << l->recovery().events[0];
  EXPECT_EQ(fs::file_size(seg), good);
  EXPECT_EQ(l->size(), 5u);
  ASSERT_EQ(*l->Append("after"), 5u);
}

TEST_F(LedgerTest, CorruptionBeforeTheTailIsAHardErrorNamingFileAndOffset) {
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
    ASSERT_TRUE(l->SignCheckpoint().ok());  // entry 0 was durable
  }
  std::string seg = LastSegment();
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(kSegmentHeaderSize + 8 + 2);  // inside entry 0's payload
    f.put('X');
  }
  StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(options_, dir_);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find(seg + " offset 32: entry 0"),
            std::string::npos)
      << l.status().message();
}

TEST_F(LedgerTest, RefusesToOpenALogShorterThanItsCheckpoint) {
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
    ASSERT_TRUE(l->SignCheckpoint().ok());
  }
  std::string seg = LastSegment();
  fs::resize_file(seg, fs::file_size(seg) - FrameSize(Entry(4).size()));
  StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(options_, dir_);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("signed entries are missing"),
            std::string::npos)
      << l.status().message();
}

TEST_F(LedgerTest, RebuildsADamagedHashStoreAndSaysSo) {
  InMemoryTree ref;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 40; ++i) {
      ASSERT_TRUE(l->Append(Entry(i)).ok());
      ref.Append(Entry(i));
    }
    ASSERT_TRUE(l->SignCheckpoint().ok());
  }
  fs::resize_file(dir_ + "/tree.hashes", 32 * 10);
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().events.size(), 1u);
  EXPECT_EQ(l->root(), ref.RootAt(40));
  EXPECT_EQ(*l->InclusionProof(3, 40), *InclusionProof(3, 40, ref));
}

TEST_F(LedgerTest, RemovesASegmentWhoseCreationWasTorn) {
  options_.segment_bytes = 256;
  options_.checkpoint_on_close = false;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 40; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  std::string name = dir_ + "/00000000000000000040.seg";
  {
    std::ofstream f(name, std::ios::binary);
    f << "havenlg1\x28";
  }
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().events.size(), 1u);
  EXPECT_EQ(l->size(), 40u);
  ASSERT_EQ(*l->Append("x"), 40u);
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
}

// Appends `bytes` to the file at `path`.
void AppendToFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::app | std::ios::binary);
  f << bytes;
}

// Appends `count` entries of `pad` bytes in batches of 40 with segments of
// `segment_bytes`, then checks that the segments were filled (or reserved)
// ahead and that the ledger reads, reopens and verifies whole.
void LedgerTest::AheadRoundTrip(Options::Ahead ahead, uint64_t segment_bytes,
                                size_t pad, uint64_t count) {
  options_.ahead = ahead;
  options_.segment_bytes = segment_bytes;
  InMemoryTree ref;
  {
    auto l = OpenOrDie();
    EXPECT_EQ(l->stats().reserves_ahead, ahead == Options::Ahead::kReserve);
    std::vector<std::string> batch;
    for (uint64_t i = 0; i < count; ++i) {
      batch.push_back(Entry(i) + std::string(pad, 'p'));
      ref.Append(batch.back());
      if (batch.size() == 40) {
        ASSERT_TRUE(l->AppendAll(batch).ok());
        batch.clear();
      }
    }
    if (!batch.empty()) {
      ASSERT_TRUE(l->AppendAll(batch).ok());
    }
    // At least a piece of every segment but the first.
    EXPECT_GE(l->stats().ahead_bytes,
              std::min<uint64_t>(segment_bytes, 1 << 20) * 2);
  }
  // Every segment but the first was filled ahead (at least in part), so
  // most end in fill, unless only reserved: a reservation lies past the end
  // of the file. The one being readied is gone after close.
  EXPECT_FALSE(fs::exists(dir_ + "/segment.next"));
  int segments = 0, filled = 0;
  for (const auto& e : fs::directory_iterator(dir_)) {
    if (e.path().extension() != ".seg") continue;
    ++segments;
    std::string data = *ReadFileToString(e.path().string());
    EXPECT_LE(data.size(), segment_bytes);
    if (DataEnd(data) < data.size()) ++filled;
  }
  EXPECT_GE(segments, 3);
  if (ahead == Options::Ahead::kReserve) {
    EXPECT_EQ(filled, 0);
  } else {
    EXPECT_GE(filled, segments / 2);
  }
  auto l = OpenOrDie();
  EXPECT_TRUE(l->recovery().empty()) << l->recovery().events[0];
  EXPECT_EQ(l->size(), count);
  EXPECT_EQ(l->root(), ref.RootAt(count));
  StatusOr<std::vector<std::string>> e = l->ReadEntries(0, count);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->back(), Entry(count - 1) + std::string(pad, 'p'));
  ASSERT_EQ(*l->Append("more"), count);
  l.reset();
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->summary;
  EXPECT_EQ(v->entries, count + 1);
}

TEST_F(LedgerTest, FillsTheNextSegmentAheadAndAppendsOverTheFill) {
  AheadRoundTrip(Options::Ahead::kFill, 64 << 10, 80, 6000);
}

// Segments of several fill pieces (1 MiB each): each piece is only written
// back, and the segment is synced once whole or when it is taken.
TEST_F(LedgerTest, FillsALargeSegmentPieceByPieceAndAppendsOverTheFill) {
  AheadRoundTrip(Options::Ahead::kFill, (5 << 19) + 4096, 1000, 8000);
}

TEST_F(LedgerTest, ReservesTheNextSegmentAheadAndAppendsIntoIt) {
  AheadRoundTrip(Options::Ahead::kReserve, 64 << 10, 80, 6000);
}

TEST_F(LedgerTest, ReservesALargeSegmentAtOnceAndAppendsIntoIt) {
  AheadRoundTrip(Options::Ahead::kReserve, (5 << 19) + 4096, 1000, 8000);
}

// kAuto reserves only on ext4 without a journal, and fills elsewhere.
TEST_F(LedgerTest, AutoReservesOnlyWhereNoJournalWouldCommit) {
  auto l = OpenOrDie();
  EXPECT_EQ(l->stats().reserves_ahead, OnExt4WithoutJournal(dir_));
}

TEST_F(LedgerTest, AFillTailAfterTheLastFrameIsAcceptedAndOverwritten) {
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  std::string seg = LastSegment();
  const uint64_t end = fs::file_size(seg);
  AppendToFile(seg, std::string(5 << 20, kFillByte));  // beyond max_write
  {
    auto l = OpenOrDie();
    EXPECT_TRUE(l->recovery().empty()) << l->recovery().events[0];
    EXPECT_EQ(l->size(), 5u);
    ASSERT_EQ(*l->Append("over the fill"), 5u);
  }
  std::string data = *ReadFileToString(seg);
  EXPECT_EQ(data.size(), end + (5 << 20));  // written over, not appended
  EXPECT_EQ(DataEnd(data), end + FrameSize(13));
  auto l = OpenOrDie();
  EXPECT_TRUE(l->recovery().empty());
  EXPECT_EQ(*l->ReadEntries(5, 6), std::vector<std::string>{"over the fill"});
}

TEST_F(LedgerTest, DataAfterTheFillIsAHardErrorNamingFileAndOffset) {
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  std::string seg = LastSegment();
  const uint64_t end = fs::file_size(seg);
  // A stray byte further from the end of data than two writes (4 MiB each
  // by default) can reach: no crash can leave it, so it is damage, not a
  // torn tail.
  AppendToFile(
      seg, std::string(8 << 20, kFillByte) + "x" + std::string(100, kFillByte));
  StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(options_, dir_);
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.status().code(), StatusCode::kCorruption);
  EXPECT_NE(l.status().message().find(seg + " offset " + std::to_string(end) +
                                      ": entry 5"),
            std::string::npos)
      << l.status().message();
}

// The writer writes a batch while the one before it is being synced (format
// §2.4), so a crash can leave two writes' worth of torn bytes, and no more:
// 4 MiB each with the default options.
TEST_F(LedgerTest, ATornTailReachesTwoWritesAndNoFurther) {
  options_.checkpoint_on_close = false;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  const std::string seg = LastSegment();
  const std::string data = *ReadFileToString(seg);
  const uint64_t good = data.size();
  const uint64_t two_writes = 2 * uint64_t{4 << 20};
  // One byte past two writes: damage.
  AppendToFile(seg, std::string(two_writes, kFillByte) + "x");
  StatusOr<std::unique_ptr<Ledger>> refused = Ledger::Open(options_, dir_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_NE(refused.status().message().find(seg + " offset " +
                                            std::to_string(good) + ": entry 5"),
            std::string::npos)
      << refused.status().message();
  EXPECT_EQ(fs::file_size(seg), good + two_writes + 1);  // nothing cut
  // The last byte of two writes: a torn tail, cut and reported.
  {
    std::ofstream f(seg, std::ios::binary | std::ios::trunc);
    f << data << std::string(two_writes - 1, kFillByte) << "x";
  }
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().events.size(), 1u);
  EXPECT_NE(l->recovery().events[0].find(
                "cut torn tail of " + std::to_string(two_writes) +
                " bytes at " + seg + " offset " + std::to_string(good)),
            std::string::npos)
      << l->recovery().events[0];
  EXPECT_EQ(fs::file_size(seg), good);
  EXPECT_EQ(l->size(), 5u);
}

// A write that fails (here at the file-size limit: EFBIG) breaks the ledger
// at once. That batch and every later append fail, nothing is written behind
// the failed write, and every append acknowledged before it is there on
// reopening. Batches of four, so that the writer writes one while the one
// before it is being synced.
TEST_F(LedgerTest, AFailedWriteFailsEveryLaterAppendAndLosesNoAcknowledgedOne) {
  options_.checkpoint_on_close = false;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  const std::string seg = LastSegment();
  const uint64_t limit = fs::file_size(seg) + 6000;
  const std::string acked_file = dir_ + "/acked";
  options_.max_batch_entries = 4;
  options_.min_sync_interval = std::chrono::microseconds(0);
  const std::string pad(500, 'p');
  // In a child process, which alone has the limit. It exits 0 only if all
  // holds, and writes down how many appends were acknowledged.
  auto child = [&] {
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit r{limit, limit};
    if (::setrlimit(RLIMIT_FSIZE, &r) != 0) std::_Exit(2);
    auto l = Ledger::Open(options_, dir_);
    if (!l.ok()) std::_Exit(3);
    constexpr int kCalls = 60;
    std::mutex mu;
    std::condition_variable cv;
    std::vector<std::optional<Status>> done(kCalls);
    std::vector<uint64_t> index(kCalls);
    for (int i = 0; i < kCalls; ++i) {
      (*l)->AppendAsync(Entry(5 + i) + pad, [&, i](Status s, uint64_t at) {
        std::lock_guard<std::mutex> g(mu);
        done[i] = s;
        index[i] = at;
        cv.notify_all();
      });
    }
    {
      std::unique_lock<std::mutex> g(mu);
      cv.wait(g, [&] {
        return std::all_of(done.begin(), done.end(),
                           [](const auto& d) { return d.has_value(); });
      });
    }
    // The acknowledged ones: a prefix of the calls, in order.
    int acked = 0;
    while (acked < kCalls && done[acked]->ok()) {
      if (index[acked] != 5u + acked) std::_Exit(4);
      ++acked;
    }
    for (int i = acked; i < kCalls; ++i) {
      if (done[i]->ok()) std::_Exit(5);
    }
    if (acked == 0 || acked == kCalls) std::_Exit(6);
    if (!done[acked]->message().starts_with("pwrite " + seg)) {
      std::fprintf(stderr, "%s\n", done[acked]->ToString().c_str());
      std::_Exit(7);
    }
    if ((*l)->Append("after").ok()) std::_Exit(8);
    if (fs::file_size(seg) > limit) std::_Exit(9);
    std::ofstream(acked_file) << acked;
    l->reset();
    std::exit(0);
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
  int acked = 0;
  std::ifstream(acked_file) >> acked;
  ASSERT_GT(acked, 0);
  auto l = OpenOrDie();
  ASSERT_NE(l, nullptr);
  // Every acknowledged entry, and after them at most the whole frames that
  // the failed write left, as after a crash: never a gap, never a stranger.
  const uint64_t n = l->size();
  EXPECT_GE(n, 5u + acked);
  EXPECT_LE(n, 5u + 60);
  std::vector<std::string> want;
  for (int i = 0; i < 5; ++i) want.push_back(Entry(i));
  for (uint64_t i = 5; i < n; ++i) want.push_back(Entry(i) + pad);
  EXPECT_EQ(*l->ReadEntries(0, n), want);
  ASSERT_EQ(*l->Append("after"), n);
  l.reset();
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->summary;
}

TEST_F(LedgerTest, DataAfterTheFillOfAnEarlierSegmentIsAHardError) {
  options_.segment_bytes = 4096;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 600; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }  // signs a checkpoint of all 600 on close
  std::string first = dir_ + "/00000000000000000000.seg";
  std::string data = *ReadFileToString(first);
  data.resize(DataEnd(data));
  // Its last frame overwritten with fill, as if to delete it, and put back
  // after more fill: a frame hidden behind fill.
  uint64_t last = kSegmentHeaderSize;
  while (last + FrameSize(GetFixed32(data.data() + last)) < data.size()) {
    last += FrameSize(GetFixed32(data.data() + last));
  }
  std::string frame = data.substr(last);
  data.replace(last, frame.size(), std::string(frame.size(), kFillByte));
  data += std::string(64, kFillByte) + frame;
  {
    std::ofstream f(first, std::ios::binary | std::ios::trunc);
    f << data;
  }
  const std::string at = first + " offset " + std::to_string(last);
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_NE(v->summary.find(at), std::string::npos) << v->summary;
  {
    // Sealed (the checkpoint covers it): found by the first read of it.
    auto l = OpenOrDie();
    StatusOr<std::vector<std::string>> e = l->ReadEntries(0, 600);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
    EXPECT_NE(e.status().message().find(at), std::string::npos)
        << e.status().message();
  }
  // Without a checkpoint, open reads every segment and refuses.
  fs::remove(dir_ + "/checkpoints.log");
  StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(options_, dir_);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find(at), std::string::npos)
      << l.status().message();
}

TEST_F(LedgerTest, RecoveryCutsABatchTornInsideTheFillAndReportsIt) {
  options_.checkpoint_on_close = false;
  {
    auto l = OpenOrDie();
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(l->Append(Entry(i)).ok());
  }
  std::string seg = LastSegment();
  const uint64_t good = fs::file_size(seg);
  // A batch of two frames written over fill, of which only the second page
  // reached the disk: its first page still holds fill.
  std::string batch;
  uint32_t chain = 0;
  AppendFrame(&chain, 5, std::string(5000, 'a'), &batch);
  AppendFrame(&chain, 6, std::string(3000, 'b'), &batch);
  std::string on_disk = std::string(4096, kFillByte) + batch.substr(4096);
  AppendToFile(seg, on_disk + std::string(64 << 10, kFillByte));
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);  // not yet recovered
  EXPECT_NE(v->summary.find(seg + " offset " + std::to_string(good)),
            std::string::npos)
      << v->summary;
  {
    auto l = OpenOrDie();
    ASSERT_EQ(l->recovery().events.size(), 1u);
    EXPECT_NE(l->recovery().events[0].find(
                  "cut torn tail of " + std::to_string(on_disk.size()) +
                  " bytes at " + seg + " offset " + std::to_string(good)),
              std::string::npos)
        << l->recovery().events[0];
    EXPECT_EQ(fs::file_size(seg), good);
    EXPECT_EQ(l->size(), 5u);
    ASSERT_EQ(*l->Append("after"), 5u);
  }
  v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->ok) << v->summary;
}

TEST_F(LedgerTest, ALeftoverNextSegmentIsRemovedOnOpen) {
  {
    auto l = OpenOrDie();
    ASSERT_TRUE(l->Append(Entry(0)).ok());
  }
  AppendToFile(dir_ + "/segment.next", std::string(8192, kFillByte));
  auto l = OpenOrDie();
  EXPECT_FALSE(fs::exists(dir_ + "/segment.next"));
  EXPECT_EQ(l->size(), 1u);
}

// The segment files of `dir`, in order, and the first index of each.
std::vector<std::pair<uint64_t, std::string>> Segments(const std::string& dir) {
  std::vector<std::pair<uint64_t, std::string>> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename();
    if (n.size() == 24 && n.ends_with(".seg")) {
      out.emplace_back(std::stoull(n.substr(0, 20)), e.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// A ledger of many small segments: 3000 entries in 4 KiB segments, all
// covered by the checkpoint signed on close.
class SealedLedgerTest : public LedgerTest {
 protected:
  static constexpr uint64_t kEntries = 3000;
  void SetUp() override {
    LedgerTest::SetUp();
    options_.segment_bytes = 4096;
    auto l = OpenOrDie();
    std::vector<std::string> batch;
    for (uint64_t i = 0; i < kEntries; ++i) {
      batch.push_back(Entry(i));
      ref_.Append(Entry(i));
      if (batch.size() == 37 || i + 1 == kEntries) {
        ASSERT_TRUE(l->AppendAll(batch).ok());
        batch.clear();
      }
    }
    segments_ = Segments(dir_);
    ASSERT_GE(segments_.size(), 10u);
  }

  // Flips one byte of the file at `path`.
  static void Flip(const std::string& path, uint64_t offset) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(offset);
    char c = static_cast<char>(f.get());
    f.seekp(offset);
    f.put(static_cast<char>(c ^ 0x20));
  }

  InMemoryTree ref_;
  std::vector<std::pair<uint64_t, std::string>> segments_;
};

TEST_F(SealedLedgerTest,
       OpeningReadsOnlyTheLastSegmentWhenTheCheckpointCoversAll) {
  auto l = OpenOrDie();
  EXPECT_TRUE(l->recovery().empty());
  EXPECT_EQ(l->recovery().segments_read, 1u);
  EXPECT_EQ(l->recovery().frames_read, kEntries - segments_.back().first);
  EXPECT_EQ(l->stats().sealed_segments_checked, 0u);
  EXPECT_EQ(l->size(), kEntries);
  EXPECT_EQ(l->root(), ref_.RootAt(kEntries));
}

TEST_F(SealedLedgerTest,
       OpeningReadsFromTheSegmentThatHoldsTheFirstUnsignedEntry) {
  options_.checkpoint_on_close = false;
  {
    auto l = OpenOrDie();
    for (uint64_t i = kEntries; i < kEntries + 500; ++i) {
      ASSERT_TRUE(l->Append(Entry(i)).ok());
      ref_.Append(Entry(i));
    }
  }
  std::vector<std::pair<uint64_t, std::string>> segs = Segments(dir_);
  size_t k = 0;  // the segment that holds entry kEntries
  while (k + 1 < segs.size() && segs[k + 1].first <= kEntries) ++k;
  auto l = OpenOrDie();
  EXPECT_EQ(l->recovery().segments_read, segs.size() - k);
  EXPECT_EQ(l->recovery().frames_read, kEntries + 500 - segs[k].first);
  EXPECT_EQ(l->size(), kEntries + 500);
  EXPECT_EQ(l->root(), ref_.RootAt(kEntries + 500));
  StatusOr<std::vector<std::string>> e = l->ReadEntries(0, kEntries + 500);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  for (uint64_t i = 0; i < kEntries + 500; ++i) ASSERT_EQ((*e)[i], Entry(i));
}

TEST_F(SealedLedgerTest, EntriesAndProofsAreRightAfterAFastOpen) {
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().segments_read, 1u);
  // Reads that start anywhere, inside sealed segments and across them.
  for (uint64_t from : {uint64_t{0}, uint64_t{1}, uint64_t{63}, uint64_t{64},
                        segments_[3].first - 1, segments_[3].first,
                        segments_[3].first + 65, kEntries - 1}) {
    const uint64_t to = std::min(kEntries, from + 300);
    StatusOr<std::vector<std::string>> e = l->ReadEntries(from, to);
    ASSERT_TRUE(e.ok()) << from << ": " << e.status().ToString();
    ASSERT_EQ(e->size(), to - from);
    for (uint64_t i = from; i < to; ++i) ASSERT_EQ((*e)[i - from], Entry(i));
  }
  StatusOr<std::vector<std::string>> all = l->ReadEntries(0, kEntries);
  ASSERT_TRUE(all.ok());
  for (uint64_t i = 0; i < kEntries; ++i) ASSERT_EQ((*all)[i], Entry(i));
  // Each sealed segment was checked once, by its first read.
  EXPECT_EQ(l->stats().sealed_segments_checked, segments_.size() - 1);
  for (uint64_t i = 0; i < kEntries; i += 97) {
    StatusOr<TlogProof> p = l->Prove(i);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(VerifyTlogProof(*p, Entry(i), l->verifier()).ok());
    EXPECT_EQ(*l->InclusionProof(i, kEntries),
              *InclusionProof(i, kEntries, ref_));
  }
  ASSERT_EQ(*l->Append("more"), kEntries);
  EXPECT_EQ(*l->ReadEntries(kEntries - 1, kEntries + 1),
            (std::vector<std::string>{Entry(kEntries - 1), "more"}));
}

TEST_F(SealedLedgerTest, ConcurrentFirstReadsCheckEachSealedSegmentOnce) {
  auto l = OpenOrDie();
  std::vector<std::thread> ts;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (uint64_t from = t * 7; from < kEntries; from += 211) {
        const uint64_t to = std::min(kEntries, from + 150);
        StatusOr<std::vector<std::string>> e = l->ReadEntries(from, to);
        if (!e.ok() || e->size() != to - from || (*e)[0] != Entry(from)) {
          failures.fetch_add(1);
        }
      }
    });
  }
  ts.emplace_back([&] {
    for (int i = 0; i < 200; ++i) {
      if (!l->Append("during").ok()) failures.fetch_add(1);
    }
  });
  for (auto& t : ts) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(l->stats().sealed_segments_checked, segments_.size() - 1);
}

TEST_F(SealedLedgerTest,
       DamageInASealedSegmentIsReportedAtReadWithFileAndOffset) {
  const std::string& seg = segments_[2].second;
  Flip(seg, kSegmentHeaderSize + 8 + 2);  // inside its first entry
  const std::string at =
      seg + " offset 32: entry " + std::to_string(segments_[2].first);
  {
    auto l = OpenOrDie();  // its frames are not read
    EXPECT_TRUE(l->recovery().empty());
    for (int round = 0; round < 2; ++round) {  // and again, the same error
      StatusOr<std::vector<std::string>> e =
          l->ReadEntries(segments_[2].first + 5, segments_[2].first + 6);
      ASSERT_FALSE(e.ok());
      EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
      EXPECT_NE(e.status().message().find(at), std::string::npos)
          << e.status().message();
    }
    // A read across it fails too; reads of other segments, proofs and
    // appends go on.
    EXPECT_FALSE(l->ReadEntries(0, kEntries).ok());
    EXPECT_EQ(*l->ReadEntries(0, 1), std::vector<std::string>{Entry(0)});
    EXPECT_EQ(*l->ReadEntries(kEntries - 1, kEntries),
              std::vector<std::string>{Entry(kEntries - 1)});
    EXPECT_TRUE(l->Prove(segments_[2].first).ok());
    ASSERT_EQ(*l->Append("more"), kEntries);
  }
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
  EXPECT_NE(v->summary.find(seg + " offset 32"), std::string::npos)
      << v->summary;
}

TEST_F(SealedLedgerTest, AMissingSealedSegmentIsReportedAtReadAndByVerify) {
  fs::remove(segments_[4].second);
  auto l = OpenOrDie();
  StatusOr<std::vector<std::string>> e = l->ReadEntries(0, kEntries);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kCorruption);
  EXPECT_NE(e.status().message().find(segments_[3].second + " offset "),
            std::string::npos)
      << e.status().message();
  EXPECT_NE(e.status().message().find("entries are missing"), std::string::npos)
      << e.status().message();
  l.reset();
  StatusOr<VerifyResult> v = VerifyLedger(dir_, {});
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->ok);
}

TEST_F(SealedLedgerTest, ASealedSegmentWhoseChainDoesNotGoOnIsReportedAtRead) {
  // Segment 5's header, rewritten (with a good CRC) to continue another
  // chain: its own frames and the link from segment 4 no longer check.
  std::string data = *ReadFileToString(segments_[5].second);
  SegmentHeader h;
  ASSERT_TRUE(DecodeSegmentHeader(data, kSegmentMagic, &h).ok());
  h.prev_chain ^= 1;
  EncodeSegmentHeader(h, data.data());
  {
    std::ofstream f(segments_[5].second, std::ios::binary | std::ios::trunc);
    f << data;
  }
  auto l = OpenOrDie();
  StatusOr<std::vector<std::string>> e =
      l->ReadEntries(segments_[4].first, segments_[4].first + 1);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(
                segments_[5].second +
                " offset 0: segment does not continue the chain"),
            std::string::npos)
      << e.status().message();
  e = l->ReadEntries(segments_[5].first, segments_[5].first + 1);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find(segments_[5].second + " offset 32"),
            std::string::npos)
      << e.status().message();
}

TEST_F(SealedLedgerTest, ABrokenHeaderOfASealedSegmentStillFailsTheOpen) {
  Flip(segments_[1].second, 3);  // the magic
  StatusOr<std::unique_ptr<Ledger>> l = Ledger::Open(options_, dir_);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find(segments_[1].second + " offset 0"),
            std::string::npos)
      << l.status().message();
}

TEST_F(SealedLedgerTest, RecoveryStillCutsATornTailInTheLastSegment) {
  options_.checkpoint_on_close = false;
  const std::string& seg = segments_.back().second;
  // Half of a frame over the fill that follows the last frame.
  const uint64_t good = DataEnd(*ReadFileToString(seg));
  {
    std::string frame;
    uint32_t chain = 0;
    AppendFrame(&chain, kEntries, "half-written entry", &frame);
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(good);
    f << frame.substr(0, 12);
  }
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().events.size(), 1u);
  EXPECT_NE(l->recovery().events[0].find("cut torn tail of 12 bytes at " + seg +
                                         " offset " + std::to_string(good)),
            std::string::npos)
      << l->recovery().events[0];
  EXPECT_EQ(l->recovery().segments_read, 1u);
  EXPECT_EQ(fs::file_size(seg), good);
  ASSERT_EQ(*l->Append("after"), kEntries);
  EXPECT_EQ(*l->ReadEntries(0, 1), std::vector<std::string>{Entry(0)});
}

TEST_F(SealedLedgerTest,
       AHashStoreThatDoesNotReproduceTheCheckpointMakesOpenReadAll) {
  fs::resize_file(dir_ + "/tree.hashes", 32 * 10);
  auto l = OpenOrDie();
  ASSERT_EQ(l->recovery().events.size(), 1u);
  EXPECT_NE(l->recovery().events[0].find("rebuilt from the entries"),
            std::string::npos);
  EXPECT_EQ(l->recovery().segments_read, segments_.size());
  EXPECT_EQ(l->recovery().frames_read, kEntries);
  EXPECT_EQ(l->root(), ref_.RootAt(kEntries));
  EXPECT_EQ(*l->InclusionProof(1234, kEntries),
            *InclusionProof(1234, kEntries, ref_));
  EXPECT_EQ(l->ReadEntries(0, kEntries)->back(), Entry(kEntries - 1));
  EXPECT_EQ(l->stats().sealed_segments_checked, 0u);
}

TEST_F(LedgerTest, RejectsEntriesOverOneMebibyte) {
  auto l = OpenOrDie();
  EXPECT_EQ(l->Append(std::string(kMaxEntrySize + 1, 'x')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(l->Append(std::string(kMaxEntrySize, 'x')).ok());
}

}  // namespace
}  // namespace haven::ledger
