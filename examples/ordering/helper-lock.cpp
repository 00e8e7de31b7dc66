// Safe: the detached thread takes the lock in its own lambda and writes in a
// helper it calls; the caller reads under the same mutex. The lock held at
// the call flows into the helper.
//
// sanitizer: thread
// problem: no
// fix: none

#include <gsl/gsl>
#include <nlohmann/json.hpp>

#include <chrono>
#include <iostream>
#include <mutex>
#include <thread>

struct Inventory {
  std::mutex mu;
  int onHand = 0;
};

void restock(Inventory &inv, int n) { inv.onHand += n; }

void receive(Inventory &inv, int n) {
  auto flush = gsl::finally([&inv, n] {
    std::thread([&inv, n] {
      std::lock_guard<std::mutex> lock(inv.mu);
      restock(inv, n);
    }).detach();
  });
}

int main() {
  static Inventory inv;
  receive(inv, 5);
  for (int i = 0; i < 3; ++i) {
    {
      std::lock_guard<std::mutex> lock(inv.mu);
      std::cout << nlohmann::json(inv.onHand).dump() << "\n";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}
