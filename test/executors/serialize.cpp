// serialize-shared follows executor work the way it follows threads: a
// callee that posts work writing its parameter leaves a writer behind. A
// future kept in a member and waited for before the read ends the writer.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++20

#include <boost/asio.hpp>
#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <future>
#include <string>
#include <vector>

struct Response {
  std::string log;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, log)

void handle(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::post(pool, [&res] { res.log = "handled"; });
  });
}

void getCands(Response &res, boost::asio::thread_pool &pool) {
  handle(res, pool);
  nlohmann::json(res).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: serializing 'res' while a detached thread may still be writing 'res.log' [defer-race-serialize-shared]
}

class Server {
public:
  void handle() {
    auto g = gsl::finally([this] {
      pending_.push_back(std::async(std::launch::async, [this] { state_.log = "done"; }));
    });
  }
  void report() {
    handle();
    nlohmann::json(state_).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: serializing 'this->state_' while a detached thread may still be writing 'this->state_.log' [defer-race-serialize-shared]
  }
  void reportAfterWaiting() {
    handle();
    for (auto &f : pending_)
      f.wait();
    nlohmann::json(state_).dump();
  }
  void reportAfterWaitingOnOnePath(bool wait) {
    handle();
    if (wait)
      pending_.back().wait();
    nlohmann::json(state_).dump();
    // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: serializing 'this->state_' while a detached thread may still be writing 'this->state_.log' [defer-race-serialize-shared]
  }

private:
  std::vector<std::future<void>> pending_;
  Response state_;
};
