// Detached threads that refer to automatic variables of a scope that ends
// while they may still run. Each finding has a twin that is safe.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17

#include <boost/thread/thread.hpp>
#include <gsl/gsl>
#include <pthread.h>

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

void implicitReference() {
  int n = 0;
  std::thread([&] { ++n; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([&, n]() mutable { ++n; }).detach();{{$}}
}

void explicitReference() {
  int n = 0;
  std::thread([&n] { ++n; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([n]() mutable { ++n; }).detach();{{$}}
}

void readOnly() {
  int n = 42;
  std::thread([&n] { (void)(n + 1); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([n] { (void)(n + 1); }).detach();{{$}}
}

void byValue() {
  int n = 0;
  std::thread([n]() mutable { ++n; }).detach();
}

void byMove() {
  std::string s = "x";
  std::thread([s = std::move(s)]() mutable { s += "y"; }).detach();
}

void insideGuard() {
  std::vector<int> local;
  auto g = gsl::finally([&] {
    std::thread([&local] { local.push_back(1); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: detached thread captures 'local' by reference; 'local' goes out of scope while the thread may still use it [defer-race-dangling-capture]
    // CHECK-FIXES: {{^}}    std::thread([local = std::move(local)]() mutable { local.push_back(1); }).detach();{{$}}
  });
}

void pointerToLocal() {
  int n = 0;
  int *p = &n;
  std::thread([p] { *p = 1; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: detached thread uses pointer 'p' to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}

void referenceToLocal() {
  int n = 0;
  int &r = n;
  std::thread([&r] { r = 1; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread uses reference 'r' to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}

// The thread owns the heap object.
void heapOwnedByThread() {
  auto *p = new int(0);
  std::thread([p] {
    *p = 1;
    delete p;
  }).detach();
}

void sharedOwnership() {
  auto p = std::make_shared<int>(0);
  std::thread([p] { *p = 1; }).detach();
}

int g_counter;
void global() {
  static int calls;
  std::thread([] {
    ++g_counter;
    ++calls;
  }).detach();
}

// The caller owns what a reference parameter refers to.
void referenceParameter(std::string &out) {
  std::thread([&out] { out = "x"; }).detach();
}

// A parameter passed by value is this function's own object.
void valueParameter(std::string in) {
  std::thread([&in] { in += "x"; }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: detached thread captures 'in' by reference; 'in' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread([in = std::move(in)]() mutable { in += "x"; }).detach();{{$}}
}

void joined() {
  int n = 0;
  std::thread t([&n] { ++n; });
  t.join();
}

// The function waits for the thread to signal before returning.
void waitsForSignal() {
  int n = 0;
  std::promise<void> done;
  std::thread([&] {
    ++n;
    done.set_value();
  }).detach();
  done.get_future().wait();
}

void capturedButUnused() {
  int n = 0;
  std::thread([&n] {}).detach();
}

void readValue(const int &v);
void writeValue(int &v);
void takesPointer(int *v);

void stdRefConst() {
  int n = 0;
  std::thread(readValue, std::cref(n)).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: detached thread receives a reference to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  std::thread(readValue, n).detach();{{$}}
}

void stdRefMutable() {
  int n = 0;
  std::thread(writeValue, std::ref(n)).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: detached thread receives a reference to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}

void pointerArgument() {
  int n = 0;
  std::thread(takesPointer, &n).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: detached thread receives a pointer to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}

void *work(void *arg) {
  *static_cast<int *>(arg) = 1;
  return nullptr;
}

void pthreadArgument() {
  int n = 0;
  pthread_t t;
  pthread_create(&t, nullptr, work, &n);
  // CHECK-MESSAGES: :[[@LINE-1]]:37: warning: detached thread receives a pointer to 'n'; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  pthread_detach(t);
}

void boostDestructorDetaches() {
  int n = 0;
  boost::thread t([&n] { ++n; });
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: detached thread captures 'n' by reference; 'n' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  boost::thread t([n]() mutable { ++n; });{{$}}
}

void innerBlock(bool flag) {
  if (flag) {
    std::string s;
    std::thread([&s] { s = "x"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: detached thread captures 's' by reference; 's' goes out of scope while the thread may still use it [defer-race-dangling-capture]
    // CHECK-FIXES: {{^}}    std::thread([s = std::move(s)]() mutable { s = "x"; }).detach();{{$}}
  }
}
