// Code the check must survive: templates with dependent types, generic
// lambdas, recursion, code that does not compile.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++20
// RUN: %check_defer_race -check-suffix=INVALID --expect-clang-tidy-error %s defer-race-detached-mutation %t -- -- -std=c++20 -DINVALID

#include <gsl/gsl>

#include <string>
#include <thread>

struct Response {
  std::string log;
};

// Dependent: the primary template is not analysed; nothing crashes.
template <typename T> void dependent(T &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'dependent' returns [defer-race-detached-mutation]
    // CHECK-MESSAGES-INVALID: :[[@LINE-2]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'dependent' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

// Not dependent inside a template: analysed like any function.
template <typename T> void independent(Response &res, T) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.log = "done"; }).detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'independent' returns [defer-race-detached-mutation]
    // CHECK-MESSAGES-INVALID: :[[@LINE-2]]:47: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'independent' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res] { res.log = "done"; }).join();{{$}}
  });
}

void instantiate(Response &res) {
  dependent(res);
  independent(res, 1);
}

void genericLambda(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res](auto v) { res.log = v; }, "done").detach();
    // CHECK-MESSAGES: :[[@LINE-1]]:58: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'genericLambda' returns [defer-race-detached-mutation]
    // CHECK-MESSAGES-INVALID: :[[@LINE-2]]:58: warning: thread detached in a scope-exit guard may still be writing 'res.log' after 'genericLambda' returns [defer-race-detached-mutation]
    // CHECK-FIXES: {{^}}    std::thread([&res](auto v) { res.log = v; }, "done").join();{{$}}
  });
}

// Recursive helpers: the walk is bounded.
void recurse(Response &r, int n) {
  if (n > 0)
    recurse(r, n - 1);
  std::thread([&r] { r.log = "done"; }).detach();
}

void recursive(Response &res) {
  auto g = gsl::finally([&res] { recurse(res, 3); });
  // CHECK-MESSAGES: :[[@LINE-1]]:34: warning: call to 'recurse' in a scope-exit guard leaves a detached thread writing 'res.log' after 'recursive' returns [defer-race-detached-mutation]
  // CHECK-MESSAGES-INVALID: :[[@LINE-2]]:34: warning: call to 'recurse' in a scope-exit guard leaves a detached thread writing 'res.log' after 'recursive' returns [defer-race-detached-mutation]
}

#ifdef INVALID
void broken(Response &res) {
  auto g = gsl::finally([&res] {
    std::thread([&res] { res.missing = "done"; }).detach();
    // CHECK-MESSAGES-INVALID: :[[@LINE-1]]:30: error: no member named 'missing' in 'Response' [clang-diagnostic-error]
  });
  undeclared(res);
  // CHECK-MESSAGES-INVALID: :[[@LINE-1]]:3: error: use of undeclared identifier 'undeclared' [clang-diagnostic-error]
}
#endif
