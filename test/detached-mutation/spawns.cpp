// Every way of leaving a thread running, and their twins that wait for it.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++20
// RUN: %check_defer_race -check-suffixes=,SPAWNER %s defer-race-detached-mutation %t \
// RUN:   -- -config="{CheckOptions: [{key: defer-race-detached-mutation.DetachedSpawners, value: 'fireAndForget;Pool::submit'}]}" -- -std=c++20

#include <boost/thread/thread.hpp>
#include <gsl/gsl>
#include <pthread.h>

#include <functional>
#include <future>
#include <string>
#include <thread>

struct Response {
  std::string log;
  void update() { log = "updated"; }
};

void namedThread(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'namedThread' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t.join();{{$}}
  });
}

void assignedThread(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t;
    t = std::thread([&res] { res.log = "done"; });
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'assignedThread' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t.join();{{$}}
  });
}

void jthreadDetached(Response &res) {
  auto g = gsl::finally([&res] {
    std::jthread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:48: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'jthreadDetached' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::jthread([&res] { res.log = "done"; }).join();{{$}}
  });
}

// A jthread joins when it is destroyed.
void jthreadJoined(Response &res) {
  auto g = gsl::finally([&res] {
    std::jthread([&res] { res.log = "done"; });
  });
}

void boostDetached(Response &res) {
  auto g = gsl::finally([&res] {
    boost::thread t([&res] { res.log = "done"; });
    t.detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:7: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDetached' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    t.join();{{$}}
  });
}

// Boost.Thread before BOOST_THREAD_VERSION 3 detaches in the destructor.
void boostDestructorDetaches(Response &res) {
  auto g = gsl::finally([&res] {
    boost::thread t([&res] { res.log = "done"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostDestructorDetaches' returns [defer-race-detached-mutation]
  });
}

void boostJoined(Response &res) {
  auto g = gsl::finally([&res] {
    boost::thread t([&res] { res.log = "done"; });
    t.join();
  });
}

void *writeLog(void *arg) {
  static_cast<Response *>(arg)->log = "done";
  return nullptr;
}

void *writeLogAndDetachSelf(void *arg) {
  pthread_detach(pthread_self());
  auto *res = static_cast<Response *>(arg);
  res->log = "done";
  return nullptr;
}

void pthreadDetached(Response &res) {
  auto g = gsl::finally([&res] {
    pthread_t t;
    pthread_create(&t, nullptr, writeLog, &res);
    pthread_detach(t);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pthreadDetached' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    pthread_join(t, nullptr);{{$}}
  });
}

void pthreadDetachedAttribute(Response &res) {
  auto g = gsl::finally([&res] {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t t;
    pthread_create(&t, &attr, writeLog, &res);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pthreadDetachedAttribute' returns [defer-race-detached-mutation]
  });
}

void pthreadDetachesItself(Response &res) {
  auto g = gsl::finally([&res] {
    pthread_t t;
    pthread_create(&t, nullptr, writeLogAndDetachSelf, &res);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'pthreadDetachesItself' returns [defer-race-detached-mutation]
  });
}

void pthreadJoined(Response &res) {
  auto g = gsl::finally([&res] {
    pthread_t t;
    pthread_create(&t, nullptr, writeLog, &res);
    pthread_join(t, nullptr);
  });
}

// The future of a discarded std::async waits in its destructor.
void asyncDiscarded(Response &res) {
  auto g = gsl::finally([&res] {
    (void)std::async(std::launch::async, [&res] { res.log = "done"; });
  });
}

void joinedInGuard(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread t([&res] { res.log = "done"; });
    t.join();
  });
}

void writeLogRef(Response &r) { r.log = "done"; }

void functionCallable(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread(writeLogRef, std::ref(res)).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'functionCallable' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread(writeLogRef, std::ref(res)).join();{{$}}
  });
}

void memberCallable(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread(&Response::update, &res).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'memberCallable' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread(&Response::update, &res).join();{{$}}
  });
}

// Helpers that the guard's callable calls.
void spawnWriter(Response &r) {
  std::thread([&r] { r.log = "done"; }).detach();
}
void startWriter(Response &r) { spawnWriter(r); }

void helper(Response &res) {
  auto g = gsl::finally([&res] { spawnWriter(res); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: call to 'spawnWriter' in a scope-exit guard leaves a detached thread writing 'res.log' after 'helper' returns [defer-race-detached-mutation]
}

void helperOfHelper(Response &res) {
  auto g = gsl::finally([&res] { startWriter(res); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: call to 'startWriter' in a scope-exit guard leaves a detached thread writing 'res.log' after 'helperOfHelper' returns [defer-race-detached-mutation]
}

// detach() on things that are not threads.
struct CowBuffer {
  std::string data;
  void detach() { data = std::string(data); }
};

void notAThread(Response &res, CowBuffer &buf) {
  auto g = gsl::finally([&buf] { buf.detach(); });
}

// Fire-and-forget functions named in the DetachedSpawners option.
void fireAndForget(std::function<void()> f);
struct Pool {
  void submit(std::function<void()> f);
};

void spawner(Response &res, Pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    fireAndForget([&res] { res.log = "done"; });
    // CHECK-MESSAGES-SPAWNER: :[[@LINE-1]]:5: warning: callable passed to 'fireAndForget' in a scope-exit guard may still be writing 'res.log' after 'spawner' returns [defer-race-detached-mutation]
    pool.submit([&res] { res.log = "done"; });
    // CHECK-MESSAGES-SPAWNER: :[[@LINE-1]]:5: warning: callable passed to 'Pool::submit' in a scope-exit guard may still be writing 'res.log' after 'spawner' returns [defer-race-detached-mutation]
  });
}
