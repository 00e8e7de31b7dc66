// Both sides under the same mutex: no race. A writer under a lock that the
// reader does not take, or the other way round, is still a race.
//
// RUN: %check_defer_race %s defer-race-serialize-shared %t -- -- -std=c++17

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <thread>

struct Response {
  std::mutex mu;
  std::mutex other;
  std::string wreqlog;
};

void handleLocked(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] {
      std::lock_guard<std::mutex> lock(res.mu);
      res.wreqlog = "handled";
    }).detach();
  });
}

void handleUnlocked(Response &res) {
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] { res.wreqlog = "handled"; }).detach();
  });
}

void sameMutex(Response &res) {
  handleLocked(res);
  std::lock_guard<std::mutex> lock(res.mu);
  nlohmann::json(res.wreqlog).dump();
}

void otherMutex(Response &res) {
  handleLocked(res);
  std::lock_guard<std::mutex> lock(res.other);
  nlohmann::json(res.wreqlog).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void readerUnlocked(Response &res) {
  handleLocked(res);
  nlohmann::json(res.wreqlog).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void writerUnlocked(Response &res) {
  handleUnlocked(res);
  std::lock_guard<std::mutex> lock(res.mu);
  nlohmann::json(res.wreqlog).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}

void lockReleasedBeforeRead(Response &res) {
  handleLocked(res);
  std::unique_lock<std::mutex> lock(res.mu);
  lock.unlock();
  nlohmann::json(res.wreqlog).dump();
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: serializing 'res.wreqlog' while a detached thread may still be writing it [defer-race-serialize-shared]
}
