//===--- Escapes.h - Facts: a caller's object that a thread outlives ------===//
//
// A function can start a thread that keeps using what its caller lent it: a
// parameter taken by reference, by pointer or as a view, or the object a
// member function runs on. The thread is left detached, or kept in a member
// of the object (joined when the object dies, at the latest). Either way it
// may still run after the call returns, so the caller's object must live
// longer than the thread.
//
// This file finds both halves:
//   escapesOf()          which parameters (or *this) of the function that
//                        starts a thread the thread uses after it returns;
//   escapingArguments()  the calls in the translation unit that lend a
//                        local variable or a temporary for such a parameter,
//                        when it dies while the thread may still run. A
//                        caller that lends its own parameter passes the
//                        escape on to its callers (3 calls deep).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_ESCAPES_H
#define DEFER_RACE_CHECKS_ESCAPES_H

#include "AnalysisContext.h"
#include "Spawns.h"

#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace clang::tidy::defer_race {

/// A thread that outlives the function that starts it.
struct OutlivingThread {
  /// The function whose body starts it.
  const FunctionDecl *Starter = nullptr;
  /// Where it starts (the thread construction, the spawner call).
  const Expr *Start = nullptr;
  ThreadCallable Callable;
  /// The member that keeps it (a thread, or a container of threads); null
  /// when it is detached.
  const FieldDecl *Holder = nullptr;
  /// The spawn, when it is detached.
  std::optional<DetachedSpawn> Spawn;
};

/// A thread held in a member of the object: `worker_ = std::thread(...)`,
/// `: worker_([&cfg] {...})`, `threads_.emplace_back(...)`. Anchor is the
/// thread construction or the emplace_back/push_back call.
std::optional<OutlivingThread> memberHeldThread(const Expr *Anchor,
                                                const SpawnRecogniser &Spawns,
                                                AnalysisContext &Analysis);

/// The detached spawn S, as a thread that outlives its function. None when
/// S is not made directly in a function's body.
std::optional<OutlivingThread> detachedThread(const DetachedSpawn &S,
                                              AnalysisContext &Analysis);

/// What of its caller's a thread keeps using.
struct Escape {
  static constexpr unsigned ThisObject = ~0u;
  /// The parameter whose referent the thread uses, or ThisObject.
  unsigned Param = ThisObject;
  /// Where the thread's callable names it.
  SourceLocation Use;
  /// The function whose parameter it is (Starter, or a caller that passes
  /// its own parameter on).
  const FunctionDecl *Function = nullptr;
  /// The member of the object that keeps the thread (the function's own
  /// object, when Function is a member function); null if detached.
  const FieldDecl *Holder = nullptr;
  /// The parameter is a callable that the thread runs: what the caller's
  /// callable captures escapes, not the callable itself.
  bool Callable = false;
  /// The detached spawn (owned by the OutlivingThread), if any: a caller
  /// that waits for its Qt pool is done with it.
  const DetachedSpawn *Spawn = nullptr;
};

/// The parameters and object of T.Starter that T uses after it returns. A
/// member-held thread's use of its own object is not one: the object keeps
/// the thread. Nothing when the starter waits for a signal from the thread.
void escapesOf(const OutlivingThread &T, AnalysisContext &Analysis,
               llvm::SmallVectorImpl<Escape> &Out);

/// A call that lends a short-lived object to a thread that outlives it.
struct EscapingArgument {
  enum LentAs {
    Argument, ///< passed for a parameter
    Object,   ///< the object of the member call or the construction
    Capture,  ///< captured by a callable passed for a callable parameter
  };
  LentAs As = Argument;
  /// Where the caller lends it: the argument, the object, the capture.
  SourceLocation Loc;
  /// What is lent, once per warning: the argument expression or the
  /// capture.
  const void *Key = nullptr;
  /// The local variable that dies; null for a temporary.
  const VarDecl *Dies = nullptr;
  /// The call or construction that lends it.
  const Expr *Site = nullptr;
  const FunctionDecl *Callee = nullptr;
  /// The escape at the starter of the thread.
  Escape Root;
  /// Calls that pass it on, from Site's callee to the starter of the thread.
  llvm::SmallVector<const Expr *, 2> Forwarded;
};

/// The calls in the translation unit that lend E's parameter (or object) a
/// local variable or a temporary that dies while the thread may still use
/// it.
void escapingArguments(const Escape &E, AnalysisContext &Analysis,
                       llvm::SmallVectorImpl<EscapingArgument> &Out);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_ESCAPES_H
