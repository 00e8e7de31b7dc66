// handle() leaves a detached thread writing res.log; report() serializes
// res after calling it. Two findings: detached-mutation at the detach,
// serialize-shared at the serializer call.

#include "response.h"

#include <cstdio>
#include <gsl/util>
#include <thread>

std::string to_json(const Response &res);

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.log = "handled"; }).detach();
  });
  res.data = "candidates";
}

void report(Response &res) {
  auto print = gsl::finally([&res] { std::puts(to_json(res).c_str()); });
  handle(res);
}
