// SerializerFunctions given as a global option, without the check prefix,
// works like ScopeGuards and DetachedSpawners do: the check reads its own
// option first, then the global one.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- \
// RUN:   -config="{CheckOptions: [{key: SerializerFunctions, value: 'encodeResponse'}]}" -- -std=c++17

#include <gsl/gsl>

#include <string>
#include <thread>

struct Response {
  std::string data;
  std::string wreqlog;
};

std::string encodeResponse(const Response &res);

void handle(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

std::string reply(Response &res) {
  handle(res);
  return encodeResponse(res);
  // CHECK-MESSAGES: :[[@LINE-1]]:10: warning: serializing 'res' while a detached thread may still be writing 'res.wreqlog' [defer-race-serialize-shared]
}
