#include "base/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace haven {
namespace {

TEST(WorkerPool, RunsEveryJobPostedFromManyThreads) {
  std::atomic<int> done{0};
  WorkerPool pool(3);
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&] {
      for (int i = 0; i < 5000; ++i) {
        ASSERT_TRUE(pool.Post([&] { done.fetch_add(1); }));
        if (i % 512 == 0) std::this_thread::yield();
      }
    });
  }
  for (auto& t : posters) t.join();
  pool.Join();
  EXPECT_EQ(done.load(), 20000);
}

TEST(WorkerPool, JoinRunsWhatIsQueuedThenRefusesMore) {
  std::atomic<int> done{0};
  WorkerPool pool(1);
  // The first job holds the only worker while the rest queue up behind it.
  std::binary_semaphore release{0};
  ASSERT_TRUE(pool.Post([&] {
    release.acquire();
    done.fetch_add(1);
  }));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(pool.Post([&] { done += 1; }));
  std::thread joiner([&] { pool.Join(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  release.release();
  joiner.join();
  EXPECT_EQ(done.load(), 101);
  EXPECT_FALSE(pool.Post([&] { done += 1000; }));
  pool.Join();  // again: a no-op
  EXPECT_EQ(done.load(), 101);
}

TEST(WorkerPool, EveryWorkerTakesJobsWhenJobsBlock) {
  // Four jobs that each wait for all four to have started can only finish
  // if four distinct workers run them at once: a pool that left a sleeping
  // worker unwoken would hang here.
  constexpr int kThreads = 4;
  WorkerPool pool(kThreads);
  std::mutex mu;
  std::set<std::thread::id> ids;
  std::atomic<int> started{0};
  for (int i = 0; i < kThreads; ++i) {
    ASSERT_TRUE(pool.Post([&] {
      {
        std::lock_guard<std::mutex> l(mu);
        ids.insert(std::this_thread::get_id());
      }
      started.fetch_add(1);
      while (started.load() < kThreads) std::this_thread::yield();
    }));
  }
  pool.Join();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads));
}

TEST(WorkerPool, SleepingWorkersWakeForLaterJobs) {
  std::atomic<int> done{0};
  WorkerPool pool(2);
  for (int round = 0; round < 50; ++round) {
    // Let every worker fall asleep, then post again.
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    ASSERT_TRUE(pool.Post([&] { done.fetch_add(1); }));
    ASSERT_TRUE(pool.Post([&] { done.fetch_add(1); }));
    for (int spin = 0; done.load() < 2 * (round + 1) && spin < 20000; ++spin) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
    ASSERT_EQ(done.load(), 2 * (round + 1)) << "round " << round;
  }
}

TEST(WorkerPool, AtLeastOneThread) {
  std::atomic<int> done{0};
  WorkerPool pool(0);
  ASSERT_TRUE(pool.Post([&] { done = 1; }));
  pool.Join();
  EXPECT_EQ(done.load(), 1);
}

}  // namespace
}  // namespace haven
