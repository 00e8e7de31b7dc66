// The fixed twin of handler.cpp: the thread is joined, so report()
// serializes res only after the write has finished.

#include "response.h"

#include <cstdio>
#include <gsl/util>
#include <thread>

std::string to_json(const Response &res);

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.log = "handled"; }).join();
  });
  res.data = "candidates";
}

void report(Response &res) {
  auto print = gsl::finally([&res] { std::puts(to_json(res).c_str()); });
  handle(res);
}
