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

// A reference parameter lent to pool work: the function waits for the pool
// before it returns, so the caller's local outlives the work.
int countLent(Pool &p, const std::string &text) {
  int n = 0;
  p.Post([&n, &text] { n = static_cast<int>(text.size()); });
  p.Sync();
  return n;
}
int callerOfCountLent(Pool &p) {
  std::string text = "abc";
  return countLent(p, text);
}

// Without the wait, the caller's local dies while the work may use it.
void lend(Pool &p, const std::string &text) {
  p.Post([&text] { (void)text.size(); });
}
void callerOfLend(Pool &p) {
  std::string text = "abc";
  lend(p, text);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'text' passed to 'lend' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
}

// A wait after the loop is too late for a local of the loop's body.
int perItem(Pool &p, int items) {
  for (int i = 0; i < items; ++i) {
    int slot = 0;
    p.Post([&slot, i] { slot = i; });
    // CHECK-MESSAGES: :[[@LINE-1]]:14: warning: callable passed to 'Pool::Post' captures 'slot' by reference; 'slot' goes out of scope while it may still use it [defer-race-dangling-capture]
    // CHECK-FIXES: {{^}}    p.Post([slot, i]() mutable { slot = i; });{{$}}
  }
  p.Sync();
  return items;
}
