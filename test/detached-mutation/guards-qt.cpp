// Qt's qScopeGuard, from Debian's qtbase5-dev.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17 %qt_flags

#include <QtCore/QScopeGuard>

#include <string>
#include <thread>

struct Response {
  std::string log;
};

void qtGuard(Response &res) {
  auto g = qScopeGuard([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'qtGuard' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void qtGuardDismissed(Response &res) {
  auto g = qScopeGuard([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
  });
  g.dismiss();
}
