// When the warning has no fix, clang-tidy --fix-notes applies the one fix
// offered on a note: here, capturing by copy.
//
// RUN: %check_defer_race --fix-notes %s defer-race-detached-mutation %t -- -- -std=c++17

#include <boost/thread/thread.hpp>
#include <gsl/gsl>

#include <string>
#include <thread>

struct Response {
  std::string log;
};

// boost::thread's destructor detaches, and the early return means there is
// no single place to join it.
void boostDestructor(Response &res, bool done) {
  auto g = gsl::finally([&res, done] {
    boost::thread t([&res] { res.log = "done"; });
    // CHECK-NOTES: :[[@LINE-1]]:19: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructor' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'boostDestructor' returns
    // CHECK-NOTES: :[[@LINE+7]]:3: note: 't' is never joined; its destructor detaches the thread here
    // CHECK-NOTES: :[[@LINE-4]]:30: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-5]]:23: note: capture 'res' by copy so that the thread writes its own copy
    // CHECK-FIXES: {{^}}    boost::thread t([res]() mutable { res.log = "done"; });{{$}}
    if (done)
      return;
    res.log += ".";
  });
}

#define DETACH(t) (t).detach()

// No fix inside a macro, but the capture is outside it.
void detachInMacro(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    // CHECK-FIXES: {{^}}    std::thread t([res]() mutable { res.log = "done"; });{{$}}
    DETACH(t);
    // CHECK-NOTES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'detachInMacro' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-9]]:23: note: expanded from macro 'DETACH'
    // CHECK-NOTES: :[[@LINE-6]]:3: note: scope-exit guard registered here runs when 'detachInMacro' returns
    // CHECK-NOTES: :[[@LINE-6]]:17: note: std::thread started here
    // CHECK-NOTES: :[[@LINE-7]]:28: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-8]]:21: note: capture 'res' by copy so that the thread writes its own copy
  });
}
