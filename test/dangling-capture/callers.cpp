// A function starts a thread that outlives it and keeps using what its caller
// lent it (a reference, pointer or view parameter, or the object of a member
// function); the caller lends a local or a temporary that dies first.
//
// RUN: %check_defer_race %s defer-race-dangling-capture %t -- -- -std=c++17

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

struct Config {
  int port = 0;
  std::string name;
};

// Detached threads using a parameter.

void watchConfig(const Config *cfg) {
  std::thread([cfg] { (void)cfg->port; }).detach();
}

void logAsync(const std::string &line) {
  std::thread([&line] { (void)line.size(); }).detach();
}

void logAsyncRef(const std::string &line) {
  std::thread([](const std::string &l) { (void)l.size(); }, std::ref(line))
      .detach();
}

void logCopy(const std::string &line) {
  std::thread([line] { (void)line.size(); }).detach();
}

void logView(std::string_view v) {
  std::thread([v] { (void)v.size(); }).detach();
}

// The starter waits for the thread to be done with the parameter.
void logWaited(const std::string &line) {
  std::promise<void> done;
  std::future<void> f = done.get_future();
  std::thread([&line, &done] {
    (void)line.size();
    done.set_value();
  }).detach();
  f.wait();
}

Config globalCfg;

void lendParameters() {
  Config cfg;
  watchConfig(&cfg);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 'cfg' passed to 'watchConfig' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  watchConfig(&globalCfg);
  static Config kept;
  watchConfig(&kept);
  watchConfig(new Config);
  logAsync(std::string("x"));
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: the temporary passed to 'logAsync' is destroyed at the end of the full-expression while a detached thread it starts may still use it [defer-race-dangling-capture]
  logAsync("literal");
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: the temporary passed to 'logAsync' is destroyed at the end of the full-expression while a detached thread it starts may still use it [defer-race-dangling-capture]
  std::string s = "abc";
  logAsync(s);
  // CHECK-MESSAGES: :[[@LINE-1]]:12: warning: 's' passed to 'logAsync' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  logAsyncRef(s);
  // CHECK-MESSAGES: :[[@LINE-1]]:15: warning: 's' passed to 'logAsyncRef' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  logCopy(s);
  logCopy(std::string("x"));
  logView(s);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 's' passed to 'logView' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  logView("static");
  logWaited(s);
}

// The caller passes its own parameter on: its callers lend it.
void forward(const Config &c) { watchConfig(&c); }

void lendThroughForward() {
  Config c;
  forward(c);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'c' passed to 'forward' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
}

void forwardTwice(const Config &c) { forward(c); }

void lendThroughTwo() {
  Config c;
  forwardTwice(c);
  // CHECK-MESSAGES: :[[@LINE-1]]:16: warning: 'c' passed to 'forwardTwice' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
}

// Detached threads using the object.

struct Session {
  void startHeartbeat() {
    std::thread([this] { ++beats; }).detach();
  }
  void startCopy() {
    std::thread([*this]() mutable { ++beats; }).detach();
  }
  void startMember() { std::thread(&Session::beat, this).detach(); }
  void beat() { ++beats; }
  void restart() { startHeartbeat(); }
  int beats = 0;
};

// Its destructor may stop or wait for the thread: not decided here.
struct StoppingSession {
  ~StoppingSession() { stopped = true; }
  void start() {
    std::thread([this] { ++beats; }).detach();
  }
  int beats = 0;
  bool stopped = false;
};

struct Announcer {
  Announcer() {
    std::thread([this] { ++calls; }).detach();
  }
  int calls = 0;
};

Announcer *keep;

void lendObjects() {
  Session session;
  session.startHeartbeat();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'session' (the object of 'startHeartbeat') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  Session other;
  other.startCopy();
  Session third;
  third.startMember();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'third' (the object of 'startMember') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  Session fourth;
  fourth.restart();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'fourth' (the object of 'restart') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  Session *p = &fourth;
  p->startHeartbeat();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'fourth' (the object of 'startHeartbeat') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  static Session forever;
  forever.startHeartbeat();
  (new Session)->startHeartbeat();
  StoppingSession stopping;
  stopping.start();
  Announcer a;
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: 'a' (the object of 'Announcer') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  keep = new Announcer;
}

// Threads kept in a member: joined when the object dies, at the latest.

struct Watcher {
  explicit Watcher(const std::string &path)
      : worker_([&path] { (void)path.size(); }) {}
  ~Watcher() {
    if (worker_.joinable())
      worker_.join();
    if (other_.joinable())
      other_.join();
    for (std::thread &t : pool_)
      t.join();
  }
  void start(const Config &c) {
    other_ = std::thread([&c] { (void)c.port; });
  }
  void startCopy(const Config &c) {
    other_ = std::thread([c] { (void)c.port; });
  }
  void startJoined(const Config &c) {
    other_ = std::thread([&c] { (void)c.port; });
    other_.join();
  }
  void add(const Config &c) {
    pool_.emplace_back([&c] { (void)c.port; });
  }
  void startSelf() {
    other_ = std::thread([this] { (void)pool_.size(); });
  }
  std::thread worker_;
  std::thread other_;
  std::vector<std::thread> pool_;
};

