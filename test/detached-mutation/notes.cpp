// The story told by the notes: guard, helper calls, spawn, write.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <boost/thread/thread.hpp>
#include <gsl/gsl>

#include <functional>
#include <string>
#include <thread>

struct Response {
  std::string log;
};

void direct(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'direct' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'direct' returns
    // CHECK-NOTES: :[[@LINE-3]]:26: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-4]]:19: note: capture 'res' by copy so that the thread writes its own copy
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void named(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] {
      res.log = "done";
    });
    t.detach();
    // CHECK-NOTES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'named' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-6]]:3: note: scope-exit guard registered here runs when 'named' returns
    // CHECK-NOTES: :[[@LINE-6]]:17: note: std::thread started here
    // CHECK-NOTES: :[[@LINE-6]]:7: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-8]]:21: note: capture 'res' by copy so that the thread writes its own copy
    // CHECK-FIXES: {{^}}    t.join();{{$}}
  });
}

void innerBlock(Response &res, bool flag) {
  if (flag) {
    auto g = gsl::finally([&res] {
      std::thread([&res] { res.log = "done"; }).detach();
      // CHECK-NOTES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'innerBlock' returns [defer-race-detached-mutation]
      // CHECK-NOTES: :[[@LINE-3]]:5: note: scope-exit guard registered here runs at the end of its block
      // CHECK-NOTES: :[[@LINE-3]]:28: note: the detached thread writes 'res.log' here
      // CHECK-NOTES: :[[@LINE-4]]:21: note: capture 'res' by copy so that the thread writes its own copy
      // CHECK-FIXES: {{^}}      std::thread([&res] { res.log = "done"; }).join();{{$}}
    });
  }
}

void spawnWriter(Response &r) {
  std::thread([&r] { r.log = "done"; }).detach();
}
void startWriter(Response &r) { spawnWriter(r); }

void throughHelpers(Response &res) {
  auto g = gsl::finally([&res] { startWriter(res); });
  // CHECK-NOTES: :[[@LINE-1]]:34: warning: call to 'startWriter' in a scope-exit guard leaves a detached thread writing 'res.log' after 'throughHelpers' returns [defer-race-detached-mutation]
  // CHECK-NOTES: :[[@LINE-2]]:3: note: scope-exit guard registered here runs when 'throughHelpers' returns
  // CHECK-NOTES: :[[@LINE-6]]:33: note: 'startWriter' calls 'spawnWriter' here
  // CHECK-NOTES: :[[@LINE-9]]:41: note: std::thread detached here
  // CHECK-NOTES: :[[@LINE-10]]:22: note: the detached thread writes 'res.log' here
}

void boostDestructor(Response &res) {
  auto g = gsl::finally([&res] {
    boost::thread t([&res] { res.log = "done"; });
    // CHECK-NOTES: :[[@LINE-1]]:19: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructor' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'boostDestructor' returns
    // CHECK-NOTES: :[[@LINE+3]]:3: note: 't' is never joined; its destructor detaches the thread here
    // CHECK-NOTES: :[[@LINE-4]]:30: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-5]]:23: note: capture 'res' by copy so that the thread writes its own copy
  });
}

// A callable held in a member of an object that came from outside: the note
// shows where the translation unit stores the one that spawns.
struct Step {
  Response &res;
  std::function<void(Response &)> then;
};

void runStep(Step &step) {
  auto g = gsl::finally([&step] { step.then(step.res); });
  // CHECK-NOTES: :[[@LINE-1]]:35: warning: call to 'then' in a scope-exit guard leaves a detached thread writing 'step.res.log' after 'runStep' returns [defer-race-detached-mutation]
  // CHECK-NOTES: :[[@LINE-2]]:3: note: scope-exit guard registered here runs when 'runStep' returns
  // CHECK-NOTES: :[[@LINE+6]]:18: note: 'then' may hold this callable, stored here
  // CHECK-NOTES: :[[@LINE-36]]:41: note: std::thread detached here
  // CHECK-NOTES: :[[@LINE-37]]:22: note: the detached thread writes 'step.res.log' here
}

void startStep(Response &res) {
  Step step{res, spawnWriter};
  runStep(step);
}
