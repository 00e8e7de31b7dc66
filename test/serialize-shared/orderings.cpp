// When may a detached writer still be running? Each finding has a twin in
// which the serialization cannot overlap the writer.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

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
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, data, wreqlog)

// Leaves a detached thread writing res.wreqlog when it returns.
void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
  res.data = "candidates";
}

// Joins: leaves nothing running.
void handleJoined(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).join();
  });
}

// The original report: the caller's guard, registered before the call,
// serializes after it.
void getCands(Response &res) {
  auto report = gsl::finally([&res] {
    FakeRes snapshot{res.data, res.wreqlog};
    nlohmann::json(snapshot).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:30: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
  });
  handle(res);
}

void getCandsJoined(Response &res) {
  auto report = gsl::finally([&res] {
    FakeRes snapshot{res.data, res.wreqlog};
    nlohmann::json(snapshot).dump();
  });
  handleJoined(res);
}

void afterCall(Response &res) {
  handle(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

void beforeCall(Response &res) {
  nlohmann::json(res).dump();
  handle(res);
}

// A snapshot taken before the call is safe; one taken after is not.
void snapshotBefore(Response &res) {
  Response copy = res;
  handle(res);
  nlohmann::json(copy).dump();
}

void snapshotAfter(Response &res) {
  handle(res);
  Response copy = res;
  nlohmann::json(copy).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:24: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// Through a chain of calls.
void middle(Response &res) { handle(res); }
void outer(Response &res) { middle(res); }

void chain(Response &res) {
  outer(res);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}

// Guards run in reverse order: the one registered first runs last.
void sameFunctionWriterRunsFirst(Response &res) {
  auto report = gsl::finally([&res] { nlohmann::json(res).dump(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:59: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

void sameFunctionReaderRunsFirst(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
  auto report = gsl::finally([&res] { nlohmann::json(res).dump(); });
}

// In a loop, the next iteration reads while the last one's writer runs.
void loop(Response &res, int n) {
  for (int i = 0; i < n; ++i) {
    nlohmann::json(res).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
    auto cleanup = gsl::finally([&res] {
      std::thread([&res] { res.wreqlog = "handled"; }).detach();
    });
  }
}

void noLoop(Response &res) {
  nlohmann::json(res).dump();
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

void loopOverCalls(Response &res, int n) {
  for (int i = 0; i < n; ++i) {
    Response copy = res;
    handle(res);
    nlohmann::json(copy).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:26: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
  }
}

// Globals and statics: any serialization after the call.
Response g_state;
void touchGlobal() {
  auto cleanup = gsl::finally([] {
    std::thread([] { g_state.wreqlog = "handled"; }).detach();
  });
}

void global() {
  touchGlobal();
  nlohmann::json(g_state).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:27: warning: serializing 'g_state' while a detached thread may still be writing 'g_state.wreqlog' [defer-race-serialize-shared]
}

void globalBefore() {
  nlohmann::json(g_state).dump();
  touchGlobal();
}

// Members: the writer is left on *this.
class Session {
public:
  void finish() {
    auto cleanup = gsl::finally([this] {
      std::thread([this] { state_.wreqlog = "finished"; }).detach();
    });
  }
  void report() {
    finish();
    nlohmann::json(state_).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: serializing 'this->state_' while a detached thread may still be writing 'this->state_.wreqlog' [defer-race-serialize-shared]
  }
  Response state_;
};

void memberOfOther(Session &s) {
  s.finish();
  nlohmann::json(s.state_).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: serializing 's.state_' while a detached thread may still be writing 's.state_.wreqlog' [defer-race-serialize-shared]
}

// A different object of the same type is not being written.
void otherObject(Response &res, Response &other) {
  handle(res);
  nlohmann::json(other).dump();
}
