// The thread runs a function object: its operator() writes through a pointer
// member that the caller's object was bound to when the functor was made.
// The guard's thread is still writing when the caller serializes. The fix
// joins the thread.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: \[42\]

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

struct Journal {
  std::vector<int> entries;
};

struct Flusher {
  Journal *journal;
  void operator()() const {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    journal->entries.push_back(42);
  }
};

void append(Journal &journal) {
  auto flush = gsl::finally(
      [&journal] { std::thread(Flusher{&journal}).detach(); }); // warn: defer-race-detached-mutation
}

int main() {
  static Journal journal;
  append(journal);
  std::cout << nlohmann::json(journal.entries).dump() << "\n"; // warn: defer-race-serialize-shared
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
