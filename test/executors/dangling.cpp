// Work posted to a thread pool that refers to the poster's locals.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++20

#include <boost/asio.hpp>

#include <string>

void schedule(boost::asio::thread_pool &pool) {
  std::string greeting = "hello";
  boost::asio::post(pool, [&greeting] { greeting += " world"; });
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: work posted with 'boost::asio::post' captures 'greeting' by reference; 'greeting' goes out of scope while the work may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  boost::asio::post(pool, [greeting = std::move(greeting)]() mutable { greeting += " world"; });{{$}}
}

// An io_context is not concurrent unless ConcurrentExecutors says so.
void scheduleOnIo(boost::asio::io_context &io) {
  std::string greeting = "hello";
  boost::asio::post(io, [&greeting] { greeting += " world"; });
}

void scheduleCopy(boost::asio::thread_pool &pool) {
  std::string greeting = "hello";
  boost::asio::post(pool, [greeting]() mutable { greeting += " world"; });
}
