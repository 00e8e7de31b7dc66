// Race: the detached thread writes under a reader lock (std::shared_lock),
// which two threads can hold at once, so the caller's read under its own
// reader lock is not ordered with the write.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: (?m)^1$

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <shared_mutex>
#include <thread>

struct Counter {
  std::shared_mutex mu;
  int hits = 0;
};

void touch(Counter &c) {
  auto bump = gsl::finally([&c] {
    std::thread([&c] {
      std::shared_lock<std::shared_mutex> lock(c.mu);
      ++c.hits;
    }).detach(); // warn: defer-race-detached-mutation
  });
}

int main() {
  static Counter c;
  touch(c);
  std::shared_lock<std::shared_mutex> lock(c.mu);
  std::cout << nlohmann::json(c.hits).dump() << "\n"; // warn: defer-race-serialize-shared
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
