// Safe twin: the detached thread works on its own copy of the response, so
// the caller serializes an object no other thread writes.
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
    std::thread([copy = res]() mutable {
      copy.wreqlog = "request handled";
      std::cout << copy.wreqlog.size() << "\n";
    }).detach();
  });
  res.data = "candidates";
}

void getCands(Response &res) {
  handle(res);
  std::cout << nlohmann::json(res).dump() << "\n";
}

int main() {
  static Response res;
  getCands(res);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
