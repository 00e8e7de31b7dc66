// Does not compile: the run reports clang's errors and goes on with the other
// files. It also has a race that clang-tidy would report from what it could
// parse: a file that was not analysed contributes no findings, so the race
// must not be shown or counted.

#include "response.h"

#include <gsl/util>
#include <thread>

void broken(Response &res) {
  res.missing_field = 1;
}

void racy(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.log = "broken"; }).detach();
  });
}
