// Safe twin: the detached writer and the serializing caller hold the same
// mutex.
//
// sanitizer: thread
// problem: no
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

struct Response {
  std::mutex mu;
  std::string wreqlog;
};

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] {
      std::lock_guard<std::mutex> lock(res.mu);
      res.wreqlog = "request handled";
    }).detach();
  });
}

void getCands(Response &res) {
  handle(res);
  std::lock_guard<std::mutex> lock(res.mu);
  std::cout << nlohmann::json(res.wreqlog).dump() << "\n";
}

int main() {
  static Response res;
  getCands(res);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
