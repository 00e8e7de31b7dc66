// The snapshot that would lose data: handle() sets the status before it
// returns, and its guard leaves a thread writing the request log. A snapshot
// of res taken before the call to handle() would serialize the old status.
// defer-race offers no snapshot here; the fix both ways is the join in the
// guard, and the serialized output keeps "done".
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "status":"done"

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Response {
  std::string status = "new";
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, status, wreqlog)

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "request handled"; }).detach(); // warn: defer-race-detached-mutation
  });
  res.status = "done";
}

std::string serve(Response &res) {
  handle(res);
  return nlohmann::json(res).dump(); // warn: defer-race-serialize-shared
}

int main() {
  static Response res;
  std::cout << serve(res) << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
