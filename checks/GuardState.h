//===--- GuardState.h - Facts: does a guard run when its scope ends? ------===//
//
// A scope-exit guard runs its callable when it is destroyed armed. What arms
// and disarms it is read from the guard's class, not from a list of names:
// the destructor runs the callable under a condition on some fields
// (`if (active_ && f_)`, `if (!dismissed_)`); a member function that stores
// into those fields disarms the guard (active_ = false, f_ = nullptr,
// dismissed_ = true) or re-arms it. The calls are followed through pointers
// and references to the guard and through helpers that take it by reference
// (`template <class G> void disarm(G &g) { g.dismiss(); }`). A guard moved
// into another one no longer runs; the one it was moved into does. A guard
// whose flag starts disarmed runs only where something arms it.
//
// Library guards whose members are not plain stores (absl::Cleanup's
// Cancel(), folly's dismiss()) are known by the names of their dismissing
// members.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_GUARDSTATE_H
#define DEFER_RACE_CHECKS_GUARDSTATE_H

#include "AnalysisContext.h"
#include "ScopeGuards.h"

namespace clang::tidy::defer_race {

/// What becomes of a guard by the end of the function declaring it.
enum class GuardFate {
  Runs,      ///< destroyed armed on some path
  NeverRuns, ///< disarmed, never armed, or moved into a disarmed guard
  ToCaller,  ///< returned (itself or the guard it was moved into), armed:
             ///< it runs where the caller's variable dies
};

/// The fate of G: on the paths from its declaration to its destruction, is
/// it disarmed (or never armed), moved into a guard that is, or returned?
GuardFate guardFate(const GuardCallable &G, AnalysisContext &Analysis);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_GUARDSTATE_H
