// Guards that call a callable held in a member of an object that came from
// outside (task.onFinish(), with task a parameter), or in a local variable:
// every value the translation unit stores into that member is followed.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <functional>
#include <pthread.h>
#include <thread>
#include <utility>

struct Counter {
  int value = 0;
};

void bumpInBackground(Counter &c) {
  std::thread([&c] { c.value++; }).detach();
}

void bumpAndWait(Counter &c) {
  std::thread([&c] { c.value++; }).join();
}

void bumpACopy(Counter &c) {
  std::thread([v = c.value]() mutable { ++v; }).detach();
}

// A std::function member, set by an aggregate initialisation.
struct Task {
  Counter &counter;
  std::function<void(Counter &)> onFinish;
};

void execute(Task &task) {
  auto done = gsl::finally([&task] { task.onFinish(task.counter); });
  // CHECK-MESSAGES: :[[@LINE-1]]:38: warning: call to 'onFinish' in a scope-exit guard leaves a detached thread writing 'task.counter.value' after 'execute' returns [defer-race-detached-mutation]
  task.counter.value += 0;
}

void runTask(Counter &c) {
  Task t{c, &bumpInBackground};
  execute(t);
}

// The same, when every value stored waits for its thread or copies.
struct QuietTask {
  Counter &counter;
  std::function<void(Counter &)> onFinish;
};

void executeQuiet(QuietTask &task) {
  auto done = gsl::finally([&task] { task.onFinish(task.counter); });
}

void runQuiet(Counter &c) {
  QuietTask a{c, &bumpAndWait};
  executeQuiet(a);
  QuietTask b{c, bumpACopy};
  executeQuiet(b);
}

// A function pointer member, set by an assignment.
struct Job {
  Counter *counter = nullptr;
  void (*finish)(Counter &) = nullptr;
};

void finishJob(Job *job) {
  auto done = gsl::finally([job] { job->finish(*job->counter); });
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: call to 'finish' in a scope-exit guard leaves a detached thread writing 'job->counter->value' after 'finishJob' returns [defer-race-detached-mutation]
}

void scheduleJob(Counter &c) {
  Job job;
  job.counter = &c;
  job.finish = bumpInBackground;
  finishJob(&job);
}

// A member set through a constructor, to a lambda without captures.
class Request {
public:
  Request(Counter &c, std::function<void(Counter &)> f)
      : counter_(c), onDone_(std::move(f)) {}
  void complete() {
    auto done = gsl::finally([this] { onDone_(counter_); });
    // CHECK-MESSAGES: :[[@LINE-1]]:39: warning: call to 'onDone_' in a scope-exit guard leaves a detached thread writing 'this->counter_.value' after 'Request::complete' returns [defer-race-detached-mutation]
  }

private:
  Counter &counter_;
  std::function<void(Counter &)> onDone_;
};

void serve(Counter &c) {
  Request r(c, [](Counter &k) { std::thread([&k] { k.value = 7; }).detach(); });
  r.complete();
}

class JoinedRequest {
public:
  JoinedRequest(Counter &c, std::function<void(Counter &)> f)
      : counter_(c), onDone_(std::move(f)) {}
  void complete() {
    auto done = gsl::finally([this] { onDone_(counter_); });
  }

private:
  Counter &counter_;
  std::function<void(Counter &)> onDone_;
};

void serveJoined(Counter &c) {
  JoinedRequest r(c, [](Counter &k) { std::thread([&k] { k.value = 7; }).join(); });
  r.complete();
}

// A default member initializer, called by a helper of the guard.
struct Hooks {
  std::function<void(Counter &)> after = bumpInBackground;
};

void runHooks(Hooks &h, Counter &c) { h.after(c); }

