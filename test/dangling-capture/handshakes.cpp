// A detached thread that refers to a local is not dangling when the scope
// waits, before the local dies, for a signal the thread gives after its last
// use of it. Uses after the signal, and waits that can time out, still
// dangle.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17

#include <boost/thread/latch.hpp>
#include <gsl/gsl>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

int waitsForPromise() {
  int n = 0;
  std::promise<void> p;
  std::future<void> f = p.get_future();
  std::thread([&n, &p] {
    n = 42;
    p.set_value();
  }).detach();
  f.wait();
  return n;
}

int usesAfterSignal() {
  int n = 0;
  std::promise<void> p;
  std::future<void> f = p.get_future();
  std::thread([&n, &p] {
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([n, &p]() mutable {{{$}}
    p.set_value();
    n = 42;
  }).detach();
  f.wait();
  return n;
}

int waitsForLatch() {
  int n = 0;
  boost::latch done(1);
  std::thread([&] {
    n = 42;
    done.count_down();
  }).detach();
  done.wait();
  return n;
}

int neverWaits() {
  int n = 0;
  auto done = std::make_shared<boost::latch>(1);
  std::thread([&n, done] {
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([n, done]() mutable {{{$}}
    n = 42;
    done->count_down();
  }).detach();
  return n;
}

int timedWait() {
  int n = 0;
  std::promise<void> p;
  std::future<void> f = p.get_future();
  std::thread([&n, &p] {
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-MESSAGES: :[[@LINE-2]]:21: warning: detached thread captures 'p' by reference; 'p' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([n, &p]() mutable {{{$}}
    n = 42;
    p.set_value();
  }).detach();
  f.wait_for(std::chrono::milliseconds(5));
  return n;
}

// The wait is in a scope-exit guard declared after the local: it runs
// before the local dies.
void guardWaits(int &out) {
  int scratch = 0;
  auto g = gsl::finally([&scratch, &out] {
    std::promise<void> p;
    std::future<void> f = p.get_future();
    std::thread([&scratch, &out, p = std::move(p)]() mutable {
      scratch = 1;
      p.set_value();
    }).detach();
    f.wait();
    out = scratch;
  });
}

// The local's block ends before the wait.
void waitsTooLate() {
  std::promise<void> p;
  std::future<void> f = p.get_future();
  {
    int n = 0;
    std::thread([&n, &p] {
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
    // CHECK-FIXES: {{^}}    std::thread([n, &p]() mutable {{{$}}
      n = 1;
      p.set_value();
    }).detach();
  }
  f.wait();
}
