// The notes: where the variable is declared, where its scope ends, where the
// thread is detached.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17

#include <gsl/gsl>

#include <string>
#include <thread>
#include <vector>

void handle(std::vector<std::string> &log) {
  std::string status = "ok";
  auto cleanup = gsl::finally([&] {
    std::thread([&] { log.push_back(status); }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:37: warning: detached thread captures 'status' by reference; 'status' goes out of scope while the thread may still use it [defer-race-dangling-capture]
    // CHECK-NOTES: :[[@LINE-4]]:15: note: 'status' declared here
    // CHECK-NOTES: :[[@LINE+4]]:1: note: 'status' goes out of scope here
    // CHECK-NOTES: :[[@LINE-4]]:49: note: std::thread detached here
    // CHECK-FIXES: {{^}}    std::thread([&, status = std::move(status)] { log.push_back(status); }).detach();{{$}}
  });
}

void named() {
  std::vector<int> results;
  std::thread worker([&results] { results.push_back(1); });
  // CHECK-NOTES: :[[@LINE-1]]:24: warning: detached thread captures 'results' by reference; 'results' goes out of scope while the thread may still use it [defer-race-dangling-capture]
  // CHECK-NOTES: :[[@LINE-3]]:20: note: 'results' declared here
  // CHECK-NOTES: :[[@LINE+5]]:1: note: 'results' goes out of scope here
  // CHECK-NOTES: :[[@LINE+3]]:10: note: std::thread detached here
  // CHECK-NOTES: :[[@LINE-5]]:15: note: std::thread started here
  // CHECK-FIXES: {{^}}  std::thread worker([results = std::move(results)]() mutable { results.push_back(1); });{{$}}
  worker.detach();
}

// A caller's local lent, through a forwarding function, to a detached thread.
void keepAddress(const int *n) {
  std::thread([n] { (void)*n; }).detach();
}

void passOn(const int &n) { keepAddress(&n); }

void lend() {
  int n = 0;
  passOn(n);
  // CHECK-NOTES: :[[@LINE-1]]:10: warning: 'n' passed to 'passOn' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  // CHECK-NOTES: :[[@LINE-3]]:7: note: 'n' declared here
  // CHECK-NOTES: :[[@LINE+4]]:1: note: 'n' goes out of scope here
  // CHECK-NOTES: :[[@LINE-8]]:29: note: passed on to 'keepAddress' here
  // CHECK-NOTES: :[[@LINE-12]]:16: note: the thread uses parameter 'n' of 'keepAddress' here
  // CHECK-NOTES: :[[@LINE-13]]:34: note: std::thread detached here
}

// A thread kept in a member uses a parameter after the call returns.
struct Poller {
  ~Poller() { worker.join(); }
  void start(const std::string &url) {
    worker = std::thread([&url] { (void)url.size(); });
  }
  std::thread worker;
};

Poller poller;

void poll() {
  std::string url = "http://localhost";
  poller.start(url);
  // CHECK-NOTES: :[[@LINE-1]]:16: warning: 'url' passed to 'start' goes out of scope while the thread it keeps in 'worker' may still use it [defer-race-dangling-capture]
  // CHECK-NOTES: :[[@LINE-3]]:15: note: 'url' declared here
  // CHECK-NOTES: :[[@LINE+3]]:1: note: 'url' goes out of scope here
  // CHECK-NOTES: :[[@LINE-13]]:28: note: the thread uses parameter 'url' of 'start' here
  // CHECK-NOTES: :[[@LINE-14]]:14: note: the thread starts here and is kept in 'worker' after 'start' returns
}
