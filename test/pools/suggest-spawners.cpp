// SuggestSpawners: a call that hands a lambda capturing by reference to a
// function named like posting work, whose code is not in sight, is listed
// once, so that the user can fill DetachedSpawners. Off by default.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17
// RUN: %check_defer_race -check-suffixes=ON %s defer-race-detached-mutation %t -- \
// RUN:   -config="{CheckOptions: [{key: defer-race-detached-mutation.SuggestSpawners, value: true}]}" -- -std=c++17
// RUN: %check_defer_race -check-suffixes=LISTED %s defer-race-detached-mutation %t -- \
// RUN:   -config="{CheckOptions: [{key: defer-race-detached-mutation.SuggestSpawners, value: true}, {key: DetachedSpawners, value: 'Env::Schedule'}]}" -- -std=c++17

#include <gsl/gsl>

#include <functional>

class Env {
public:
  static Env *Default();
  void Schedule(std::function<void()> f);
  void Log(std::function<void()> f);
  void SubmitLater(std::function<void()> f);
};

struct Stats {
  int hits = 0;
};

void compact(Stats &s) {
  Env::Default()->Schedule([&s] { ++s.hits; });
  // CHECK-MESSAGES-ON: :[[@LINE-1]]:3: warning: 'Env::Schedule' is not defined in this translation unit; if it runs the callable on another thread without waiting, list it in DetachedSpawners so that defer-race checks the work it is given [defer-race-detached-mutation]
  // Listed once per function.
  Env::Default()->Schedule([&s] { --s.hits; });
  // A name that does not suggest posting.
  Env::Default()->Log([&s] { ++s.hits; });
  // A copy: nothing of the caller's to race on.
  Env::Default()->SubmitLater([s]() mutable { ++s.hits; });
}

void guarded(Stats &s) {
  auto g = gsl::finally([&s] { Env::Default()->Schedule([&s] { ++s.hits; }); });
  // CHECK-MESSAGES-LISTED: :[[@LINE-1]]:32: warning: callable passed to 'Env::Schedule' in a scope-exit guard may still be writing 's.hits' after 'guarded' returns [defer-race-detached-mutation]
}
