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
