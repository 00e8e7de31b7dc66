// The bug defer-race exists for, in C++.
//
// handle() registers a scope-exit guard whose lambda starts a detached thread
// that writes res.wreqlog. getCands() registers a guard that copies res into a
// struct and serializes it, then calls handle(). When getCands() returns, its
// guard serializes res while handle()'s thread may still be writing it.
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

void to_json(nlohmann::json &j, const FakeRes &r) {
  j = nlohmann::json{{"data", r.data}, {"wreqlog", r.wreqlog}};
}

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "request handled"; }).detach(); // warn: defer-race-detached-mutation
  });
  res.data = "candidates";
}

void getCands(Response &res) {
  auto report = gsl::finally([&res] {
    FakeRes snapshot{res.data, res.wreqlog};
    std::cout << nlohmann::json(snapshot).dump() << "\n"; // warn: defer-race-serialize-shared
  });
  handle(res);
}

int main() {
  static Response res;
  getCands(res);
  // Like a server, keep running while the request's threads finish.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

// The example declares what ThreadSanitizer sees, and how the fix-its apply
// (see examples/run_example.py):
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "data":"candidates","wreqlog":"request handled"
