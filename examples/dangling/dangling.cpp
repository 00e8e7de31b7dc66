// A detached thread that outlives the stack frame it refers to.
//
// audit() keeps a counter on its stack; its scope-exit guard starts a thread
// that updates the counter a little later, after audit() has returned.
// AddressSanitizer (detect_stack_use_after_return=1) catches the write into
// the dead frame. The fix captures the counter by copy.
//
// sanitizer: address
// problem: yes
// fix: --fix
// expect: retries=4

#include <gsl/gsl>

#include <chrono>
#include <cstdio>
#include <thread>

void audit() {
  int retries = 3;
  auto cleanup = gsl::finally([&] {
    std::thread([&retries] { // warn: defer-race-dangling-capture
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++retries;
      std::printf("retries=%d\n", retries);
    }).detach();
  });
}

int main() {
  audit();
  // Another call reuses the stack while the thread still points into it.
  audit();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
}
