// A small job pool for the pool tests: workers started by the constructor
// take std::functions from a deque; Sync() waits until the queue is empty
// and no job runs; Stop() joins the workers.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

class Pool {
public:
  Pool() { worker_ = std::thread([this] { run(); }); }
  void Post(std::function<void()> f) {
    std::lock_guard<std::mutex> l(mu_);
    q_.push_back(std::move(f));
    cv_.notify_one();
  }
  void Sync() {
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [this] { return q_.empty() && !busy_; });
  }
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu_);
      stop_ = true;
      cv_.notify_all();
    }
    worker_.join();
  }

private:
  void run() {
    while (true) {
      std::unique_lock<std::mutex> l(mu_);
      cv_.wait(l, [this] { return stop_ || !q_.empty(); });
      if (q_.empty())
        return;
      auto f = std::move(q_.front());
      q_.pop_front();
      busy_ = true;
      l.unlock();
      f();
      l.lock();
      busy_ = false;
      done_.notify_all();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_, done_;
  std::deque<std::function<void()>> q_;
  bool busy_ = false, stop_ = false;
  std::thread worker_;
};

inline Pool &GetPool() {
  static Pool *p = new Pool;
  return *p;
}
