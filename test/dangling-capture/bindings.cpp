// Structured bindings captured by reference (C++20; Clang 16 and later
// accept the capture): the binding names part of a hidden local, which dies
// with the scope.
//
// UNSUPPORTED: llvm-14, llvm-15
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++20

#include <string>
#include <thread>
#include <utility>

void use(int);
void use(const std::string &);
std::pair<std::string, int> endpointFor(int shard);
std::pair<std::string, int> &sharedEndpoint();

void bindingByReference(int shard) {
  auto [host, port] = endpointFor(shard);
  std::thread([&] { use(port); }).detach();
  // CHECK-MESSAGES: :[[@LINE-1]]:25: warning: detached thread captures 'port' by reference; 'port' goes out of scope while the thread may still use it [defer-race-dangling-capture]
}
void bindingByCopy(int shard) {
  auto [host, port] = endpointFor(shard);
  std::thread([=] { use(host); }).detach();
}
// Bound to an object that outlives the scope.
void bindingOfShared() {
  auto &[host, port] = sharedEndpoint();
  std::thread([&] { use(port); }).detach();
}
void bindingJoined(int shard) {
  auto [host, port] = endpointFor(shard);
  std::thread([&] { use(port); }).join();
}
