// A game engine's job system: frame() posts the end-of-frame statistics job
// from a scope guard, and the caller serializes the stats right after. The
// job runs on a worker thread of the engine's own pool, which nothing names
// in any configuration: defer-race recognises the pool by what it does (the
// job is stored in a queue that a worker thread takes from and runs).
//
// sanitizer: thread
// problem: yes
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <condition_variable>
#include <deque>
#include <functional>
#include <iostream>
#include <mutex>
#include <thread>
#include <vector>

class JobSystem {
public:
  explicit JobSystem(int workers) {
    for (int i = 0; i < workers; ++i)
      threads_.emplace_back([this] { work(); });
  }
  void Submit(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
    ready_.notify_one();
  }

private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        ready_.wait(lock, [this] { return !jobs_.empty(); });
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      job();
    }
  }
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
};

JobSystem &Jobs() {
  static JobSystem *jobs = new JobSystem(2);
  return *jobs;
}

struct FrameStats {
  int frame = 0;
  int drawCalls = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FrameStats, frame, drawCalls)

void frame(FrameStats &stats) {
  auto flush = gsl::finally([&stats] {
    Jobs().Submit([&stats] { stats.drawCalls += 40; }); // warn: defer-race-detached-mutation
  });
  ++stats.frame;
}

int main() {
  FrameStats &stats = *new FrameStats;
  for (int i = 0; i < 20; ++i) {
    frame(stats);
    std::cout << nlohmann::json(stats).dump() << "\n"; // warn: defer-race-serialize-shared
  }
}
