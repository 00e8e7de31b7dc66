// Qt work started by a scope-exit guard (Debian's qtbase5-dev): a dropped
// QFuture or QThreadPool::start leave the writer running, unless the guard
// or every caller waits for it.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17 %qt_flags

#include <QtConcurrent/QtConcurrent>
#include <QtCore/QScopeGuard>
#include <QtCore/QThreadPool>

struct Response {
  int status = 0;
  QFuture<void> last;
};

void handle(Response &res) {
  auto g = qScopeGuard([&res] {
    QtConcurrent::run([&res] { res.status = 200; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'QtConcurrent::run' in a scope-exit guard may still be writing 'res.status' after 'handle' returns [defer-race-detached-mutation]
  });
}

void handleWaited(Response &res) {
  auto g = qScopeGuard([&res] {
    QtConcurrent::run([&res] { res.status = 200; }).waitForFinished();
  });
}

// The future is kept in a member and waited for there.
void handleKeptAndWaited(Response &res) {
  auto g = qScopeGuard([&res] {
    res.last = QtConcurrent::run([&res] { res.status = 200; });
    res.last.waitForFinished();
  });
}

void handlePool(Response &res) {
  auto g = qScopeGuard([&res] {
    QThreadPool::globalInstance()->start([&res] { res.status = 200; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'QThreadPool::start' in a scope-exit guard may still be writing 'res.status' after 'handlePool' returns [defer-race-detached-mutation]
  });
}

void handlePoolWaited(Response &res) {
  auto g = qScopeGuard([&res] {
    QThreadPool::globalInstance()->start([&res] { res.status = 200; });
    QThreadPool::globalInstance()->waitForDone();
  });
}

void handleCopy(Response &res) {
  auto g = qScopeGuard([&res] {
    QtConcurrent::run([copy = res.status]() mutable { copy = 200; });
  });
}

// Every caller waits for the pool before it looks at the object.
void save(Response &res) {
  auto g = qScopeGuard([&res] {
    QThreadPool::globalInstance()->start([&res] { res.status = 201; });
  });
}

int saveAndWait(Response &res) {
  save(res);
  QThreadPool::globalInstance()->waitForDone();
  return res.status;
}

// One caller looks first.
void store(Response &res) {
  auto g = qScopeGuard([&res] {
    QThreadPool::globalInstance()->start([&res] { res.status = 202; });
    // CHECK-MESSAGES: :[[@LINE-1]]:5: warning: work posted with 'QThreadPool::start' in a scope-exit guard may still be writing 'res.status' after 'store' returns [defer-race-detached-mutation]
  });
}

int storeAndLook(Response &res) {
  store(res);
  int seen = res.status;
  QThreadPool::globalInstance()->waitForDone();
  return seen;
}
