// Dead and constant paths: a spawn in a branch that is never taken does not
// happen. A branch on a parameter is ruled out when every call in the
// translation unit passes a constant that disables it.
//
// RUN: %check_defer_race %s defer-race-detached-mutation %t -- -- -std=c++17

#include <gsl/gsl>

#include <thread>

struct Index {
  long generation = 0;
};

constexpr bool kAsync = false;

void constexprOff(Index &ix) {
  auto g = gsl::finally([&ix] {
    if constexpr (kAsync)
      std::thread([&ix] { ++ix.generation; }).detach();
    else
      ++ix.generation;
  });
}

void constantOff(Index &ix) {
  auto g = gsl::finally([&ix] {
    if (kAsync)
      std::thread([&ix] { ++ix.generation; }).detach();
  });
}

void constantOn(Index &ix) {
  auto g = gsl::finally([&ix] {
    if (!kAsync)
      std::thread([&ix] { ++ix.generation; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'ix.generation' after 'constantOn' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&ix] { ++ix.generation; }).join();{{$}}
  });
}

template <bool Async> void templated(Index &ix) {
  auto g = gsl::finally([&ix] {
    if constexpr (Async)
      std::thread([&ix] { ++ix.generation; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'ix.generation' after 'templated' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&ix] { ++ix.generation; }).join();{{$}}
  });
}
template void templated<false>(Index &);
template void templated<true>(Index &);

// Every caller passes false.
void annotate(Index &ix, bool async) {
  auto g = gsl::finally([&ix, async] {
    if (async)
      std::thread([&ix] { ++ix.generation; }).detach();
  });
}
void annotateInline(Index &ix) { annotate(ix, /*async=*/false); }

// One caller passes true.
void annotateSometimes(Index &ix, bool async) {
  auto g = gsl::finally([&ix, async] {
    if (async)
      std::thread([&ix] { ++ix.generation; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'ix.generation' after 'annotateSometimes' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&ix] { ++ix.generation; }).join();{{$}}
  });
}
void callsBoth(Index &ix) {
  annotateSometimes(ix, false);
  annotateSometimes(ix, true);
}

// A default argument is a constant like any other.
void defaulted(Index &ix, bool background = true) {
  auto g = gsl::finally([&ix, background] {
    if (background)
      std::thread([&ix] { ++ix.generation; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'ix.generation' after 'defaulted' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&ix] { ++ix.generation; }).join();{{$}}
  });
}
void usesDefault(Index &ix) { defaulted(ix); }

enum class Mode { Inline, Background };

void persist(Index &ix, Mode mode) {
  auto g = gsl::finally([&ix, mode] {
    switch (mode) {
    case Mode::Background:
      std::thread([&ix] { ++ix.generation; }).detach();
      break;
    case Mode::Inline:
      ++ix.generation;
      break;
    }
  });
}
void saveInline(Index &ix) { persist(ix, Mode::Inline); }

// No caller here: it may be called with anything.
void uncalled(Index &ix, bool async) {
  auto g = gsl::finally([&ix, async] {
    if (async)
      std::thread([&ix] { ++ix.generation; }).detach();
      // CHECK-MESSAGES: :[[@LINE-1]]:47: warning: thread detached in a scope-exit guard may still be writing 'ix.generation' after 'uncalled' returns [defer-race-detached-mutation]
      // CHECK-FIXES: {{^}}      std::thread([&ix] { ++ix.generation; }).join();{{$}}
  });
}
