// Qt's fire-and-forget work (Debian's qtbase5-dev): QtConcurrent::run whose
// QFuture is dropped, and QThreadPool::start/tryStart, unless the pool is
// waited for before the local dies.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17 %qt_flags

#include <QtConcurrent/QtConcurrent>
#include <QtCore/QRunnable>
#include <QtCore/QThreadPool>

#include <string>

void runDropped() {
  int hits = 0;
  QtConcurrent::run([&hits] { ++hits; });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: work posted with 'QtConcurrent::run' captures 'hits' by reference; 'hits' goes out of scope while the work may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  QtConcurrent::run([hits]() mutable { ++hits; });{{$}}
}

void runWaited() {
  int hits = 0;
  QFuture<void> f = QtConcurrent::run([&hits] { ++hits; });
  f.waitForFinished();
}

void runWaitedInline() {
  int hits = 0;
  QtConcurrent::run([&hits] { ++hits; }).waitForFinished();
}

void runCopy() {
  int hits = 0;
  QtConcurrent::run([hits]() mutable { ++hits; });
}

void runOnPool(QThreadPool *pool) {
  int hits = 0;
  QtConcurrent::run(pool, [&hits] { ++hits; });
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: work posted with 'QtConcurrent::run' captures 'hits' by reference; 'hits' goes out of scope while the work may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  QtConcurrent::run(pool, [hits]() mutable { ++hits; });{{$}}
}

void runOnPoolWaited(QThreadPool *pool) {
  int hits = 0;
  QtConcurrent::run(pool, [&hits] { ++hits; });
  pool->waitForDone();
}

// A wait on another pool does not order the work.
void runOnPoolOtherWaited(QThreadPool *pool, QThreadPool *other) {
  int hits = 0;
  QtConcurrent::run(pool, [&hits] { ++hits; });
  // CHECK-MESSAGES: :[[@LINE-1]]:29: warning: work posted with 'QtConcurrent::run' captures 'hits' by reference; 'hits' goes out of scope while the work may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  QtConcurrent::run(pool, [hits]() mutable { ++hits; });{{$}}
  other->waitForDone();
}

void runOnGlobalWaited() {
  int hits = 0;
  QtConcurrent::run([&hits] { ++hits; });
  QThreadPool::globalInstance()->waitForDone();
}

void poolStart() {
  std::string line = "x";
  QThreadPool::globalInstance()->start([&line] { line += "y"; });
  // CHECK-MESSAGES: :[[@LINE-1]]:42: warning: work posted with 'QThreadPool::start' captures 'line' by reference; 'line' goes out of scope while the work may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  QThreadPool::globalInstance()->start([line = std::move(line)]() mutable { line += "y"; });{{$}}
}

void poolStartWaited() {
  std::string line = "x";
  QThreadPool::globalInstance()->start([&line] { line += "y"; });
  QThreadPool::globalInstance()->waitForDone();
}

void poolTryStart(QThreadPool &pool) {
  std::string line = "x";
  pool.tryStart([&line] { line += "y"; });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: work posted with 'QThreadPool::tryStart' captures 'line' by reference; 'line' goes out of scope while the work may still use it [defer-race-dangling-capture]
  // CHECK-FIXES: {{^}}  pool.tryStart([line = std::move(line)]() mutable { line += "y"; });{{$}}
}

void poolOwnWaited() {
  std::string line = "x";
  QThreadPool pool;
  pool.start([&line] { line += "y"; });
  pool.waitForDone();
}

// A QRunnable made with a pointer to a local.
struct Counter : QRunnable {
  explicit Counter(int *n) : n(n) {}
  void run() override { ++*n; }
  int *n;
};

void runnable() {
  int n = 0;
  QThreadPool::globalInstance()->start(new Counter(&n));
  // CHECK-MESSAGES: :[[@LINE-1]]:52: warning: work posted with 'QThreadPool::start' receives a pointer to 'n'; 'n' goes out of scope while the work may still use it [defer-race-dangling-capture]
}

void runnableWaited() {
  int n = 0;
  QThreadPool::globalInstance()->start(new Counter(&n));
  QThreadPool::globalInstance()->waitForDone();
}

struct Meter {
  void tick() { ++ticks; }
  int ticks = 0;
};

void memberOnLocal() {
  Meter m;
  QtConcurrent::run(&m, &Meter::tick);
  // CHECK-MESSAGES: :[[@LINE-1]]:21: warning: work posted with 'QtConcurrent::run' receives a pointer to 'm'; 'm' goes out of scope while the work may still use it [defer-race-dangling-capture]
}

// QtConcurrent::run(object, &C::f) copies the object.
void memberOnCopy() {
  Meter m;
  QtConcurrent::run(m, &Meter::tick);
}

// Work that a callee posts, and the caller waits for the pool.
struct Thumbnail {
  int width = 0;
};

void renderAsync(Thumbnail &t) {
  QThreadPool::globalInstance()->start([&t] { t.width = 128; });
}

int preview() {
  Thumbnail thumb;
  renderAsync(thumb);
  QThreadPool::globalInstance()->waitForDone();
  return thumb.width;
}

int previewUnwaited() {
  Thumbnail thumb;
  renderAsync(thumb);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'thumb' passed to 'renderAsync' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  return thumb.width;
}

// Work holding a pointer into an object that dies first.
struct Widget {
  void refreshAsync() {
    QtConcurrent::run([p = &count] { ++*p; });
  }
  void refreshOwned() {
    QtConcurrent::run([n = count]() mutable { ++n; });
  }
  int count = 0;
};

void showWidget() {
  Widget w;
  w.refreshAsync();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'w' (the object of 'refreshAsync') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  Widget v;
  v.refreshOwned();
}