void withHooks(Hooks &h, Counter &c) {
  auto done = gsl::finally([&] { runHooks(h, c); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: call to 'runHooks' in a scope-exit guard leaves a detached thread writing 'c.value' after 'withHooks' returns [defer-race-detached-mutation]
}

struct QuietHooks {
  std::function<void(Counter &)> after = bumpAndWait;
};

void withQuietHooks(QuietHooks &h, Counter &c) {
  auto done = gsl::finally([&] { h.after(c); });
}

// A local std::function whose initializer is in sight.
void notifyLater(Counter &c) {
  std::function<void()> notify = [&c] {
    std::thread([&c] { c.value = 1; }).detach();
  };
  auto done = gsl::finally([&] { notify(); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: call to 'notify' in a scope-exit guard leaves a detached thread writing 'c.value' after 'notifyLater' returns [defer-race-detached-mutation]
}

void notifyAndWait(Counter &c) {
  std::function<void()> notify = [&c] {
    std::thread([&c] { c.value = 1; }).join();
  };
  auto done = gsl::finally([&] { notify(); });
}

// A member set through a setter, called by a member function's guard.
class Upload {
public:
  explicit Upload(Counter &c) : counter_(c) {}
  void onComplete(std::function<void(Counter &)> f) { done_ = std::move(f); }
  void finish() {
    auto done = gsl::finally([this] { done_(counter_); });
    // CHECK-MESSAGES: :[[@LINE-1]]:39: warning: call to 'done_' in a scope-exit guard leaves a detached thread writing 'this->counter_.value' after 'Upload::finish' returns [defer-race-detached-mutation]
  }

private:
  Counter &counter_;
  std::function<void(Counter &)> done_;
};

void upload(Counter &c) {
  Upload u(c);
  u.onComplete(&bumpInBackground);
  u.finish();
}

class QuietUpload {
public:
  explicit QuietUpload(Counter &c) : counter_(c) {}
  void onComplete(std::function<void(Counter &)> f) { done_ = std::move(f); }
  void finish() {
    auto done = gsl::finally([this] { done_(counter_); });
  }

private:
  Counter &counter_;
  std::function<void(Counter &)> done_;
};

void uploadQuietly(Counter &c) {
  QuietUpload u(c);
  u.onComplete(&bumpAndWait);
  u.finish();
}

// A named lambda that the guard's callable calls: its captures are seen
// where it was declared.
void emitLater(Counter &c, int v) {
  auto emit = [&](int n) { std::thread([&c, n] { c.value += n; }).detach(); };
  auto g = gsl::finally([&] { emit(v); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: call to 'emit' in a scope-exit guard leaves a detached thread writing 'c.value' after 'emitLater' returns [defer-race-detached-mutation]
}

void emitAllLater(Counter &c, int a, int b) {
  auto emit = [&](auto &&...values) {
    int sum = (0 + ... + values);
    std::thread([&c, sum] { c.value += sum; }).detach();
  };
  auto g = gsl::finally([&] { emit(a, b); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: call to 'emit' in a scope-exit guard leaves a detached thread writing 'c.value' after 'emitAllLater' returns [defer-race-detached-mutation]
}

void emitACopy(Counter &c, int a, int b) {
  auto emit = [&](auto &&...values) {
    int sum = (0 + ... + values);
    std::thread([copy = c, sum]() mutable { copy.value += sum; }).detach();
  };
  auto g = gsl::finally([&] { emit(a, b); });
}

// A table of operations initialised at namespace scope.
struct Device;
struct DeviceOps {
  void (*flush)(Device *);
};
struct Device {
  const DeviceOps *ops;
  int flushes = 0;
};

void *flushWorker(void *p) {
  static_cast<Device *>(p)->flushes++;
  return nullptr;
}
void flushInBackground(Device *d) {
  pthread_t t;
  if (pthread_create(&t, nullptr, flushWorker, d) == 0)
    pthread_detach(t);
}
const DeviceOps LazyOps = {&flushInBackground};

void writeBlocks(Device *d) {
  auto g = gsl::finally([d] { d->ops->flush(d); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: call to 'flush' in a scope-exit guard leaves a detached thread writing 'd->flushes' after 'writeBlocks' returns [defer-race-detached-mutation]
}

struct QuietDevice;
struct QuietOps {
  void (*flush)(QuietDevice *);
};
struct QuietDevice {
  const QuietOps *ops;
  int flushes = 0;
};
void flushNow(QuietDevice *d) { d->flushes++; }
const QuietOps EagerOps = {&flushNow};

void writeQuietBlocks(QuietDevice *d) {
  auto g = gsl::finally([d] { d->ops->flush(d); });
}
