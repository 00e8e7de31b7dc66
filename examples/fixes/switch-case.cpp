// A snapshot cannot go into a switch's case: the declaration would be jumped
// over by the next label, and the file would no longer compile. defer-race
// offers no snapshot there; the join in the guard is the fix both ways, and
// the program still answers each kind of request.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "data":"listed"

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

void list(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "list handled"; }).detach(); // warn: defer-race-detached-mutation
  });
}

std::string serve(Response &res, int kind) {
  switch (kind) {
  case 1:
    res.data = "listed";
    list(res);
    return nlohmann::json(res).dump(); // warn: defer-race-serialize-shared
  case 2:
    res.data = "other";
    break;
  }
  return "{}";
}

int main() {
  static Response res;
  std::cout << serve(res, 1) << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
