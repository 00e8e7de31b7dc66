// Safe twin: the detached thread only touches an atomic counter, and the
// caller serializes the counter's value.
//
// sanitizer: thread
// problem: no
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

struct Stats {
  std::atomic<int> requests{0};
};

void handle(Stats &stats) {
  auto cleanup = gsl::finally([&stats] {
    std::thread([&stats] { stats.requests.fetch_add(1); }).detach();
  });
}

void report(Stats &stats) {
  handle(stats);
  std::cout << nlohmann::json(stats.requests.load()).dump() << "\n";
}

int main() {
  static Stats stats;
  report(stats);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
