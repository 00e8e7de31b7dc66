// Every scope-exit guard family, with the real Debian headers where Debian
// has them. Each guard's lambda detaches a thread that writes the caller's
// object; each has a twin that is safe for one reason.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17 -isystem %test_include -isystem %llvm_include

#include <absl/cleanup/cleanup.h>
#include <boost/scope/defer.hpp>
#include <boost/scope/scope_exit.hpp>
#include <boost/scope_exit.hpp>
#include <experimental/scope>
#include <folly/ScopeGuard.h>
#include <gsl/gsl>
#include <llvm/ADT/ScopeExit.h>

#include <string>
#include <thread>

struct Response {
  std::string log;
  int status = 0;
};

void gslFinally(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'gslFinally' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void gslFinalAction(Response &res) {
  auto work = [&res] { std::thread([&res] { res.status = 1; }).detach(); };
  // CHECK-MESSAGES: :[[@LINE-1]]:64: warning: thread detached in a scope-exit guard may still be writing 'res.status' after 'gslFinalAction' returns [defer-race-detached-mutation]
  // CHECK-FIXES: {{^}}  auto work = [&res] { std::thread([&res] { res.status = 1; }).join(); };{{$}}
  gsl::final_action<decltype(work)> g(work);
}

void abslCleanupCtad(Response &res) {
  absl::Cleanup c = [&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'abslCleanupCtad' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  };
}

void abslMakeCleanup(Response &res) {
  auto c = absl::MakeCleanup([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'abslMakeCleanup' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

// Cancelled on every path: never runs.
void abslCancelled(Response &res) {
  absl::Cleanup c = [&res] {
    std::thread([&res] { res.log = "done"; }).detach();
  };
  std::move(c).Cancel();
}

// Cancelled on one path only: runs on the other.
void abslCancelledSometimes(Response &res, bool ok) {
  absl::Cleanup c = [&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'abslCancelledSometimes' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  };
  if (ok)
    std::move(c).Cancel();
}

void llvmScopeExit(Response &res) {
  auto g = llvm::make_scope_exit([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'llvmScopeExit' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void llvmScopeExitReleased(Response &res) {
  auto g = llvm::make_scope_exit([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
  });
  g.release();
}

void follyScopeExit(Response &res) {
  SCOPE_EXIT {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'follyScopeExit' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  };
}

void follyScopeFail(Response &res) {
  SCOPE_FAIL {
    std::thread([&res] { res.log = "failed"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'follyScopeFail' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "failed"; }).join();{{$}}
  };
}

void follyScopeSuccess(Response &res) {
  SCOPE_SUCCESS {
    std::thread([&res] { res.log = "ok"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'follyScopeSuccess' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "ok"; }).join();{{$}}
  };
}

void follyMakeGuard(Response &res) {
  auto g = folly::makeGuard([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'follyMakeGuard' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void follyDismissed(Response &res) {
  auto g = folly::makeGuard([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
  });
  g.dismiss();
}

void experimentalScopeExit(Response &res) {
  std::experimental::scope_exit g([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'experimentalScopeExit' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void experimentalScopeFail(Response &res) {
  std::experimental::scope_fail g([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'experimentalScopeFail' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void boostScopeExit(Response &res) {
  boost::scope::scope_exit g([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostScopeExit' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void boostScopeExitDeactivated(Response &res) {
  boost::scope::scope_exit g([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
  });
  g.set_active(false);
}

void boostScopeDefer(Response &res) {
  BOOST_SCOPE_DEFER [&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostScopeDefer' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  };
}

void boostScopeExitMacro(Response &res) {
  BOOST_SCOPE_EXIT(&res) {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostScopeExitMacro' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  } BOOST_SCOPE_EXIT_END
}

// Captured by value: the body writes the guard's own copy.
void boostScopeExitMacroByValue(Response res) {
  BOOST_SCOPE_EXIT(res) {
    std::thread([&res] { res.log = "done"; }).detach();
  } BOOST_SCOPE_EXIT_END
}

void boostScopeExitAll(Response &res) {
  BOOST_SCOPE_EXIT_ALL(&) {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'boostScopeExitAll' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  };
}

// A lambda that is not run at scope exit.
void notAGuard(Response &res) {
  auto later = [&res] { std::thread([&res] { res.log = "done"; }).detach(); };
  (void)later;
}