Watcher *globalWatcher;

void heldByLocal() {
  std::string path = "/etc";
  Watcher w(path);
  Config c;
  w.start(c);
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'c' passed to 'start' goes out of scope while the thread it keeps in 'other_' may still use it [defer-race-dangling-capture]
  Config d;
  w.startCopy(d);
  w.add(d);
  // CHECK-MESSAGES: :[[@LINE-1]]:9: warning: 'd' passed to 'add' goes out of scope while the thread it keeps in 'pool_' may still use it [defer-race-dangling-capture]
  w.startSelf();
}

void heldAndJoined() {
  std::string path = "/etc";
  Watcher w(path);
  Config c;
  w.startJoined(c);
}

void heldByLaterLocal() {
  Config c;
  std::string path = "/etc";
  Watcher w(path);
  w.start(c);
  w.add(c);
}

void heldTemporary() {
  Watcher w(std::string("/tmp"));
  // CHECK-MESSAGES: :[[@LINE-1]]:13: warning: the temporary passed to 'Watcher' is destroyed at the end of the full-expression while the thread it keeps in 'worker_' may still use it [defer-race-dangling-capture]
}

void heldOnHeap() {
  std::string path = "/etc";
  globalWatcher = new Watcher(path);
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: 'path' passed to 'Watcher' goes out of scope while the thread it keeps in 'worker_' may still use it [defer-race-dangling-capture]
}

const std::string varPath = "/var";

struct Service {
  void configure() {
    Config local;
    watcher.start(local);
    // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'local' passed to 'start' goes out of scope while the thread it keeps in 'other_' may still use it [defer-race-dangling-capture]
  }
  void configureMember() { watcher.start(config); }
  Watcher watcher{varPath};
  Config config;
};

// A function that runs the callable it is given on a detached thread: what
// the caller's callable captures escapes.

class Queue {
public:
  void post(std::function<void()> job) { std::thread(std::move(job)).detach(); }
};

Queue &background() {
  static Queue &q = *new Queue;
  return q;
}

template <class F> void fireAndForget(F f) { std::thread(std::move(f)).detach(); }

void relay(std::function<void()> job) { background().post(std::move(job)); }

struct Counter {
  long value = 0;
};

struct Sink {
  void flushLater(Counter &c) {
    background().post([&c] { c.value = 0; });
  }
  void flushCopy(Counter c) {
    background().post([c]() mutable { c.value = 0; });
  }
  void flushSelf() {
    background().post([this] { ++n; });
  }
  int n = 0;
};

long kept = 0;

void lendCallables(Sink &sink) {
  Counter bytes;
  sink.flushLater(bytes);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'bytes' passed to 'flushLater' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  Counter other;
  sink.flushCopy(other);
  long total = 0;
  background().post([&total] { ++total; });
  // CHECK-MESSAGES: :[[@LINE-1]]:23: warning: 'total' captured by the callable passed to 'post' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  fireAndForget([&total] { ++total; });
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'total' captured by the callable passed to 'fireAndForget' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  relay([&total] { ++total; });
  // CHECK-MESSAGES: :[[@LINE-1]]:11: warning: 'total' captured by the callable passed to 'relay' goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
  background().post([total]() mutable { ++total; });
  background().post([] { ++kept; });
  Sink local;
  local.flushSelf();
  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: 'local' (the object of 'flushSelf') goes out of scope while a detached thread it starts may still use it [defer-race-dangling-capture]
}

// A holder that joins its thread before the local dies.
struct Scheduler {
  ~Scheduler() { stop(); }
  void start(const Config &c) {
    worker = std::thread([&c] { (void)c.port; });
  }
  void stop() {
    if (worker.joinable())
      worker.join();
  }
  std::thread worker;
};

Scheduler scheduler;

void runNow() {
  Config burst;
  scheduler.start(burst);
  scheduler.stop();
}

void runLater() {
  Config burst;
  scheduler.start(burst);
  // CHECK-MESSAGES: :[[@LINE-1]]:19: warning: 'burst' passed to 'start' goes out of scope while the thread it keeps in 'worker' may still use it [defer-race-dangling-capture]
}

// A holder made by std::make_unique and handed out.
struct Janitor {
  explicit Janitor(const Config &c) : sweeper([&c] { (void)c.port; }) {}
  ~Janitor() { sweeper.join(); }
  std::thread sweeper;
};

std::unique_ptr<Janitor> makeJanitor() {
  Config settings;
  return std::make_unique<Janitor>(settings);
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: 'settings' passed to 'Janitor' goes out of scope while the thread it keeps in 'sweeper' may still use it [defer-race-dangling-capture]
}

void janitorInScope() {
  Config settings;
  auto j = std::make_unique<Janitor>(settings);
}
