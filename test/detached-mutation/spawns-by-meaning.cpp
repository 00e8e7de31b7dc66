// Detached work recognised by what it does: a thread object followed to its
// construction (moved, returned, held by a smart pointer, chosen by a
// conditional, wrapped in a class, derived from a thread), any callable (a
// template helper's parameter, a function object, a member function, bind,
// std::function), a pthread attribute made detached in a helper, and a heap
// object that the function stores where its caller sees it. Each has a twin
// that waits, copies or keeps the object to itself.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>

#include <pthread.h>

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

void moved(Response &res) {
  auto g = defer([&res] {
    std::thread t1([&res] { res.status = 1; });
    std::thread t2 = std::move(t1);
    t2.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'moved' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t2.join();{{$}}
  });
}
void movedThenJoined(Response &res) {
  auto g = defer([&res] {
    std::thread t1([&res] { res.status = 1; });
    std::thread t2 = std::move(t1);
    t2.join();
  });
}

std::thread start(Response &r) {
  return std::thread([&r] { r.status = 2; });
}
void returned(Response &res) {
  auto g = defer([&res] { start(res).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'returned' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([&res] { start(res).join(); });{{$}}
}
void returnedThenJoined(Response &res) {
  auto g = defer([&res] { start(res).join(); });
}

void smartPointer(Response &res) {
  auto g = defer([&res] {
    auto t = std::make_unique<std::thread>([&res] { res.status = 3; });
    t->detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'smartPointer' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t->join();{{$}}
  });
}

void conditional(Response &res, bool fast) {
  auto g = defer([&res, fast] {
    std::thread a([&res] { res.status = 4; });
    std::thread b([&res] { res.status = 5; });
    (fast ? a : b).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'conditional' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    (fast ? a : b).join();{{$}}
    if (a.joinable())
      a.join();
    if (b.joinable())
      b.join();
  });
}

// A class that holds a thread and detaches it in a member function.
class Worker {
public:
  template <class F> explicit Worker(F f) : t_(std::move(f)) {}
  void release() { t_.detach(); }
  void wait() { t_.join(); }

private:
  std::thread t_;
};
void wrapper(Response &res) {
  auto g = defer([&res] {
    Worker w([&res] { res.status = 6; });
    w.release();
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: call to 'release' in a scope-exit guard leaves a detached thread writing 'res.status' after 'wrapper' returns [defer-race-detached-mutation]
  });
}
void wrapperWaits(Response &res) {
  auto g = defer([&res] {
    Worker w([&res] { res.status = 6; });
    w.wait();
  });
}

// A thread class whose destructor detaches.
class DaemonThread : public std::thread {
public:
  using std::thread::thread;
  ~DaemonThread() {
    if (joinable())
      detach();
  }
};
void daemon(Response &res) {
  auto g = defer([&res] { DaemonThread d([&res] { res.status = 7; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'daemon' returns [defer-race-detached-mutation]
}

template <class F> void fireAndForget(F f) { std::thread(std::move(f)).detach(); }
void templateHelper(Response &res) {
  auto g = defer([&res] { fireAndForget([&res] { res.status = 8; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: call to 'fireAndForget' in a scope-exit guard leaves a detached thread writing 'res.status' after 'templateHelper' returns [defer-race-detached-mutation]
}

struct Flusher {
  Response *r;
  void operator()() const { r->status = 9; }
};
void functionObject(Response &res) {
  auto g = defer([&res] { std::thread(Flusher{&res}).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:54: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'functionObject' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([&res] { std::thread(Flusher{&res}).join(); });{{$}}
}
// A function object holding its own copy writes that copy.
struct OwnCopy {
  Response r;
  void operator()() { r.status = 9; }
};
void functionObjectCopy(Response &res) {
  auto g = defer([&res] { std::thread(OwnCopy{res}).detach(); });
}

struct Service {
  Response *r;
  void run() { r->status = 10; }
};
void memberFunction(Service &s) {
  auto g = defer([&s] { std::thread(&Service::run, &s).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:56: warning: thread detached in a scope-exit guard may still be writing 's.r->status' after 'memberFunction' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([&s] { std::thread(&Service::run, &s).join(); });{{$}}
}
// Passed by value: std::thread runs the member function on its own copy.
struct Counter {
  int n = 0;
  void bump() { ++n; }
};
void memberFunctionCopy(Counter &c) {
  auto g = defer([&c] { std::thread(&Counter::bump, c).detach(); });
}

void setStatus(Response &r, int v) { r.status = v; }
void bound(Response &res) {
  auto g = defer([&res] { std::thread(std::bind(setStatus, std::ref(res), 11)).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:80: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'bound' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([&res] { std::thread(std::bind(setStatus, std::ref(res), 11)).join(); });{{$}}
}
void boundCopy(Counter &c) {
  auto g = defer([&c] { std::thread(std::bind(&Counter::bump, c)).detach(); });
}
void stdFunction(Response &res) {
  auto g = defer([&res] {
    std::function<void()> f = [&res] { res.status = 12; };
    std::thread(f).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:20: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'stdFunction' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread(f).join();{{$}}
  });
}

void *work(void *arg) {
  static_cast<Response *>(arg)->status = 13;
  return nullptr;
}
void makeDetached(pthread_attr_t *attr) {
  pthread_attr_init(attr);
  pthread_attr_setdetachstate(attr, PTHREAD_CREATE_DETACHED);
}
void makeJoinable(pthread_attr_t *attr) {
  pthread_attr_init(attr);
  pthread_attr_setdetachstate(attr, PTHREAD_CREATE_JOINABLE);
}
void startDetached(Response *r) {
  pthread_attr_t attr;
  makeDetached(&attr);
  pthread_t t;
  pthread_create(&t, &attr, work, r);
  pthread_attr_destroy(&attr);
}
void pthreadHelper(Response &res) {
  auto g = defer([&res] { startDetached(&res); });
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: call to 'startDetached' in a scope-exit guard leaves a detached thread writing 'res.status' after 'pthreadHelper' returns [defer-race-detached-mutation]
}
void startJoined(Response *r) {
  pthread_attr_t attr;
  makeJoinable(&attr);
  pthread_t t;
  pthread_create(&t, &attr, work, r);
  pthread_attr_destroy(&attr);
  pthread_join(t, nullptr);
}
void pthreadHelperJoins(Response &res) {
  auto g = defer([&res] { startJoined(&res); });
}

// A fresh object the thread owns a share of, stored where the caller sees it.
void storedForCaller(std::shared_ptr<Response> &out) {
  auto fresh = std::make_shared<Response>();
  out = fresh;
  auto g = defer([fresh] { std::thread([fresh] { fresh->status = 14; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:73: warning: thread detached in a scope-exit guard may still be writing 'out->status' after 'storedForCaller' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([fresh] { std::thread([fresh] { fresh->status = 14; }).join(); });{{$}}
}
std::shared_ptr<Response> g_current;
void storedInGlobal() {
  auto fresh = std::make_shared<Response>();
  g_current = fresh;
  auto g = defer([fresh] { std::thread([fresh] { fresh->status = 15; }).detach(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:73: warning: thread detached in a scope-exit guard may still be writing 'g_current->status' after 'storedInGlobal' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto g = defer([fresh] { std::thread([fresh] { fresh->status = 15; }).join(); });{{$}}
}
// Not stored anywhere else: the thread's object alone.
void keptToItself() {
  auto fresh = std::make_shared<Response>();
  auto g = defer([fresh] { std::thread([fresh] { fresh->status = 16; }).detach(); });
}
