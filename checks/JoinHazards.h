//===--- JoinHazards.h - Could joining a detached thread block forever? ---===//
//
// The join fix-it turns `.detach()` into `.join()` where a scope-exit guard
// runs. That is harmless only when the thread finishes on its own: it must
// not loop until other code tells it to stop, wait for a signal that code
// after the guard gives, or take a lock that is still held where the guard
// runs. This file looks for those hazards in the thread's code (and the
// functions it calls, a few levels down) and in the guard's owner and its
// callers. When it cannot see the thread's code, joining is a hazard too.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_JOINHAZARDS_H
#define DEFER_RACE_CHECKS_JOINHAZARDS_H

#include "AnalysisContext.h"
#include "Spawns.h"

namespace clang::tidy::defer_race {

enum class JoinHazard {
  None,
  Unseen,   ///< the thread's code is not in sight
  Endless,  ///< a loop without exit
  Polls,    ///< a loop that only other code can end
  Waits,    ///< a wait for a signal other code gives
  HeldLock, ///< a lock the guard's owner (or its caller) still holds
};

struct JoinRisk {
  JoinHazard Hazard = JoinHazard::None;
  /// The loop, wait or lock in the thread's code.
  const Stmt *Where = nullptr;
  /// For HeldLock: the function that holds a lock when the guard runs (null
  /// when the guard is not a variable we can see).
  const FunctionDecl *Holder = nullptr;

  explicit operator bool() const { return Hazard != JoinHazard::None; }
};

/// Why waiting for S's thread, which runs Code, where the guard Guard runs
/// (at the end of its scope) might never return. Guard may be null (a guard
/// object we cannot see declared): then any lock the thread takes is a
/// hazard. A null Code is a hazard: the thread's code is not in sight.
JoinRisk joinRisk(const DetachedSpawn &S, const Stmt *Code,
                  const VarDecl *Guard, AnalysisContext &Analysis);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_JOINHAZARDS_H
