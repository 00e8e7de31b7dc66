// Safe twin of the seed: the guard joins its thread, so handle() returns
// only after the write, and the caller's serialization cannot overlap it.
//
// sanitizer: thread
// problem: no
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, data, wreqlog)

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "request handled"; }).join();
  });
  res.data = "candidates";
}

void getCands(Response &res) {
  auto report = gsl::finally([&res] {
    std::cout << nlohmann::json(res).dump() << "\n";
  });
  handle(res);
}

int main() {
  static Response res;
  getCands(res);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
