// Home-made thread pools, recognised by what they do: a submit stores the
// callable where a worker thread of this translation unit takes it from and
// runs it. Each shape has a silent twin.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

struct Stats {
  long hits = 0;
};

// A job system: workers started in the constructor pop std::functions from
// a deque; WaitIdle() blocks until the queue is empty and nothing runs.
class JobSystem {
public:
  explicit JobSystem(int n) {
    for (int i = 0; i < n; ++i)
      workers_.emplace_back([this] { loop(); });
  }
  void Submit(std::function<void()> job) {
    std::lock_guard<std::mutex> l(mu_);
    jobs_.push_back(std::move(job));
    cv_.notify_one();
  }
  void WaitIdle() {
    std::unique_lock<std::mutex> l(mu_);
    idle_.wait(l, [this] { return jobs_.empty() && active_ == 0; });
  }

private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> l(mu_);
        cv_.wait(l, [this] { return !jobs_.empty(); });
        job = std::move(jobs_.front());
        jobs_.pop_front();
        ++active_;
      }
      job();
      std::lock_guard<std::mutex> l(mu_);
      --active_;
      idle_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, idle_;
  std::deque<std::function<void()>> jobs_;
  int active_ = 0;
  std::vector<std::thread> workers_;
};

void count(JobSystem &js, Stats &s) {
  auto g = gsl::finally([&] { js.Submit([&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: callable passed to 'JobSystem::Submit' in a scope-exit guard may still be writing 's.hits' after 'count' returns [defer-race-detached-mutation]
}

// The pool is drained in the guard: a wait recognised by what it does.
void countAndWait(JobSystem &js, Stats &s) {
  auto g = gsl::finally([&] {
    js.Submit([&s] { ++s.hits; });
    js.WaitIdle();
  });
}

// The work owns a copy.
void countCopy(JobSystem &js, Stats &s) {
  auto g = gsl::finally(
      [&js, s]() mutable { js.Submit([s]() mutable { ++s.hits; }); });
}

// Through a pointer, and through a helper that hands the job on.
void forward(JobSystem *js, std::function<void()> job) {
  js->Submit(std::move(job));
}
void countVia(JobSystem *js, Stats &s) {
  auto g = gsl::finally([&] { forward(js, [&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: call to 'forward' in a scope-exit guard leaves a detached thread writing 's.hits' after 'countVia' returns [defer-race-detached-mutation]
}

// A database's Env: a virtual Schedule(fn, arg) behind a singleton accessor;
// the background thread pops {fn, arg} items.
class Env {
public:
  static Env *Default();
  virtual ~Env() = default;
  virtual void Schedule(void (*fn)(void *), void *arg) = 0;
};

class PosixEnv : public Env {
public:
  PosixEnv() { std::thread(&PosixEnv::BGThread, this).detach(); }
  void Schedule(void (*fn)(void *), void *arg) override {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back(Item{fn, arg});
    cv_.notify_one();
  }

private:
  struct Item {
    void (*fn)(void *);
    void *arg;
  };
  void BGThread() {
    while (true) {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return !queue_.empty(); });
      auto fn = queue_.front().fn;
      void *arg = queue_.front().arg;
      queue_.pop_front();
      l.unlock();
      (*fn)(arg);
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Item> queue_;
};

Env *Env::Default() {
  static PosixEnv *env = new PosixEnv;
  return env;
}

void bump(void *p) { static_cast<Stats *>(p)->hits++; }
void peek(void *p) { (void)static_cast<Stats *>(p)->hits; }

void compact(Stats &s) {
  auto g = gsl::finally([&s] { Env::Default()->Schedule(&bump, &s); });
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: callable passed to 'Env::Schedule' in a scope-exit guard may still be writing 's.hits' after 'compact' returns [defer-race-detached-mutation]
}

// The scheduled function only reads.
void inspect(Stats &s) {
  auto g = gsl::finally([&s] { Env::Default()->Schedule(&peek, &s); });
}

// An inline executor runs the callable on the caller's thread.
struct InlineExecutor {
  template <class F> void Add(F f) { f(); }
};
void inlineRun(InlineExecutor &ex, Stats &s) {
  auto g = gsl::finally([&] { ex.Add([&s] { ++s.hits; }); });
}

// A template pool of packaged tasks: the future is returned, so the work is
// left running only when nothing waits for it.
class TaskPool {
public:
  TaskPool() : t_([this] { run(); }) {}
  template <class F> std::future<void> Enqueue(F &&f) {
    std::packaged_task<void()> task(std::forward<F>(f));
    auto fut = task.get_future();
    std::lock_guard<std::mutex> l(m_);
    q_.push(std::move(task));
    return fut;
  }

private:
  void run() {
    for (;;) {
      std::unique_lock<std::mutex> l(m_);
      if (q_.empty())
        continue;
      auto t = std::move(q_.front());
      q_.pop();
      l.unlock();
      t();
    }
  }
  std::mutex m_;
  std::queue<std::packaged_task<void()>> q_;
  std::thread t_;
};

void dropped(TaskPool &p, Stats &s) {
  auto g = gsl::finally([&] { p.Enqueue([&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: callable passed to 'TaskPool::Enqueue' in a scope-exit guard may still be writing 's.hits' after 'dropped' returns [defer-race-detached-mutation]
}
void waited(TaskPool &p, Stats &s) {
  auto g = gsl::finally([&] { p.Enqueue([&s] { ++s.hits; }).wait(); });
}

// A timer wheel: a multimap of deadlines, a detached ticker thread.
class Timer {
public:
  Timer() {
    std::thread([this] {
      for (;;) {
        std::function<void()> due;
        {
          std::lock_guard<std::mutex> l(mu_);
          if (wheel_.empty())
            continue;
          due = std::move(wheel_.begin()->second);
          wheel_.erase(wheel_.begin());
        }
        due();
      }
    }).detach();
  }
  void RunAfter(int ms, std::function<void()> fn) {
    std::lock_guard<std::mutex> l(mu_);
    wheel_.emplace(ms, std::move(fn));
  }

private:
  std::mutex mu_;
  std::multimap<int, std::function<void()>> wheel_;
};

struct Session {
  int expired = 0;
  Timer *timer;
  void close() {
    auto g = gsl::finally([this] { timer->RunAfter(5, [this] { expired = 1; }); });
    // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: callable passed to 'Timer::RunAfter' in a scope-exit guard may still be writing 'this->expired' after 'Session::close' returns [defer-race-detached-mutation]
  }
};

// A queue member that no thread takes work from is not a pool: the caller
// runs what it stored later.
class Deferred {
public:
  void Add(std::function<void()> f) { later_.push_back(std::move(f)); }
  void RunAll() {
    for (auto &f : later_)
      f();
  }

private:
  std::vector<std::function<void()>> later_;
};
void collect(Deferred &d, Stats &s) {
  auto g = gsl::finally([&] { d.Add([&s] { ++s.hits; }); });
}

// An executor interface: a virtual Add() whose only overrider in this
// translation unit is a pool, behind an accessor returning a reference.
class Executor {
public:
  virtual ~Executor() = default;
  virtual void Add(std::function<void()> f) = 0;
};
class CPUThreadPoolExecutor : public Executor {
public:
  CPUThreadPoolExecutor() : worker_(&CPUThreadPoolExecutor::work, this) {}
  void Add(std::function<void()> f) override {
    std::lock_guard<std::mutex> l(mu_);
    tasks_.push(std::move(f));
  }

private:
  void work() {
    for (;;) {
      std::function<void()> f;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (tasks_.empty())
          continue;
        f = std::move(tasks_.front());
        tasks_.pop();
      }
      f();
    }
  }
  std::mutex mu_;
  std::queue<std::function<void()>> tasks_;
  std::thread worker_;
};
Executor &GetGlobalCPUExecutor() {
  static auto *ex = new CPUThreadPoolExecutor;
  return *ex;
}
void record(Stats &s) {
  auto g = gsl::finally([&s] { GetGlobalCPUExecutor().Add([&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:32: warning: callable passed to 'Executor::Add' in a scope-exit guard may still be writing 's.hits' after 'record' returns [defer-race-detached-mutation]
}

// Callers that wait for the pool before they look: ordered.
void serveWaited(JobSystem &js, Stats &s);
void countForCaller(JobSystem &js, Stats &s) {
  auto g = gsl::finally([&] { js.Submit([&s] { ++s.hits; }); });
}
long serveWaitedImpl(JobSystem &js, Stats &s) {
  countForCaller(js, s);
  js.WaitIdle();
  return s.hits;
}

// A thread joined by the function that makes it runs the queued work while
// its maker waits: the queue is no pool's.
class Batch {
public:
  void Add(std::function<void()> f) { later_.push_back(std::move(f)); }
  void RunAll() {
    std::thread t([this] {
      for (auto &f : later_)
        f();
    });
    t.join();
  }

private:
  std::vector<std::function<void()>> later_;
};
void batch(Batch &b, Stats &s) {
  auto g = gsl::finally([&] { b.Add([&s] { ++s.hits; }); });
}

// The owner waits for the pool before it returns: a guard declared earlier
// (it runs later) drains the pool.
void drainedByEarlierGuard(JobSystem &js, Stats &s) {
  auto drain = gsl::finally([&js] { js.WaitIdle(); });
  auto post = gsl::finally([&] { js.Submit([&s] { ++s.hits; }); });
}

// A guard declared later runs first: its wait comes before the work.
void drainedTooEarly(JobSystem &js, Stats &s) {
  auto post = gsl::finally([&] { js.Submit([&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: callable passed to 'JobSystem::Submit' in a scope-exit guard may still be writing 's.hits' after 'drainedTooEarly' returns [defer-race-detached-mutation]
  auto drain = gsl::finally([&js] { js.WaitIdle(); });
}

// A local pool whose destructor joins its workers, declared before the
// guard: it dies after the guard has posted, and waits for the work.
class ScopedPool {
public:
  ScopedPool() : worker_([this] { run(); }) {}
  ~ScopedPool() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
    }
    worker_.join();
  }
  void Post(std::function<void()> f) {
    std::lock_guard<std::mutex> l(mu_);
    q_.push_back(std::move(f));
  }

private:
  void run() {
    for (;;) {
      std::function<void()> f;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (q_.empty()) {
          if (stop_)
            return;
          continue;
        }
        f = std::move(q_.front());
        q_.pop_front();
      }
      f();
    }
  }
  std::mutex mu_;
  std::deque<std::function<void()>> q_;
  bool stop_ = false;
  std::thread worker_;
};

void scopedPool(Stats &s) {
  ScopedPool pool;
  auto g = gsl::finally([&] { pool.Post([&s] { ++s.hits; }); });
}

// The same pool shape, but its destructor lets the worker go.
class LeakyPool {
public:
  LeakyPool() : worker_([this] { run(); }) {}
  ~LeakyPool() { worker_.detach(); }
  void Post(std::function<void()> f) {
    std::lock_guard<std::mutex> l(mu_);
    q_.push_back(std::move(f));
  }

private:
  void run() {
    for (;;) {
      std::function<void()> f;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (q_.empty())
          continue;
        f = std::move(q_.front());
        q_.pop_front();
      }
      f();
    }
  }
  std::mutex mu_;
  std::deque<std::function<void()>> q_;
  std::thread worker_;
};

void leakyPool(Stats &s) {
  LeakyPool pool;
  auto g = gsl::finally([&] { pool.Post([&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:31: warning: callable passed to 'LeakyPool::Post' in a scope-exit guard may still be writing 's.hits' after 'leakyPool' returns [defer-race-detached-mutation]
}

// A future handed out of the callable (an out-parameter, a member): whoever
// holds it can wait. Kept in a local and never waited for: left running.
void futureOut(TaskPool &p, Stats &s, std::future<void> *done) {
  auto g = gsl::finally([&] { *done = p.Enqueue([&s] { ++s.hits; }); });
}
struct Warmer {
  TaskPool *pool;
  Stats stats;
  std::future<void> pending;
  void warm() {
    auto g = gsl::finally(
        [this] { pending = pool->Enqueue([this] { ++stats.hits; }); });
  }
};
void futureLocal(TaskPool &p, Stats &s) {
  auto g = gsl::finally([&] { auto f = p.Enqueue([&s] { ++s.hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: callable passed to 'TaskPool::Enqueue' in a scope-exit guard may still be writing 's.hits' after 'futureLocal' returns [defer-race-detached-mutation]
}

// A shared_ptr passed by value: the caller's pointer names the same object.
// A caller that waits for the pool before it looks is ordered; one that
// does not is not.
void touch(JobSystem &js, std::shared_ptr<Stats> s) {
  auto g = gsl::finally([&js, s] { js.Submit([s] { ++s->hits; }); });
}
long touched(JobSystem &js, const std::shared_ptr<Stats> &s) {
  touch(js, s);
  js.WaitIdle();
  return s->hits;
}
void touchUnwaited(JobSystem &js, std::shared_ptr<Stats> s) {
  auto g = gsl::finally([&js, s] { js.Submit([s] { ++s->hits; }); });
  // CHECK-MESSAGES: :[[@LINE-1]]:36: warning: callable passed to 'JobSystem::Submit' in a scope-exit guard may still be writing 's->hits' after 'touchUnwaited' returns [defer-race-detached-mutation]
}
long touchedUnwaited(JobSystem &js, const std::shared_ptr<Stats> &s) {
  touchUnwaited(js, s);
  return s->hits;
}
