// Work posted to a boost::asio::thread_pool from a scope-exit guard and never
// waited for: C++'s own `go func()`. The caller serializes the response
// while the pool may still be writing it. The fix waits on a use_future.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: "accessLog":"GET /candidates 200","body":"candidates"

#include <boost/asio.hpp>
#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <string>
#include <thread>

struct Response {
  std::string body;
  std::string accessLog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, body, accessLog)

void handle(Response &res, boost::asio::thread_pool &pool) {
  auto cleanup = gsl::finally([&res, &pool] {
    boost::asio::post(pool, [&res] { res.accessLog = "GET /candidates 200"; }); // warn: defer-race-detached-mutation
  });
  res.body = "candidates";
}

std::string getCands(Response &res, boost::asio::thread_pool &pool) {
  handle(res, pool);
  return nlohmann::json(res).dump(); // warn: defer-race-serialize-shared
}

int main() {
  static boost::asio::thread_pool pool(2);
  static Response res;
  std::cout << getCands(res, pool) << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  pool.join();
}
