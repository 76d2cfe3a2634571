// src/cli/ordered_pipeline.h: bounded parallel work with in-order results, for the
// manifest tools: the calling thread produces jobs and commits finished ones in the order
// it produced them (so output files and checkpoints advance in input order), while
// `workers` threads run them. At most `max_in_flight` jobs exist at once: memory stays
// bounded whatever the manifest's size.
#pragma once

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
  // own Client. commit(job) runs on the producing thread, in production order.
  OrderedPipeline(int workers, size_t max_in_flight, std::function<void(int, Job&)> work,
                  std::function<void(Job&)> commit)
      : work_(std::move(work)), commit_(std::move(commit)), max_in_flight_(std::max<size_t>(max_in_flight, 1)) {
    for (int i = 0; i < std::max(workers, 1); ++i) threads_.emplace_back([this, i] { Loop(i); });
  }
  ~OrderedPipeline() { Finish(); }

  void Push(Job job) {
    std::unique_lock<std::mutex> lock(mu_);
    while (slots_.size() >= max_in_flight_) CommitFront(lock, /*wait=*/true);
    slots_.push_back(std::make_unique<Slot>(Slot{std::move(job), false}));
    pending_.push_back(slots_.back().get());
    work_cv_.notify_one();
    while (!slots_.empty() && slots_.front()->done) CommitFront(lock, false);
  }

  // Waits for every job, commits the rest, stops the workers. Idempotent.
  void Finish() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!slots_.empty()) CommitFront(lock, true);
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

  void CommitFront(std::unique_lock<std::mutex>& lock, bool wait) {
    if (wait) done_cv_.wait(lock, [&] { return slots_.front()->done; });
    std::unique_ptr<Slot> slot = std::move(slots_.front());
    slots_.pop_front();
    lock.unlock();
    commit_(slot->job);
    lock.lock();
  }

  void Loop(int index) {
    for (;;) {
      Slot* slot;
      {
        std::unique_lock<std::mutex> lock(mu_);
        work_cv_.wait(lock, [&] { return stop_ || !pending_.empty(); });
        if (pending_.empty()) return;
        slot = pending_.front();
        pending_.pop_front();
      }
      work_(index, slot->job);
      std::lock_guard<std::mutex> lock(mu_);
      slot->done = true;
      done_cv_.notify_all();
    }
  }

  std::function<void(int, Job&)> work_;
  std::function<void(Job&)> commit_;
  size_t max_in_flight_;
  std::mutex mu_;
  std::condition_variable work_cv_, done_cv_;
  std::deque<std::unique_ptr<Slot>> slots_;
  std::deque<Slot*> pending_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace dcc::cli
