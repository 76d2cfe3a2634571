// src/cli/ordered_pipeline.h: bounded parallel work with in-order results, for the
// manifest tools: one thread produces jobs, `workers` threads run them, and each finished
// job is committed in the order it was pushed (so output files and checkpoints advance
// like the input), as soon as it and all before it are done, even while the producer
// waits on a slow input (a pipe). At most `max_in_flight` jobs exist at once: memory stays
// bounded whatever the manifest's size.
//
// Commits run on the worker threads, one at a time and in order; state that only commits
// touch needs no lock, but anything the producer also reads (a stop flag) must be atomic.
#pragma once

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace dcc::cli {

template <typename Job>
class OrderedPipeline {
 public:
  // work(worker_index, job) runs on a worker thread; worker_index lets each worker keep its
  // own Client. commit(job) runs in push order, never two at once.
  OrderedPipeline(int workers, size_t max_in_flight, std::function<void(int, Job&)> work,
                  std::function<void(Job&)> commit)
      : work_(std::move(work)), commit_(std::move(commit)), max_in_flight_(std::max<size_t>(max_in_flight, 1)) {
    for (int i = 0; i < std::max(workers, 1); ++i) threads_.emplace_back([this, i] { Loop(i); });
  }
  ~OrderedPipeline() { Finish(); }

  // Blocks while max_in_flight jobs are not yet committed.
  void Push(Job job) {
    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(lock, [&] { return slots_.size() < max_in_flight_; });
    slots_.push_back(std::make_unique<Slot>(Slot{std::move(job), false}));
    pending_.push_back(slots_.back().get());
    work_cv_.notify_one();
  }

  // Waits until every job is committed, then stops the workers. Idempotent.
  void Finish() {
    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(lock, [&] { return slots_.empty() && !committing_; });
    stop_ = true;
    work_cv_.notify_all();
    lock.unlock();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

 private:
  struct Slot {
    Job job;
    bool done;
  };

  void Loop(int index) {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      work_cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
      if (pending_.empty()) return;
      Slot* slot = pending_.front();
      pending_.pop_front();
      lock.unlock();
      work_(index, slot->job);
      lock.lock();
      slot->done = true;
      // Whoever finds the front done commits it and what follows, unless another worker
      // is already doing so (it will see this slot when it looks again).
      while (!committing_ && !slots_.empty() && slots_.front()->done) {
        committing_ = true;
        std::unique_ptr<Slot> front = std::move(slots_.front());
        slots_.pop_front();
        lock.unlock();
        commit_(front->job);
        lock.lock();
        committing_ = false;
        space_cv_.notify_all();
      }
    }
  }

  std::function<void(int, Job&)> work_;
  std::function<void(Job&)> commit_;
  size_t max_in_flight_;
  std::mutex mu_;
  std::condition_variable work_cv_, space_cv_;
  std::deque<std::unique_ptr<Slot>> slots_;
  std::deque<Slot*> pending_;
  bool committing_ = false;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace dcc::cli
