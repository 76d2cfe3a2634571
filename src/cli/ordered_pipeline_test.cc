#include "cli/ordered_pipeline.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <random>

namespace dcc::cli {
namespace {

struct Job {
  int seq = 0;
  int worker = -1;
  int result = 0;
};

// Jobs finish out of order (random sleeps on 4 workers); commits still come in push order,
// and no more than max_in_flight jobs exist at once.
TEST(OrderedPipeline, CommitsInPushOrderWithBoundedJobs) {
  std::atomic<int> in_flight{0}, peak{0};
  std::vector<int> committed;
  {
    OrderedPipeline<Job> p(
        4, 6,
        [&](int w, Job& j) {
          int now = ++in_flight;
          int old = peak.load();
          while (now > old && !peak.compare_exchange_weak(old, now)) {}
          thread_local std::mt19937 rng(w + 1);
          std::this_thread::sleep_for(std::chrono::microseconds(rng() % 2000));
          j.worker = w;
          j.result = j.seq * 2;
          --in_flight;
        },
        [&](Job& j) {
          EXPECT_EQ(j.result, j.seq * 2);
          committed.push_back(j.seq);
        });
    for (int i = 0; i < 200; ++i) p.Push(Job{i});
    p.Finish();
  }
  ASSERT_EQ(committed.size(), 200u);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(committed[i], i);
  EXPECT_LE(peak.load(), 4);
}

TEST(OrderedPipeline, FinishWithNothingPushedAndTwice) {
  int commits = 0;
  OrderedPipeline<Job> p(2, 2, [](int, Job&) {}, [&](Job&) { ++commits; });
  p.Finish();
  p.Finish();
  EXPECT_EQ(commits, 0);
}

}  // namespace
}  // namespace dcc::cli
