// The whole path in notes: serializer, read, the call that leaves the
// writer, its guard, the spawn, the write. The join fix rides on the note at
// the spawn; clang-tidy --fix-notes applies it.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17
// RUN: %check_defer_race -check-suffixes=,FIX --fix-notes %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string wreqlog;
};

struct FakeRes {
  std::string data;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(FakeRes, data, wreqlog)

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
    // CHECK-FIXES-FIX: {{^}}    std::thread([&res] { res.wreqlog = "handled"; }).join();{{$}}
  });
  res.data = "candidates";
}

void getCands(Response &res) {
  auto report = gsl::finally([&res] {
    FakeRes snapshot{res.data, res.wreqlog};
    std::cout << nlohmann::json(snapshot).dump() << "\n";
    // CHECK-NOTES: :[[@LINE-1]]:43: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
    // CHECK-NOTES: :[[@LINE-3]]:32: note: 'res.wreqlog' is read here
    // CHECK-NOTES: :[[@LINE+5]]:3: note: after this call to 'handle', a detached thread may still be writing 'res.wreqlog'
    // CHECK-NOTES: :[[@LINE-14]]:3: note: the thread is started by the scope-exit guard registered here
    // CHECK-NOTES: :[[@LINE-14]]:54: note: std::thread detached here; joining it instead removes the race
    // CHECK-NOTES: :[[@LINE-15]]:26: note: the detached thread writes 'res.wreqlog' here
  });
  handle(res);
}

// Guards of one function: the writer's guard runs first.
void oneFunction(Response &res) {
  auto report = gsl::finally([&res] { nlohmann::json(res.wreqlog).dump(); });
  // CHECK-NOTES: :[[@LINE-1]]:67: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
  // CHECK-NOTES: :[[@LINE-2]]:54: note: 'res.wreqlog' is read here
  // CHECK-NOTES: :[[@LINE+3]]:3: note: scope-exit guard registered here runs when 'oneFunction' returns
  // CHECK-NOTES: :[[@LINE+3]]:54: note: std::thread detached here; joining it instead removes the race
  // CHECK-NOTES: :[[@LINE+2]]:26: note: the detached thread writes 'res.wreqlog' here
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
    // CHECK-FIXES-FIX: {{^}}    std::thread([&res] { res.wreqlog = "handled"; }).join();{{$}}
  });
}
