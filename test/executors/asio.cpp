// Work posted to a thread pool from a scope-exit guard and never waited for:
// C++'s own `go func()`. Debian's Boost.Asio 1.74.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++20 -DBOOST_ASIO_HAS_CO_AWAIT -DBOOST_ASIO_HAS_STD_COROUTINE
// RUN: %check_defer_race -check-suffixes=,IOCONTEXT %s defer-race-detached-mutation %t \
// RUN:   -- -config="{CheckOptions: [{key: defer-race-detached-mutation.ConcurrentExecutors, value: 'boost::asio::io_context'}]}" \
// RUN:   -- -std=c++20 -DBOOST_ASIO_HAS_CO_AWAIT -DBOOST_ASIO_HAS_STD_COROUTINE

// Boost 1.74's Asio uses std::exchange without including <utility>.
#include <utility>
#include <coroutine>

#include <boost/asio.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>
#include <gsl/gsl>

#include <string>

struct Response {
  std::string log;
};

boost::asio::awaitable<void> record(Response &res) {
  res.log = "recorded";
  co_return;
}

void postToPool(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::post(pool, [&res] { res.log = "done"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::post' in a scope-exit guard may still be writing 'res.log' after 'postToPool' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    boost::asio::post(pool, boost::asio::use_future([&res] { res.log = "done"; })).wait();{{$}}
  });
}

void postToExecutor(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::post(pool.get_executor(), [&res] { res.log = "done"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::post' in a scope-exit guard may still be writing 'res.log' after 'postToExecutor' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    boost::asio::post(pool.get_executor(), boost::asio::use_future([&res] { res.log = "done"; })).wait();{{$}}
  });
}

void dispatchAndDefer(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::dispatch(pool, [&res] { res.log = "dispatched"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::dispatch' in a scope-exit guard may still be writing 'res.log' after 'dispatchAndDefer' returns [defer-race-detached-mutation]
    boost::asio::defer(pool.get_executor(), [&res] { res.log = "deferred"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::defer' in a scope-exit guard may still be writing 'res.log' after 'dispatchAndDefer' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    boost::asio::dispatch(pool, boost::asio::use_future([&res] { res.log = "dispatched"; })).wait();{{$}}
    // CHECK-FIXES: {{^}}    boost::asio::defer(pool.get_executor(), boost::asio::use_future([&res] { res.log = "deferred"; })).wait();{{$}}
  });
}

void strand(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    auto s = boost::asio::make_strand(pool.get_executor());
    boost::asio::post(s, [&res] { res.log = "stranded"; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::post' in a scope-exit guard may still be writing 'res.log' after 'strand' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    boost::asio::post(s, boost::asio::use_future([&res] { res.log = "stranded"; })).wait();{{$}}
  });
}

// The future is waited for before the guard finishes.
void postAndWait(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::post(pool, boost::asio::use_future([&res] { res.log = "done"; }))
        .wait();
  });
}

void postAndGetLater(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    auto done = boost::asio::post(pool, boost::asio::use_future([&res] { res.log = "done"; }));
    done.get();
  });
}

// A future nobody waits for does not wait.
void postAndForgetFuture(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    auto done = boost::asio::post(pool, boost::asio::use_future([&res] { res.log = "done"; }));
    // CHECK-MESSAGES: :[[@LINE-1]]:17: warning: work posted with 'boost::asio::post' in a scope-exit guard may still be writing 'res.log' after 'postAndForgetFuture' returns [defer-race-detached-mutation]
  });
}

// Copies only.
void postCopy(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::post(pool, [copy = res]() mutable { copy.log = "done"; });
  });
}

// An io_context may be run by the thread that posts: not concurrent unless
// the ConcurrentExecutors option says so.
void postToIoContext(Response &res, boost::asio::io_context &io) {
  auto g = gsl::finally([&res, &io] {
    boost::asio::post(io, [&res] { res.log = "done"; });
    // CHECK-MESSAGES-IOCONTEXT: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::post' in a scope-exit guard may still be writing 'res.log' after 'postToIoContext' returns [defer-race-detached-mutation]
    // CHECK-FIXES-IOCONTEXT: {{^}}    boost::asio::post(io, boost::asio::use_future([&res] { res.log = "done"; })).wait();{{$}}
  });
}

void coSpawnDetached(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::co_spawn(pool, record(res), boost::asio::detached);
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::co_spawn' in a scope-exit guard may still be writing 'res.log' after 'coSpawnDetached' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    boost::asio::co_spawn(pool, record(res), boost::asio::use_future).wait();{{$}}
  });
}

void coSpawnLambda(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::co_spawn(
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'boost::asio::co_spawn' in a scope-exit guard may still be writing 'res.log' after 'coSpawnLambda' returns [defer-race-detached-mutation]
        pool.get_executor(),
        [&res]() -> boost::asio::awaitable<void> {
          res.log = "spawned";
          co_return;
        },
        boost::asio::detached);
        // CHECK-FIXES: {{^}}        boost::asio::use_future).wait();{{$}}
  });
}

void coSpawnWaited(Response &res, boost::asio::thread_pool &pool) {
  auto g = gsl::finally([&res, &pool] {
    boost::asio::co_spawn(pool, record(res), boost::asio::use_future).get();
  });
}

// A std::async future kept beyond the guard: its destructor does not run
// when the guard finishes.
struct Server {
  std::vector<std::future<void>> pending;
  Response state;
  void handle() {
    auto g = gsl::finally([this] {
      pending.push_back(std::async(std::launch::async, [this] { state.log = "done"; }));
      // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: std::async task whose future is kept in a scope-exit guard may still be writing 'this->state.log' after 'Server::handle' returns [defer-race-detached-mutation]
    });
  }
  // A local future waits in its destructor.
  void handleLocal() {
    auto g = gsl::finally([this] {
      auto f = std::async(std::launch::async, [this] { state.log = "done"; });
    });
  }
};
