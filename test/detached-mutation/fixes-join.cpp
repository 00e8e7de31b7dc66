// The fix on the warning: join instead of detach. It is offered only where
// it is safe: not inside a macro, not for a thread that never ends, and not
// in a helper that other code calls too.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <boost/thread/thread.hpp>
#include <gsl/gsl>
#include <pthread.h>

#include <string>
#include <thread>

struct Response {
  std::string log;
  bool stop = false;
};

void *writeLog(void *arg) {
  static_cast<Response *>(arg)->log = "done";
  return nullptr;
}

void temporary(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'temporary' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void named(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'named' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t.join();{{$}}
  });
}

void pointerToThread(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    std::thread *p = &t;
    p->detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pointerToThread' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    p->join();{{$}}
  });
}

void pthread(Response &res) {
  auto g = gsl::finally([&res] {
    pthread_t t;
    pthread_create(&t, nullptr, writeLog, &res);
    pthread_detach(t);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pthread' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    pthread_join(t, nullptr);{{$}}
  });
}

// Detached by attribute: the attribute becomes joinable, and the thread is
// joined right after it starts.
void pthreadAttribute(Response &res) {
  auto g = gsl::finally([&res] {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    // CHECK-FIXES: {{^}}    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_JOINABLE);{{$}}
    pthread_t t;
    pthread_create(&t, &attr, writeLog, &res);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pthreadAttribute' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    pthread_join(t, nullptr);{{$}}
    pthread_attr_destroy(&attr);
  });
}

// An attribute shared by two threads: changing it would change both.
void pthreadSharedAttribute(Response &res, Response &other) {
  auto g = gsl::finally([&res, &other] {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t1, t2;
    pthread_create(&t1, &attr, writeLog, &res);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pthreadSharedAttribute' returns [defer-race-detached-mutation]
    pthread_create(&t2, &attr, writeLog, &other);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'other.log' after 'pthreadSharedAttribute' returns [defer-race-detached-mutation]
  });
}

// boost::thread's destructor detaches: join it where its scope ends.
void boostDestructor(Response &res) {
  auto g = gsl::finally([&res] {
    boost::thread t([&res] { res.log = "done"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructor' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t.join();{{$}}
  });
}

// ...unless the scope can be left early.
void boostDestructorEarlyExit(Response &res, bool done) {
  auto g = gsl::finally([&res, done] {
    boost::thread t([&res] { res.log = "done"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructorEarlyExit' returns [defer-race-detached-mutation]
    if (done)
      return;
    res.log += ".";
  });
}

// An early exit after the thread's block does not skip the join.
void boostDestructorInBlock(Response &res, bool done) {
  auto g = gsl::finally([&res, done] {
    {
      boost::thread t([&res] { res.log = "done"; });
      // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructorInBlock' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      t.join();{{$}}
    }
    if (done)
      return;
    res.log += ".";
  });
}

#define DETACH(t) (t).detach()

void inMacro(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    DETACH(t);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'inMacro' returns [defer-race-detached-mutation]
  });
}

// Joining a thread that loops forever would hang the guard.
void endless(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      for (;;)
        res.log += ".";
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'endless' returns [defer-race-detached-mutation]
  });
}

// A loop with a way out can be joined.
void endsEventually(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] {
      while (true) {
        if (res.stop)
          break;
        res.log += ".";
      }
    }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'endsEventually' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    }).join();{{$}}
  });
}
