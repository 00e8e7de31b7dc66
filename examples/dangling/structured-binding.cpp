// A structured binding captured by reference: `port` names a part of a
// hidden local that dies when warm() returns, while the detached thread
// still reads it. AddressSanitizer catches the read of the dead frame. The
// check offers no fix-it for bindings.
//
// sanitizer: address
// problem: yes
// fix: none
// flags: -std=c++20
// min-llvm: 16

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <utility>

std::pair<std::string, int> endpointFor(int shard) {
  return {"db-" + std::to_string(shard), 5432 + shard};
}

void warm(int shard) {
  auto [host, port] = endpointFor(shard);
  std::thread([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::printf("port=%d\n", port); // warn: defer-race-dangling-capture
  }).detach();
}

int main() {
  warm(2);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
}
