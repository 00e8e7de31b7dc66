// Guard state, path by path: a guard runs only when it is destroyed armed.
// What arms and disarms it is read from its class; calls through aliases,
// helpers and moves count.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <functional>
#include <thread>
#include <utility>

struct Doc {
  int version = 0;
};

class Guard {
public:
  explicit Guard(std::function<void()> f) : f_(std::move(f)) {}
  Guard(Guard &&o) : f_(std::move(o.f_)), active_(o.active_) {
    o.active_ = false;
  }
  ~Guard() {
    if (active_ && f_)
      f_();
  }
  void stop() { active_ = false; }
  void resume() { active_ = true; }
  void setActive(bool on) { active_ = on; }
  void forget() { f_ = nullptr; }

private:
  std::function<void()> f_;
  bool active_ = true;
};

template <class G> void disarm(G &g) { g.stop(); }
template <class G> void rearm(G &g) { g.resume(); }

void dismissedThroughHelper(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  disarm(g);
}

void rearmedThroughHelper(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:55: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'rearmedThroughHelper' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Guard g([&d] { std::thread([&d] { d.version = 1; }).join(); });{{$}}
  disarm(g);
  rearm(g);
}

void dismissedThroughPointer(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  Guard *p = &g;
  Guard &r = *p;
  r.stop();
}

void dismissedByClearingCallable(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  g.forget();
}

void setInactiveThenActive(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:55: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'setInactiveThenActive' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Guard g([&d] { std::thread([&d] { d.version = 1; }).join(); });{{$}}
  g.setActive(false);
  g.setActive(true);
}

void dismissedOnOnePath(Doc &d, bool ok) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:55: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'dismissedOnOnePath' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Guard g([&d] { std::thread([&d] { d.version = 1; }).join(); });{{$}}
  if (ok)
    g.stop();
}

// Moves: the moved-from guard is inert; the one it was moved into runs.
void movedInto(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:55: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'movedInto' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Guard g([&d] { std::thread([&d] { d.version = 1; }).join(); });{{$}}
  Guard h(std::move(g));
}

void movedIntoDismissed(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  Guard h(std::move(g));
  h.stop();
}

// A guard returned to the caller runs where the caller's variable dies.
Guard handedOut(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  return g;
}

int callerReadsBeforeItRuns() {
  static Doc d;
  {
    Guard kept = handedOut(d);
    (void)d.version;
  }
  return 0;
}

Guard handedOutReadAfter(Doc &d) {
  Guard g([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:55: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'handedOutReadAfter' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Guard g([&d] { std::thread([&d] { d.version = 1; }).join(); });{{$}}
  return g;
}

int callerReadsAfterItRan() {
  static Doc d;
  {
    Guard kept = handedOutReadAfter(d);
  }
  return d.version;
}

// A guard that runs only when armed.
class OnCommit {
public:
  explicit OnCommit(std::function<void()> f) : f_(std::move(f)) {}
  ~OnCommit() {
    if (committed_)
      f_();
  }
  void commit() { committed_ = true; }

private:
  std::function<void()> f_;
  bool committed_ = false;
};

void neverCommitted(Doc &d) {
  OnCommit c([&d] { std::thread([&d] { d.version = 1; }).detach(); });
}

void committed(Doc &d) {
  OnCommit c([&d] { std::thread([&d] { d.version = 1; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:58: warning: thread detached in a scope-exit guard may still be writing 'd.version' after 'committed' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  OnCommit c([&d] { std::thread([&d] { d.version = 1; }).join(); });{{$}}
  c.commit();
}
