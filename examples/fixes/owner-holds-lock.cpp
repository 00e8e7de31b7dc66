// A join that would deadlock: flush() holds the registry lock while its guard
// runs, and the guard's thread takes the same lock before it writes. Turning
// .detach() into .join() there would wait forever, so defer-race offers no
// fix, and says why in a note. Both ways of applying fixes leave the file as
// it is.
//
// sanitizer: thread
// problem: yes
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

struct Response {
  std::string status;
  std::string wreqlog;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Response, status, wreqlog)

std::mutex registryLock;
int flushes = 0; // guarded by registryLock

void flush(Response &res) {
  std::lock_guard<std::mutex> hold(registryLock);
  auto cleanup = gsl::finally([&res] {
    std::thread([&res] {
      {
        std::lock_guard<std::mutex> count(registryLock);
        ++flushes;
      }
      res.wreqlog = "flushed";
    }).detach(); // warn: defer-race-detached-mutation
  });
  res.status = "flushing";
}

int main() {
  static Response res;
  flush(res);
  std::cout << nlohmann::json(res).dump() << "\n"; // warn: defer-race-serialize-shared
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
