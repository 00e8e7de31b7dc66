//===--- Handshakes.h - Facts: waits that order a thread's work -----------===//
//
// A detached thread's work is ordered before what follows a wait when the
// function that started it waits, unconditionally and without a time-out,
// for a signal the thread gives unconditionally: a promise it fulfils and
// whose future is waited on, a latch it counts down, a semaphore it
// releases, a barrier both arrive at, a condition variable it notifies and
// whose predicate it sets. What the thread does before the signal happens
// before the wait returns; what it does after, does not.
//
// The objects are matched by meaning: the future is traced back to its
// promise (`p.get_future()`), init-captures to what they were initialised
// with, shared pointers to what they point to. Waits and signals are
// recognised by the type they are called on (synchronisation types and
// futures) and what the call does (a timed wait only counts in a loop's
// condition, which repeats it until it succeeds).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_HANDSHAKES_H
#define DEFER_RACE_CHECKS_HANDSHAKES_H

#include "AnalysisContext.h"
#include "SharedObjects.h"

#include "clang/AST/Stmt.h"
#include <optional>

namespace clang::tidy::defer_race {

/// A wait in the spawning body and the signal in the thread it waits for.
struct Handshake {
  const Stmt *Wait = nullptr;   ///< the waiting call, in the spawner
  const Stmt *Signal = nullptr; ///< the signalling call, in the thread
  const Stmt *ThreadBody = nullptr;
  unsigned SignalIndex = 0; ///< the thread body's statement that signals
};

/// The first handshake that orders the thread started at SpawnAt (an
/// expression of SpawnerBody) before a later point of SpawnerBody: a wait
/// after the spawn, reached on every path from it, for a signal that
/// ThreadBody gives on every path.
std::optional<Handshake> handshakeAfter(const Stmt *SpawnAt,
                                        const Stmt *SpawnerBody,
                                        const Stmt *ThreadBody,
                                        AnalysisContext &Analysis);

/// A signal that the thread running in frame Thread gives on every path, on
/// an object the caller of the root function (Owner) can reach: a promise whose
/// future Owner returns, or a synchronisation object that is a parameter, a
/// global, or a member of *this or of a parameter. The caller can wait for it:
/// writes made before it are published to callers that wait before they look.
/// Wait is null.
std::optional<Handshake> publishedSignal(const Frame &Thread,
                                         AnalysisContext &Analysis);

/// Whether Call blocks until another thread gives a signal: an untimed wait
/// on a future or a synchronisation object (a timed one only in a loop's
/// condition), sem_wait() and the pthread waits, or a call to a function of
/// our own code that makes such a wait unconditionally (`pool.waitDone()`).
/// Body is the body Call is written in.
bool isWaitCall(const CallExpr *Call, const Stmt *Body,
                AnalysisContext &Analysis);

/// Whether A runs before B whenever B runs: in the innermost block holding
/// both, A's statement comes first and A is not inside a branch of it.
bool precedesOnEveryPath(const Stmt *A, const Stmt *B, const ParentMap &PM);

/// The first call of Body, in source order, after the statement After, that
/// waits (isWaitCall); null when none.
const CallExpr *firstWaitAfter(const Stmt *After, const Stmt *Body,
                               AnalysisContext &Analysis);

/// Whether InThread, a statement of H's thread body (or nested in one), runs
/// before its signal, so that the wait orders it. The signalling statement
/// itself counts when Inclusive is set (a use of the promise to fulfil it).
bool beforeSignal(const Handshake &H, const Stmt *InThread,
                  AnalysisContext &Analysis, bool Inclusive = false);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_HANDSHAKES_H
