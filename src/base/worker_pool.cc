#include "base/worker_pool.h"

#include <pthread.h>

#include <utility>

namespace haven {

WorkerPool::WorkerPool(int threads, const char* name) {
  if (threads < 1) threads = 1;
  for (int i = 0; i < threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
  for (auto& w : workers_) {
    Worker* self = w.get();
    w->thread = std::thread([this, self] { Loop(self); });
    pthread_setname_np(w->thread.native_handle(), name);
  }
}

WorkerPool::~WorkerPool() { Join(); }

bool WorkerPool::Post(std::function<void()> job) {
  Worker* wake = nullptr;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stopping_) return false;
    jobs_.push_back(std::move(job));
    // Invariant: a worker is in sleeping_ only while it waits with no job
    // in hand, so waking one here is the only wake this job needs; if none
    // sleeps, every worker looks at jobs_ before it next sleeps.
    if (!sleeping_.empty()) {
      wake = sleeping_.back();
      sleeping_.pop_back();
      wake->woken = true;
    }
  }
  // Notified outside the lock, so that the worker does not wake only to
  // wait for mu_. Workers live until the destructor, so `wake` is valid
  // even if Join has begun meanwhile.
  if (wake != nullptr) wake->cv.notify_one();
  return true;
}

void WorkerPool::Loop(Worker* self) {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (!jobs_.empty()) {
      std::function<void()> job = std::move(jobs_.front());
      jobs_.pop_front();
      l.unlock();
      job();
      job = nullptr;  // destroyed outside the lock
      l.lock();
      continue;
    }
    // Once stopping_ is set no worker sleeps again: Join has woken those
    // that slept, and the queue can only shrink.
    if (stopping_) return;
    sleeping_.push_back(self);
    self->cv.wait(l, [self] { return self->woken; });
    self->woken = false;
  }
}

void WorkerPool::Join() {
  std::lock_guard<std::mutex> join(join_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_ = true;
    for (Worker* w : sleeping_) {
      w->woken = true;
      w->cv.notify_one();
    }
    sleeping_.clear();
  }
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
}

}  // namespace haven
