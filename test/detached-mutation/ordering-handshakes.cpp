// Handshakes order a detached write: the guard, or the caller, waits for a
// signal the thread gives after writing. Writes made after the signal, and
// waits that can time out, order nothing.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <boost/thread/barrier.hpp>
#include <boost/thread/latch.hpp>
#include <gsl/gsl>
#include <semaphore.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

struct Job {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  int rows = 0;
  std::string status;
};

// The guard waits on a promise's future.
void guardWaitsOnFuture(Job &j) {
  auto g = gsl::finally([&j] {
    std::promise<void> p;
    std::future<void> f = p.get_future();
    std::thread([&j, p = std::move(p)]() mutable {
      j.rows = 1;
      p.set_value();
    }).detach();
    f.wait();
  });
}

void guardGetsFromSharedPromise(Job &j) {
  auto g = gsl::finally([&j] {
    auto p = std::make_shared<std::promise<int>>();
    auto f = p->get_future();
    std::thread([&j, p] {
      j.rows = 1;
      p->set_value(1);
    }).detach();
    (void)f.get();
  });
}

void writeAfterSignal(Job &j) {
  auto g = gsl::finally([&j] {
    std::promise<void> p;
    std::future<void> f = p.get_future();
    std::thread([&j, p = std::move(p)]() mutable {
      p.set_value();
      j.rows = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'j.rows' after 'writeAfterSignal' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
    f.wait();
  });
}

// wait_for in a loop until ready orders; a single wait_for does not.
void waitForInLoop(Job &j) {
  auto g = gsl::finally([&j] {
    std::promise<void> p;
    std::future<void> f = p.get_future();
    std::thread([&j, p = std::move(p)]() mutable {
      j.rows = 1;
      p.set_value();
    }).detach();
    while (f.wait_for(std::chrono::milliseconds(5)) !=
           std::future_status::ready) {
    }
  });
}

void waitForOnce(Job &j) {
  auto g = gsl::finally([&j] {
    std::promise<void> p;
    std::future<void> f = p.get_future();
    std::thread([&j, p = std::move(p)]() mutable {
      j.rows = 1;
      p.set_value();
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'j.rows' after 'waitForOnce' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
    f.wait_for(std::chrono::milliseconds(5));
  });
}

void waitOnAnotherFuture(Job &j) {
  auto g = gsl::finally([&j] {
    std::promise<void> p, other;
    std::future<void> f = other.get_future();
    other.set_value();
    std::thread([&j, p = std::move(p)]() mutable {
      j.rows = 1;
      p.set_value();
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'j.rows' after 'waitOnAnotherFuture' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
    f.wait();
  });
}

// A condition variable with a predicate the thread sets.
void conditionWithPredicate(Job &j) {
  auto g = gsl::finally([&j] {
    std::thread([&j] {
      j.rows = 1;
      {
        std::lock_guard<std::mutex> lock(j.mu);
        j.done = true;
      }
      j.cv.notify_one();
    }).detach();
    std::unique_lock<std::mutex> lock(j.mu);
    j.cv.wait(lock, [&j] { return j.done; });
  });
}

void writeAfterPredicate(Job &j) {
  auto g = gsl::finally([&j] {
    std::thread([&j] {
      {
        std::lock_guard<std::mutex> lock(j.mu);
        j.done = true;
      }
      j.rows = 1;
      j.cv.notify_one();
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'j.rows' after 'writeAfterPredicate' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
    std::unique_lock<std::mutex> lock(j.mu);
    j.cv.wait(lock, [&j] { return j.done; });
  });
}

// Latches, barriers and semaphores.
void boostLatch(Job &j) {
  auto g = gsl::finally([&j] {
    boost::latch l(1);
    std::thread([&j, &l] {
      j.rows = 1;
      l.count_down();
    }).detach();
    l.wait();
  });
}

void boostBarrier(Job &j) {
  auto g = gsl::finally([&j] {
    boost::barrier b(2);
    std::thread([&j, &b] {
      j.rows = 1;
      b.wait();
    }).detach();
    b.wait();
  });
}

void posixSemaphore(Job &j, sem_t &s) {
  auto g = gsl::finally([&j, &s] {
    std::thread([&j, &s] {
      j.rows = 1;
      sem_post(&s);
    }).detach();
    sem_wait(&s);
  });
}

void conditionalSignal(Job &j, boost::latch &l) {
  auto g = gsl::finally([&j] {
    boost::latch done(1);
    std::thread([&j, &done] {
      if (j.rows == 0)
        done.count_down();
      j.rows = 1;
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'j.rows' after 'conditionalSignal' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
    done.wait();
  });
}

// The caller waits: a returned future, a latch passed in.
std::future<void> returnsFuture(Job &j) {
  auto p = std::make_shared<std::promise<void>>();
  std::future<void> f = p->get_future();
  auto g = gsl::finally([&j, p] {
    std::thread([&j, p] {
      j.status = "done";
      p->set_value();
    }).detach();
  });
  return f;
}

std::string callerWaitsOnFuture() {
  static Job j;
  std::future<void> f = returnsFuture(j);
  f.wait();
  return j.status;
}

std::future<void> returnsFutureReadEarly(Job &j) {
  auto p = std::make_shared<std::promise<void>>();
  std::future<void> f = p->get_future();
  auto g = gsl::finally([&j, p] {
    std::thread([&j, p] {
      j.status = "done";
      p->set_value();
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'j.status' after 'returnsFutureReadEarly' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
  return f;
}

std::string callerReadsBeforeWaiting() {
  static Job j;
  std::future<void> f = returnsFutureReadEarly(j);
  std::string early = j.status;
  f.wait();
  return early;
}

void countsDownLatchPassedIn(Job &j, boost::latch &l) {
  auto g = gsl::finally([&j, &l] {
    std::thread([&j, &l] {
      j.rows = 2;
      l.count_down();
    }).detach();
  });
}

int callerWaitsOnLatch() {
  static Job j;
  static boost::latch l(1);
  countsDownLatchPassedIn(j, l);
  l.wait();
  return j.rows;
}
