// Guards recognised by what they do: a local whose destructor starts the
// detached work itself, a destructor that runs a callable stored in a member
// object, smart pointers whose deleter spawns, __attribute__((cleanup)), and
// callables that reach the guard through a factory, a generic lambda, a
// std::function or a function object. Each has a twin that waits.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17 -isystem %test_include

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include <boost/scope_exit.hpp>

struct Response {
  std::string log;
  int status = 0;
};

template <class F> class Defer {
public:
  explicit Defer(F f) : f_(std::move(f)) {}
  ~Defer() { f_(); }

private:
  F f_;
};
template <class F> Defer<F> defer(F f) { return Defer<F>(std::move(f)); }

// A RAII class whose destructor spawns: its callable is the destructor.
struct Audit {
  Response &r;
  explicit Audit(Response &r) : r(r) {}
  ~Audit() {
    std::thread([this] { r.status = 1; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:43: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'raiiSpawn' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([this] { r.status = 1; }).join();{{$}}
  }
};
void raiiSpawn(Response &res) { Audit a(res); }

struct JoiningAudit {
  Response &r;
  explicit JoiningAudit(Response &r) : r(r) {}
  ~JoiningAudit() { std::thread([this] { r.status = 1; }).join(); }
};
void raiiJoins(Response &res) { JoiningAudit a(res); }

// The destructor runs a callable that a member object stores.
struct Hook {
  std::function<void()> f;
  void fire() {
    if (f)
      f();
  }
};
struct Owner {
  Hook hook;
  ~Owner() { hook.fire(); }
};
void memberObjectGuard(Response &res) {
  Owner o{Hook{[&res] { std::thread([&res] { res.status = 2; }).detach(); }}};
  // CHECK-MESSAGES: :[[@LINE-1]]:65: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'memberObjectGuard' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  Owner o{Hook{[&res] { std::thread([&res] { res.status = 2; }).join(); }}};{{$}}
}

// Smart pointers whose deleter does the work.
void sharedPtrGuard(Response &res) {
  std::shared_ptr<void> g(nullptr, [&res](void *) {
    std::thread([&res] { res.status = 3; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'sharedPtrGuard' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.status = 3; }).join();{{$}}
  });
}
void uniquePtrLambda(Response &res) {
  auto del = [](Response *p) { std::thread([p] { p->status = 4; }).detach(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:68: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'uniquePtrLambda' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto del = [](Response *p) { std::thread([p] { p->status = 4; }).join(); };{{$}}
  std::unique_ptr<Response, decltype(del)> g(&res, del);
}
// A null unique_ptr does not call its deleter.
void uniquePtrNull(Response &res) {
  auto del = [&res](Response *) { std::thread([&res] { res.status = 4; }).detach(); };
  std::unique_ptr<Response, decltype(del)> g(nullptr, del);
}
// Released: the deleter never runs.
void uniquePtrReleased(Response &res) {
  auto del = [](Response *p) { std::thread([p] { p->status = 4; }).detach(); };
  std::unique_ptr<Response, decltype(del)> g(&res, del);
  g.release();
}
void spawnOn(Response *p) {
  std::thread([p] { p->status = 5; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:39: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'uniquePtrFunction' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  std::thread([p] { p->status = 5; }).join();{{$}}
}
void uniquePtrFunction(Response &res) {
  std::unique_ptr<Response, void (*)(Response *)> g(&res, &spawnOn);
}
struct SpawningDeleter {
  void operator()(Response *p) const {
    std::thread([p] { p->status = 6; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:41: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'uniquePtrFunctor' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([p] { p->status = 6; }).join();{{$}}
  }
};
void uniquePtrFunctor(Response &res) {
  std::unique_ptr<Response, SpawningDeleter> g(&res);
}
struct JoiningDeleter {
  void operator()(Response *p) const {
    std::thread([p] { p->status = 6; }).join();
  }
};
void uniquePtrFunctorJoins(Response &res) {
  std::unique_ptr<Response, JoiningDeleter> g(&res);
}

// __attribute__((cleanup)): the function runs on &variable.
static void finish(Response **slot) {
  Response *p = *slot;
  std::thread([p] { p->status = 7; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:39: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'cleanupAttribute' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  std::thread([p] { p->status = 7; }).join();{{$}}
}
int cleanupAttribute(Response &res) {
  Response *r __attribute__((cleanup(finish))) = &res;
  return r->status;
}
static void finishNow(Response **slot) {
  Response *p = *slot;
  std::thread([p] { p->status = 7; }).join();
}
void cleanupAttributeJoins(Response &res) {
  Response *r __attribute__((cleanup(finishNow))) = &res;
}

// The callable however it got to the guard.
auto makeWriter(Response &res) {
  return [&res] { std::thread([&res] { res.status = 8; }).detach(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:59: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'factoryCallable' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  return [&res] { std::thread([&res] { res.status = 8; }).join(); };{{$}}
}
void factoryCallable(Response &res) { auto g = defer(makeWriter(res)); }
void genericLambda(Response &res) {
  auto g = defer([&](auto &&...) { std::thread([&res] { res.status = 9; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:76: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'genericLambda' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([&](auto &&...) { std::thread([&res] { res.status = 9; }).join(); });{{$}}
}
void stdFunctionVariable(Response &res) {
  std::function<void()> fn = [&res] { std::thread([&res] { res.status = 10; }).detach(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:80: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'stdFunctionVariable' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  std::function<void()> fn = [&res] { std::thread([&res] { res.status = 10; }).join(); };{{$}}
  auto g = defer(fn);
}
void stdFunctionVariableJoins(Response &res) {
  std::function<void()> fn = [&res] { std::thread([&res] { res.status = 10; }).join(); };
  auto g = defer(fn);
}
struct Finisher {
  Response *r;
  void operator()() const {
    std::thread([p = r] { p->status = 11; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'functionObjectCallable' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([p = r] { p->status = 11; }).join();{{$}}
  }
};
void functionObjectCallable(Response &res) { auto g = defer(Finisher{&res}); }

// BOOST_SCOPE_EXIT(this_).
class Indexer {
public:
  void add() {
    BOOST_SCOPE_EXIT(this_) {
      std::thread([self = this_] { self->committed_++; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:59: warning: thread detached in a scope-exit guard may still be writing 'this->committed_' after 'Indexer::add' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([self = this_] { self->committed_++; }).join();{{$}}
    }
    BOOST_SCOPE_EXIT_END
  }

private:
  int committed_ = 0;
};
