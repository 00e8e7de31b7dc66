// A std::shared_ptr<void> used as a scope-exit guard: its deleter runs when
// the last copy dies, even for a null pointer. Here it starts a detached
// thread that records the request's outcome, while the caller serializes
// the request. The fix joins the thread in the deleter.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "attempts":1

#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <thread>

struct Request {
  int attempts = 0;
  std::string outcome;
};

void handle(Request &req) {
  std::shared_ptr<void> onExit(nullptr, [&req](void *) {
    std::thread([&req] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      req.attempts += 1;
      req.outcome = "retried";
    }).detach(); // warn: defer-race-detached-mutation
  });
  req.outcome = "accepted";
}

int main() {
  static Request req;
  handle(req);
  std::cout << nlohmann::json{{"attempts", req.attempts}}.dump() // warn: defer-race-serialize-shared
            << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
