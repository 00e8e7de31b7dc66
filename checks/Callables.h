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

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_CALLABLES_H
