// Home-made guards: any class whose destructor calls a callable it stores,
// the macros built on them, and names added with the ScopeGuards option.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17
// RUN: %check_defer_race -check-suffixes=,OPTION %s defer-race-detached-mutation %t \
// RUN:   -- -config="{CheckOptions: [{key: defer-race-detached-mutation.ScopeGuards, value: 'OnReturn;makeExitHook'}]}" -- -std=c++17

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

struct Response {
  std::string log;
};

// A template guard that stores its callable.
template <typename F> class Defer {
public:
  explicit Defer(F f) : f_(std::move(f)) {}
  ~Defer() { f_(); }

private:
  F f_;
};
template <typename F> Defer<F> makeDefer(F f) { return Defer<F>(std::move(f)); }

// A std::function guard that can be assigned later.
class FunctionGuard {
public:
  FunctionGuard() = default;
  explicit FunctionGuard(std::function<void()> f) : f_(std::move(f)) {}
  FunctionGuard &operator=(std::function<void()> f) {
    f_ = std::move(f);
    return *this;
  }
  ~FunctionGuard() {
    if (f_)
      f_();
  }

private:
  std::function<void()> f_;
};

// A guard reached through a member function, the way folly's is.
template <typename F> class Indirect {
public:
  explicit Indirect(F f) : f_(std::move(f)) {}
  ~Indirect() { run(); }

private:
  void run() { f_(); }
  F f_;
};

// The `Tag() + [&] {...}` macro idiom.
struct DeferTag {};
template <typename F> Defer<F> operator+(DeferTag, F f) {
  return Defer<F>(std::move(f));
}
#define DEFER auto deferred_##__LINE__ = DeferTag() + [&]()

void templateGuard(Response &res) {
  Defer g([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:62: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'templateGuard' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Defer g([&res] { std::thread([&res] { res.log = "done"; }).join(); });{{$}}
}

void factoryGuard(Response &res) {
  auto g = makeDefer([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:73: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'factoryGuard' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = makeDefer([&res] { std::thread([&res] { res.log = "done"; }).join(); });{{$}}
}

void functionGuard(Response &res) {
  FunctionGuard g([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:70: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'functionGuard' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  FunctionGuard g([&res] { std::thread([&res] { res.log = "done"; }).join(); });{{$}}
}

void functionGuardAssignedLater(Response &res) {
  FunctionGuard g;
  g = [&res] { std::thread([&res] { res.log = "done"; }).detach(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:58: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'functionGuardAssignedLater' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  g = [&res] { std::thread([&res] { res.log = "done"; }).join(); };{{$}}
}

void indirectGuard(Response &res) {
  Indirect g([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:65: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'indirectGuard' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Indirect g([&res] { std::thread([&res] { res.log = "done"; }).join(); });{{$}}
}

void macroGuard(Response &res) {
  DEFER { std::thread([&res] { res.log = "done"; }).detach(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'macroGuard' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  DEFER { std::thread([&res] { res.log = "done"; }).join(); };{{$}}
}

// Not guards: a class that stores a callable but never calls it when
// destroyed, and one that calls it from another member.
template <typename F> class Holder {
public:
  explicit Holder(F f) : f_(std::move(f)) {}
  void run() { f_(); }

private:
  F f_;
};

void notGuards(Response &res) {
  Holder h([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  std::function<void()> f = [&res] { std::thread([&res] { res.log = "done"; }).detach(); };
}

// Guards the recogniser cannot see, named in the ScopeGuards option: a class
// whose destructor hides the call in another translation unit, and a factory
// returning std::shared_ptr<void> with a deleter.
class OnReturn {
public:
  explicit OnReturn(std::function<void()> f);
  ~OnReturn();

private:
  std::function<void()> f_;
};

template <typename F> std::shared_ptr<void> makeExitHook(F f) {
  return std::shared_ptr<void>(nullptr, [f](void *) { f(); });
}

void optionClass(Response &res) {
  OnReturn g([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  // CHECK-MESSAGES-OPTION: :[[@LINE-1]]:65: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'optionClass' returns [defer-race-detached-mutation]
  // CHECK-FIXES-OPTION: {{^}}  OnReturn g([&res] { std::thread([&res] { res.log = "done"; }).join(); });{{$}}
}

void optionFactory(Response &res) {
  auto g = makeExitHook([&res] { std::thread([&res] { res.log = "done"; }).detach(); });
  // CHECK-MESSAGES-OPTION: :[[@LINE-1]]:76: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'optionFactory' returns [defer-race-detached-mutation]
  // CHECK-FIXES-OPTION: {{^}}  auto g = makeExitHook([&res] { std::thread([&res] { res.log = "done"; }).join(); });{{$}}
}
