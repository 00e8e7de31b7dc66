// What the thread writes, and how it reaches it: a by-reference capture, a
// captured pointer, this, a captured shared_ptr, a global or static, a
// reference or pointer parameter, an init-capture. Each has a safe twin.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <memory>
#include <string>
#include <thread>
#include <vector>

struct Response {
  std::string log;
  std::vector<int> items;
  Response *next = nullptr;
  void add(int i) { items.push_back(i); }
};

Response g_last;

void referenceParameter(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.items.push_back(1); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: thread detached in a scope-exit guard may still be writing 'res.items' after 'referenceParameter' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.items.push_back(1); }).join();{{$}}
  });
}

void pointerParameter(Response *res) {
  auto g = gsl::finally([res] {
    std::thread([res] { res->log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res->log' after 'pointerParameter' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([res] { res->log = "done"; }).join();{{$}}
  });
}

// The pointer is copied, but it still points at the caller's object.
void pointerParameterThroughPointer(Response *res) {
  auto g = gsl::finally([res] {
    std::thread([res] { res->next->log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:53: warning: thread detached in a scope-exit guard may still be writing 'res->next->log' after 'pointerParameterThroughPointer' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([res] { res->next->log = "done"; }).join();{{$}}
  });
}

void sharedPointer(std::shared_ptr<Response> res) {
  auto g = gsl::finally([res] {
    std::thread([res] { res->log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res->log' after 'sharedPointer' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([res] { res->log = "done"; }).join();{{$}}
  });
}

// A weak_ptr locked inside the thread: not a finding.
void weakPointer(std::shared_ptr<Response> res) {
  std::weak_ptr<Response> weak = res;
  auto g = gsl::finally([weak] {
    std::thread([weak] {
      if (auto locked = weak.lock())
        locked->log = "done";
    }).detach();
  });
}

void global() {
  auto g = gsl::finally([] {
    std::thread([] { g_last.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: thread detached in a scope-exit guard may still be writing 'g_last.log' after 'global' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([] { g_last.log = "done"; }).join();{{$}}
  });
}

void staticLocal() {
  static Response cache;
  auto g = gsl::finally([] {
    std::thread([] { cache.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:45: warning: thread detached in a scope-exit guard may still be writing 'cache.log' after 'staticLocal' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([] { cache.log = "done"; }).join();{{$}}
  });
}

// Each thread has its own thread_local.
void threadLocal() {
  static thread_local Response mine;
  auto g = gsl::finally([] {
    std::thread([] { mine.log = "done"; }).detach();
  });
}

void initCaptureReference(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&r = res] { r.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'initCaptureReference' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&r = res] { r.log = "done"; }).join();{{$}}
  });
}

void initCaptureCopy(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([r = res]() mutable { r.log = "done"; }).detach();
  });
}

void methodCall(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.add(1); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:41: warning: thread detached in a scope-exit guard may still be writing 'res.items' after 'methodCall' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.add(1); }).join();{{$}}
  });
}

void passedToWriter(Response &res) {
  auto fill = [](Response &r) { r.log = "filled"; };
  auto g = gsl::finally([&res, fill] {
    std::thread([&res, fill] { fill(res); }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:46: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'passedToWriter' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res, fill] { fill(res); }).join();{{$}}
  });
}

class Server {
public:
  void flush() {
    auto g = gsl::finally([this] {
      std::thread([this] { pending_.clear(); }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'this->pending_' after 'Server::flush' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([this] { pending_.clear(); }).join();{{$}}
    });
  }
  // [*this] copies the object: the thread writes its copy.
  void flushCopy() {
    auto g = gsl::finally([this] {
      std::thread([*this]() mutable { pending_.clear(); }).detach();
    });
  }
  void flushImplicit() {
    auto g = gsl::finally([&] {
      std::thread([&] { count_ = 0; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:40: warning: thread detached in a scope-exit guard may still be writing 'this->count_' after 'Server::flushImplicit' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&] { count_ = 0; }).join();{{$}}
    });
  }

private:
  std::vector<std::string> pending_;
  int count_ = 0;
};

// A guard inside a nested block still leaves the thread behind when the
// function returns.
void nestedBlock(Response &res, bool flag) {
  if (flag) {
    auto g = gsl::finally([&res] {
      std::thread([&res] { res.log = "done"; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'nestedBlock' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&res] { res.log = "done"; }).join();{{$}}
    });
  }
}
