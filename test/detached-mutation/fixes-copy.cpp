// The alternative fix: capture the written object by copy, so that the
// thread writes its own copy. With PreferredFix: copy it goes on the warning
// and joining moves to a note. It is offered only where the result compiles.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t \
// RUN:   -- -config="{CheckOptions: [{key: defer-race-detached-mutation.PreferredFix, value: copy}]}" -- -std=c++17

#include <gsl/gsl>

#include <memory>
#include <string>
#include <thread>

struct Response {
  std::string log;
};

struct Unique {
  std::unique_ptr<int> value;
};

void explicitCapture(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'explicitCapture' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'explicitCapture' returns
    // CHECK-NOTES: :[[@LINE-3]]:26: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-4]]:47: note: join the thread instead of detaching it
    // CHECK-FIXES: {{^}}    std::thread([res]() mutable { res.log = "done"; }).detach();{{$}}
  });
}

void implicitCapture(Response &res) {
  auto g = gsl::finally([&] {
    std::thread([&] { res.log = "done"; }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:44: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'implicitCapture' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'implicitCapture' returns
    // CHECK-NOTES: :[[@LINE-3]]:23: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-4]]:44: note: join the thread instead of detaching it
    // CHECK-FIXES: {{^}}    std::thread([&, res]() mutable { res.log = "done"; }).detach();{{$}}
  });
}

void withParameters(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res](int n) { res.log = std::to_string(n); }, 1).detach();
    // CHECK-NOTES: :[[@LINE-1]]:68: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'withParameters' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'withParameters' returns
    // CHECK-NOTES: :[[@LINE-3]]:33: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-4]]:68: note: join the thread instead of detaching it
    // CHECK-FIXES: {{^}}    std::thread([res](int n) mutable { res.log = std::to_string(n); }, 1).detach();{{$}}
  });
}

void alreadyMutable(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res]() mutable { res.log = "done"; }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:57: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'alreadyMutable' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'alreadyMutable' returns
    // CHECK-NOTES: :[[@LINE-3]]:36: note: the detached thread writes 'res.log' here
    // CHECK-NOTES: :[[@LINE-4]]:57: note: join the thread instead of detaching it
    // CHECK-FIXES: {{^}}    std::thread([res]() mutable { res.log = "done"; }).detach();{{$}}
  });
}

void twoObjects(Response &a, Response &b) {
  auto g = gsl::finally([&a, &b] {
    std::thread([&a, &b] {
    // CHECK-FIXES: {{^}}    std::thread([a, b]() mutable {{[{]}}{{$}}
      a.log = "a";
      b.log = "b";
    }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:8: warning: thread detached in a scope-exit guard may still be writing 'a.log' after 'twoObjects' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-7]]:3: note: scope-exit guard registered here runs when 'twoObjects' returns
    // CHECK-NOTES: :[[@LINE-7]]:5: note: std::thread started here
    // CHECK-NOTES: :[[@LINE-6]]:7: note: the detached thread writes 'a.log' here
    // CHECK-NOTES: :[[@LINE-5]]:8: note: join the thread instead of detaching it
  });
}

class Server {
public:
  void flush() {
    auto g = gsl::finally([this] {
      std::thread([this] { log_ = "flushed"; }).detach();
      // CHECK-NOTES: :[[@LINE-1]]:49: warning: thread detached in a scope-exit guard may still be writing 'this->log_' after 'Server::flush' returns [defer-race-detached-mutation]
      // CHECK-NOTES: :[[@LINE-3]]:5: note: scope-exit guard registered here runs when 'Server::flush' returns
      // CHECK-NOTES: :[[@LINE-3]]:28: note: the detached thread writes 'this->log_' here
      // CHECK-NOTES: :[[@LINE-4]]:49: note: join the thread instead of detaching it
      // CHECK-FIXES: {{^}}      std::thread([*this]() mutable { log_ = "flushed"; }).detach();{{$}}
    });
  }

private:
  std::string log_;
};

// No copy fix: a unique_ptr member cannot be copied.
void notCopyable(Unique &u) {
  auto g = gsl::finally([&u] {
    std::thread([&u] { u.value.reset(); }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:44: warning: thread detached in a scope-exit guard may still be writing 'u.value' after 'notCopyable' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'notCopyable' returns
    // CHECK-NOTES: :[[@LINE-3]]:24: note: the detached thread writes 'u.value' here
    // CHECK-NOTES: :[[@LINE-4]]:44: note: join the thread instead of detaching it
  });
}

// No copy fix: copying a pointer does not copy what it points to.
void throughPointer(Response *res) {
  auto g = gsl::finally([res] {
    std::thread([res] { res->log = "done"; }).detach();
    // CHECK-NOTES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res->log' after 'throughPointer' returns [defer-race-detached-mutation]
    // CHECK-NOTES: :[[@LINE-3]]:3: note: scope-exit guard registered here runs when 'throughPointer' returns
    // CHECK-NOTES: :[[@LINE-3]]:25: note: the detached thread writes 'res->log' here
    // CHECK-NOTES: :[[@LINE-4]]:47: note: join the thread instead of detaching it
  });
}
