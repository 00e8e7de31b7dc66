//===--- Locks.h - Which lock is held around a statement? -----------------===//
//
// Locks order accesses: a read and a write made under the same mutex cannot
// overlap. This file finds the lock held at a statement (a lock_guard-like
// variable declared before it in an enclosing block, or a mutex locked there
// and not yet unlocked) and says when two accesses are ordered by one.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_LOCKS_H
#define DEFER_RACE_CHECKS_LOCKS_H

#include "SharedObjects.h"

#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace clang::tidy::defer_race {

/// A lock taken in a block: a lock_guard-like variable, or a mutex locked by
/// hand and not yet unlocked.
struct LockState {
  const ValueDecl *Key = nullptr; ///< the lock variable, or the mutex
  const Expr *MutexExpr = nullptr;
  const Stmt *Where = nullptr;
};

/// Updates Held with what the statement S of a block does to locks: a
/// lock_guard-like declaration, a mutex's lock() or unlock().
void scanForLocks(const Stmt *S, llvm::SmallVectorImpl<LockState> &Held);

/// A lock held around a statement.
struct HeldLock {
  const Expr *MutexExpr = nullptr;  ///< the mutex as written
  std::optional<ObjectRef> Mutex;   ///< the mutex, when it is reachable
  const Stmt *Guard = nullptr;      ///< the lock_guard declaration or lock()
};

/// Finds the innermost lock held at S, looking only inside Body: a lock_guard,
/// unique_lock, scoped_lock or similar declared before S in an enclosing
/// block, or a mutex locked and not yet unlocked there.
std::optional<HeldLock> findHeldLock(const Stmt *S, const Stmt *Body,
                                     const Frame &Fr,
                                     const ObjectResolver &R);

/// Whether a read made under ReaderLock and a write made by a writer that
/// holds some lock (WriterLocked), the mutex WriterMutex when it is known,
/// are ordered by a lock: both hold the same mutex, or the reader holds a
/// lock that cannot be compared with the writer's (we cannot tell, so we
/// assume they are).
bool orderedByLock(const std::optional<HeldLock> &ReaderLock,
                   bool WriterLocked,
                   const std::optional<ObjectRef> &WriterMutex);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_LOCKS_H
