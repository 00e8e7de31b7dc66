//===--- Writes.h - Facts: what a callable writes -------------------------===//
//
// The writes a callable running in a frame makes to objects of the root
// frame, followed into the functions of our own code that it calls, with the
// lock held around each. A thread's writes are what makes it a detached
// writer (DetachedWriters).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_WRITES_H
#define DEFER_RACE_CHECKS_WRITES_H

#include "AnalysisContext.h"
#include "Locks.h"
#include "SharedObjects.h"

#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace clang::tidy::defer_race {

/// One write made by a callable.
struct Write {
  ObjectRef Target;             ///< relative to the root frame
  const Stmt *At = nullptr;     ///< the mutating statement
  const Expr *Access = nullptr; ///< the accessed glvalue, e.g. res.wreqlog
  std::optional<HeldLock> Lock; ///< lock held while writing
  /// The statement of the callable's own body that makes the write, or the
  /// call there that leads to the function making it.
  const Stmt *Root = nullptr;
  /// Made before a signal the caller of the root function can wait for (a
  /// returned future, a latch it passed in): ordered for callers that wait.
  bool Published = false;
  /// Made under a lock, but a caller reads the object without that lock.
  bool ReadUnlocked = false;
};

/// Finds the writes that a callable running in frame Fr makes to objects of
/// the root frame. Writes to atomics, and passing an object to a function
/// whose body is not visible, do not count. Calls to functions defined in the
/// translation unit are followed up to MaxDepth levels.
void findWrites(const Frame &Fr, AnalysisContext &Analysis,
                llvm::SmallVectorImpl<Write> &Out, unsigned MaxDepth);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_WRITES_H
