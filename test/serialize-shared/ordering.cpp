// serialize-shared with ordering: a caller that waits on the future its
// callee returns before it serializes is ordered with the writes made before
// the signal, not with those made after it; a reader lock orders no write.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <future>
#include <memory>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

struct Report {
  std::vector<std::string> lines;
  int pages = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Report, lines, pages)

std::future<void> renderThenSignal(Report &r) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  auto g = gsl::finally([&r, done] {
    std::thread([&r, done] {
      r.lines.push_back("header");
      r.pages = 1;
      done->set_value();
    }).detach();
  });
  return f;
}

std::string waitsThenSerializes() {
  Report r;
  std::future<void> f = renderThenSignal(r);
  f.wait();
  return nlohmann::json(r).dump();
}

std::string serializesBeforeWaiting() {
  Report r;
  std::future<void> f = renderThenSignal(r);
  std::string early = nlohmann::json(r).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:41: warning: serializing 'r' while a detached thread may still be writing 'r.lines' [defer-race-serialize-shared]
  f.wait();
  return early;
}

std::future<void> signalThenRender(Report &r) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> f = done->get_future();
  auto g = gsl::finally([&r, done] {
    std::thread([&r, done] {
      done->set_value();
      r.pages = 1;
    }).detach();
  });
  return f;
}

std::string waitIsTooEarly() {
  Report r;
  std::future<void> f = signalThenRender(r);
  f.wait();
  return nlohmann::json(r).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: serializing 'r' while a detached thread may still be writing 'r.pages' [defer-race-serialize-shared]
}

// A heap object named by a reference is the caller's like any local.
std::string heapObject() {
  Report &r = *new Report;
  std::future<void> f = signalThenRender(r);
  f.wait();
  return nlohmann::json(r).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:28: warning: serializing 'r' while a detached thread may still be writing 'r.pages' [defer-race-serialize-shared]
}

struct Counter {
  std::shared_mutex mu;
  int hits = 0;
};

void bumpUnderReaderLock(Counter &c) {
  auto g = gsl::finally([&c] {
    std::thread([&c] {
      std::shared_lock<std::shared_mutex> lock(c.mu);
      ++c.hits;
    }).detach();
  });
}

std::string readerLocks() {
  static Counter c;
  bumpUnderReaderLock(c);
  std::shared_lock<std::shared_mutex> lock(c.mu);
  return nlohmann::json(c.hits).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:33: warning: serializing 'c.hits' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void bumpUnderWriterLock(Counter &c) {
  auto g = gsl::finally([&c] {
    std::thread([&c] {
      std::unique_lock<std::shared_mutex> lock(c.mu);
      ++c.hits;
    }).detach();
  });
}

std::string writerLocks() {
  static Counter c;
  bumpUnderWriterLock(c);
  std::shared_lock<std::shared_mutex> lock(c.mu);
  return nlohmann::json(c.hits).dump();
}
