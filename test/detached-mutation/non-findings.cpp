// What the check must stay silent about. Each function here differs from a
// finding elsewhere in this directory by the one thing that makes it safe.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <atomic>
#include <iostream>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

struct Response {
  std::string log;
  std::atomic<int> hits{0};
  std::mutex mu;
};

std::mutex g_mu;

// The thread only reads.
void readsOnly(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { std::string copy = res.log; (void)copy; }).detach();
  });
}

// The thread writes its own copy.
void ownCopy(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([log = res.log]() mutable { log += "done"; }).detach();
  });
}

void ownCopyByValue(Response &res) {
  auto g = gsl::finally([&res] {
    std::string log = res.log;
    std::thread([log]() mutable { log += "done"; }).detach();
  });
}

void movedIn(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([log = std::move(res.log)]() mutable { log += "x"; }).detach();
  });
}

// The thread writes its own locals.
void ownLocals(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([] {
      std::string local;
      local = "done";
    }).detach();
  });
}

// Atomics.
void atomicWrite(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.hits.fetch_add(1); }).detach();
  });
}

void atomicStore(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.hits = 3; }).detach();
  });
}

// Writes under a lock.
void lockGuard(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      std::lock_guard<std::mutex> lock(res.mu);
      res.log = "done";
    }).detach();
  });
}

void uniqueLock(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      std::unique_lock<std::mutex> lock(g_mu);
      res.log = "done";
    }).detach();
  });
}

void scopedLock(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      std::scoped_lock lock(res.mu, g_mu);
      res.log = "done";
    }).detach();
  });
}

void lockedByHand(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      res.mu.lock();
      res.log = "done";
      res.mu.unlock();
    }).detach();
  });
}

// Automatic variables of the ending scope dangle: that is
// defer-race-dangling-capture's finding, not this one's.
void automaticVariable() {
  std::string log;
  auto g = gsl::finally([&log] {
    std::thread([&log] { log = "done"; }).detach();
  });
}

// Passed to a function whose body we cannot see: it may only read.
void inspect(Response &r);
void opaqueCallee(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { inspect(res); }).detach();
  });
}

// A C++ file that does not use threads at all has nothing to say.
void noThread(Response &res) {
  auto g = gsl::finally([&res] { res.log = "done"; });
}

// The standard streams are synchronised: writing to std::cout from a
// detached thread is not a data race.
void standardStream() {
  auto g = gsl::finally([] {
    std::thread([] { std::cout << "done\n"; }).detach();
  });
}
