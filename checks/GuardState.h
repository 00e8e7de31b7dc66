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

/// Whether the guard G never runs its callable: on every path from its
/// declaration to its destruction it is disarmed (or never armed), or it has
/// been moved into a guard that is itself disarmed.
bool guardNeverRuns(const GuardCallable &G, AnalysisContext &Analysis);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_GUARDSTATE_H
