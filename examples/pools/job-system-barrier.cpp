// Safe twin of job-system.cpp: the engine waits at a frame barrier
// (EndFrame() blocks until the queue is empty and no job runs) before it
// serializes the stats. defer-race recognises the barrier by what it does:
// a call on the same pool that waits for a signal the workers give.
//
// sanitizer: thread
// problem: no
// fix: none
// expect: "drawCalls":800,"frame":20

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
  void EndFrame() {
    std::unique_lock<std::mutex> lock(mu_);
    idle_.wait(lock, [this] { return jobs_.empty() && running_ == 0; });
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
        ++running_;
      }
      job();
      std::lock_guard<std::mutex> lock(mu_);
      --running_;
      idle_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable ready_, idle_;
  std::deque<std::function<void()>> jobs_;
  int running_ = 0;
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
    Jobs().Submit([&stats] { stats.drawCalls += 40; });
  });
  ++stats.frame;
}

int main() {
  FrameStats &stats = *new FrameStats;
  for (int i = 0; i < 20; ++i) {
    frame(stats);
    Jobs().EndFrame();
  }
  std::cout << nlohmann::json(stats).dump() << "\n";
}
