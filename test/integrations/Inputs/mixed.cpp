// A defer-race finding beside an upstream one: both kinds of check run in
// one defer-race-tidy.

#include <gsl/util>
#include <string>
#include <thread>
#include <utility>

struct Response {
  std::string log;
};

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.log = "handled"; }).detach();
  });
}

std::string moved(std::string s) {
  std::string t = std::move(s);
  return s + t;
}
