// WorkerPool: a fixed set of threads running posted jobs in arrival order.
//
//   WorkerPool pool(4);
//   pool.Post([] { ... });   // from any thread
//   pool.Join();             // runs what is queued, then ends the threads
//
// Made for a server's request pipeline, where every job is short and jobs
// arrive from network threads: a job wakes at most one sleeping worker,
// the one that went to sleep last (its cache is warmest; the others stay
// asleep), and a worker that finds more jobs queued wakes no one — it
// takes the next itself. (boost::asio::thread_pool wakes a further thread
// whenever work remains, which on a loaded two-core machine costs several
// futex calls and context switches per job.)
//
// Thread-safe. Post after Join is refused (returns false, the job is
// dropped unrun). The destructor joins.
#ifndef HAVEN_BASE_WORKER_POOL_H_
#define HAVEN_BASE_WORKER_POOL_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace haven {

class WorkerPool {
 public:
  // `name` names the threads for top -H and gdb (at most 15 bytes; the
  // kernel cuts it there).
  explicit WorkerPool(int threads, const char* name = "worker");
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `job`; false (and `job` dropped) once Join has begun.
  bool Post(std::function<void()> job);

  // Refuses new jobs, runs every job already queued, then ends the
  // threads. Idempotent.
  void Join();

 private:
  struct Worker {
    // Set (under mu_) by whoever takes this worker off sleeping_. A condition
    // variable rather than a semaphore: libstdc++'s semaphore spins with
    // sched_yield before it sleeps, system calls a loaded machine pays for.
    bool woken = false;
    std::condition_variable cv;
    std::thread thread;
  };
  void Loop(Worker* self);

  std::mutex mu_;
  std::deque<std::function<void()>> jobs_;  // guarded by mu_
  std::vector<Worker*> sleeping_;           // guarded by mu_; last = newest
  bool stopping_ = false;                   // guarded by mu_
  std::vector<std::unique_ptr<Worker>> workers_;  // until the destructor
  std::mutex join_mu_;
};

}  // namespace haven

#endif  // HAVEN_BASE_WORKER_POOL_H_
