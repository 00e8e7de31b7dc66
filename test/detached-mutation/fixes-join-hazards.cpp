// A join where the guard runs must return. No join is offered, and a note
// says why, when the thread loops until other code stops it, waits for a
// signal, or takes a lock that the guard's owner (or its caller) still holds
// when the guard runs. Each hazard has a twin where the join is safe.
//
// RUN: %check_defer_race --fix-notes %s defer-race-detached-mutation %t -- -- -std=c++17
// RUN: %clang_tidy --load=%loader --checks=-*,defer-race-detached-mutation %s -- -std=c++17 2>&1 | FileCheck %s --check-prefix=WHY --implicit-check-not="no fix:"
// With PreferredFix: copy the warning carries the copy: the note says "no join".
// RUN: %clang_tidy --load=%loader --checks=-*,defer-race-detached-mutation %s '--config={CheckOptions: [{key: defer-race-detached-mutation.PreferredFix, value: copy}]}' -- -std=c++17 2>&1 | FileCheck %s --check-prefix=COPY --implicit-check-not="no fix:"
// COPY: :[[@LINE+95]]:7: note: no join: waiting for the thread where the guard runs could block forever: it loops here until other code changes what it reads

#include <gsl/gsl>

#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

struct Response {
  std::string log;
  int count = 0;
};

std::mutex m;
int audited = 0; // guarded by m

// The owner holds m when the guard runs: joining would wait for the thread,
// which waits for m.
void ownerHoldsLock(Response &res) {
  std::lock_guard<std::mutex> lock(m);
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      {
        std::lock_guard<std::mutex> inner(m);
        ++audited;
      }
      res.log = "done";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'ownerHoldsLock' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-8]]:9: note: no fix: waiting for the thread where the guard runs could block forever: it takes a lock here that 'ownerHoldsLock' may still hold when the guard runs

// Twin: the lock is released before the guard's scope ends.
void ownerReleasedLock(Response &res) {
  {
    std::lock_guard<std::mutex> lock(m);
    res.count = 1;
  }
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      {
        std::lock_guard<std::mutex> inner(m);
        ++audited;
      }
      res.log = "done";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'ownerReleasedLock' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// A lock_guard declared after the guard is destroyed before it runs.
void lockAfterGuard(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      {
        std::lock_guard<std::mutex> inner(m);
        ++audited;
      }
      res.log = "done";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'lockAfterGuard' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
  std::lock_guard<std::mutex> lock(m);
  res.count = 2;
}

// The caller holds m around the call: the guard runs under it.
void calledUnderLock(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      m.lock();
      ++audited;
      m.unlock();
      res.log = "done";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'calledUnderLock' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-8]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it takes a lock here that 'callsUnderLock' may still hold when the guard runs
void callsUnderLock(Response &res) {
  std::unique_lock<std::mutex> lock(m);
  calledUnderLock(res);
}

// A poller: it runs until other code sets the flag, which happens after the
// function returned.
void poller(Response &res, std::atomic<bool> &stop) {
  auto g = gsl::finally([&res, &stop] {
    std::thread([&res, &stop] {
      while (!stop.load())
        res.count++;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.count' after 'poller' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-6]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it loops here until other code changes what it reads

// The same poller, written with an exit in the body.
void pollerBreak(Response &res, std::atomic<bool> &stop) {
  auto g = gsl::finally([&res, &stop] {
    std::thread([&res, &stop] {
      for (;;) {
        if (stop)
          break;
        res.count++;
      }
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.count' after 'pollerBreak' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-9]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it loops here until other code changes what it reads

// Twin: a loop that ends by itself.
void counted(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      for (int i = 0; i < 3; ++i)
        res.count++;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.count' after 'counted' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// Twin: the thread drains what it reads itself.
void drains(Response &res, std::string &pending) {
  auto g = gsl::finally([&res, &pending] {
    std::thread([&res, &pending] {
      while (!pending.empty()) {
        res.log += pending.back();
        pending.pop_back();
      }
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'drains' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}

// A wait for a future that later code fulfils.
void waitsForFuture(Response &res, std::shared_future<void> go) {
  auto g = gsl::finally([&res, go] {
    std::thread([&res, go] {
      go.wait();
      res.log = "go";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'waitsForFuture' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-6]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it waits here for a signal that other code gives

// A wait hidden in a helper the thread calls.
std::condition_variable cv;
bool ready = false;
void awaitReady() {
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [] { return ready; });
}
void waitsInHelper(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      awaitReady();
      res.log = "ready";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'waitsInHelper' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-6]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it waits here for a signal that other code gives

// An endless loop.
void endless(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      for (;;)
        res.count++;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.count' after 'endless' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-6]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it loops here without end

// A break inside a switch ends the switch, not the loop around it.
void breakEndsSwitch(Response &res, int &mode) {
  auto g = gsl::finally([&res, &mode] {
    std::thread([&res, &mode] {
      for (;;) {
        switch (mode) {
        case 1:
          res.count++;
          break;
        default:
          break;
        }
      }
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.count' after 'breakEndsSwitch' returns [defer-race-detached-mutation]
  });
}
// WHY: :[[@LINE-13]]:7: note: no fix: waiting for the thread where the guard runs could block forever: it loops here without end

// Twin: a loop that returns from inside an if ends when its own counter
// says so.
void returnsWhenDone(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      int left = 3;
      while (true) {
        if (--left == 0)
          return;
        res.count++;
      }
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.count' after 'returnsWhenDone' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}
