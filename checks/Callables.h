//===--- Callables.h - What code does a callable run, seen from a frame? --===//
//
// A thread, an executor or a guard runs "a callable": the user may have
// written a lambda, a named lambda, a std::function or std::packaged_task made
// from one, a function, a member function with its object, a function
// object, std::bind of any of these, or a parameter of a template helper that
// forwards one. This file follows such an expression, through the frames of
// the functions that handed it on, to the code it runs, and gives the frame
// in which that code runs.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_CALLABLES_H
#define DEFER_RACE_CHECKS_CALLABLES_H

#include "AnalysisContext.h"
#include "SharedObjects.h"

namespace clang::tidy::defer_race {

/// The frame in which the callable E (an expression of Fr) runs when it is
/// called with Args (expressions of Fr), or null when its code is not in
/// sight. The frame lives in Arena.
const Frame *callableFrame(const Expr *E, llvm::ArrayRef<const Expr *> Args,
                           const Frame &Fr, FrameArena &Arena);

/// The frame of the callable that a thread object runs: the construction of
/// Handle (an expression of Fr) is followed through moves, returns, members
/// and make_unique.
const Frame *threadObjectFrame(const Expr *Handle, const Frame &Fr,
                               FrameArena &Arena);

/// The frame of what a guard object runs when it dies, for a guard made by
/// a function (auto g = makeGuard(res)): the construction is followed through
/// the function's return to the guard built there, and to the callable it
/// was given (a lambda, a std::function, a smart pointer's deleter called on
/// its pointer).
const Frame *guardObjectFrame(const Expr *Guard, const Frame &Fr,
                              FrameArena &Arena);

/// Code that a call through an object may run, and, when the object is a
/// member whose value is not in sight, the value stored into it that gives
/// that code.
struct ObjectCallee {
  const Frame *Fr = nullptr;
  const Expr *Stored = nullptr;
};

/// What Call (made in Fr) runs when it calls an object, a std::function or a
/// function pointer, rather than a function: the object is followed as by
/// callableFrame(). When it is a member of an object that came from outside
/// (task.onFinish(), with task a parameter), every value the translation
/// unit's own code stores into that member counts, as long as it needs
/// nothing of the function that stored it: a function, a lambda without
/// captures. Nothing for any other call.
void objectCallees(const CallExpr *Call, const Frame &Fr, FrameArena &Arena,
                   AnalysisContext &Analysis,
                   llvm::SmallVectorImpl<ObjectCallee> &Out);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_CALLABLES_H
