// A join that would never return: the guard starts a poller that runs until
// main() sets the stop flag, which happens only after pump() returned. Joining
// it where the guard runs would wait forever, so defer-race offers no fix, and
// says why in a note. Both ways of applying fixes leave the file as it is.
//
// sanitizer: thread
// problem: yes
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Stats {
  std::string source = "pump";
  long polls = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Stats, source, polls)

std::atomic<bool> stop{false};

void pump(Stats &stats) {
  auto cleanup = gsl::finally([&stats] {
    std::thread([&stats] {
      while (!stop.load()) {
        ++stats.polls;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }).detach(); // warn: defer-race-detached-mutation
  });
}

int main() {
  static Stats stats;
  pump(stats);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::cout << nlohmann::json(stats).dump() << "\n"; // warn: defer-race-serialize-shared
  stop = true;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
}
