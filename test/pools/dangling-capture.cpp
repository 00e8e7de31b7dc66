// dangling-capture: pool work holding a reference to a local that dies
// while the work may still run; waiting for the pool before the local dies
// is the twin.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17 -I%S/Inputs

#include "pool.h"

#include <gsl/gsl>

#include <string>

void tally(Pool &p) {
  int n = 0;
  p.Post([&n] { ++n; });
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: callable passed to 'Pool::Post' captures 'n' by reference; 'n' goes out of scope while it may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  p.Post([n]() mutable { ++n; });{{$}}
}

void tallySynced(Pool &p) {
  int n = 0;
  p.Post([&n] { ++n; });
  p.Sync();
}

void tallyCopy(Pool &p) {
  int n = 0;
  p.Post([n]() mutable { ++n; });
}

// Through the accessor, from a guard.
void label() {
  std::string name = "job";
  auto g = gsl::finally(
      [&] { GetPool().Post([&name] { name += "-done"; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: callable passed to 'Pool::Post' captures 'name' by reference; 'name' goes out of scope while it may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}      [&] { GetPool().Post([name = std::move(name)]() mutable { name += "-done"; }); });{{$}}
}

// A global outlives the work.
int total = 0;
void addTotal(Pool &p) {
  p.Post([] { ++total; });
}
