// A RAII class whose destructor starts the detached work itself: the object
// is a scope-exit guard whose callable is its destructor. The thread counts
// the request in the caller's statistics after the function returned, while
// the caller reads them. The fix joins the thread in the destructor.
//
// sanitizer: thread
// problem: yes
// fix: --fix
// expect: served=1

#include <chrono>
#include <cstdio>
#include <thread>

struct Stats {
  int served = 0;
};

class RequestScope {
public:
  explicit RequestScope(Stats &stats) : stats_(stats) {}
  ~RequestScope() {
    // The thread holds the caller's Stats, not this object, which dies now.
    std::thread([&stats = stats_] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      stats.served += 1;
    }).detach(); // warn: defer-race-detached-mutation
  }

private:
  Stats &stats_;
};

void serve(Stats &stats) {
  RequestScope scope(stats);
}

int main() {
  static Stats stats;
  serve(stats);
  std::printf("served=%d\n", stats.served);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
}
