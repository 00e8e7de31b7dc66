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

#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <optional>
#include <vector>

namespace clang::tidy::defer_race {

/// A lock taken in a block: a lock_guard-like variable, or a mutex locked by
/// hand and not yet unlocked.
struct LockState {
  const ValueDecl *Key = nullptr;  ///< the lock variable, or the mutex
  const Expr *MutexExpr = nullptr; ///< null when the mutex is not known
  const Stmt *Where = nullptr;
  bool Shared = false; ///< a reader lock: it does not order writes
};

/// What objects of a class do to a mutex: nothing, hold it exclusively, or
/// hold it shared (a reader lock). Known holders (lock_guard, shared_lock,
/// absl::ReaderMutexLock, ...) by name; any other class by what it does: its
/// constructor calls lock() (or lock_shared()) on a mutex-like object and
/// its destructor calls unlock().
enum class LockHolder { None, Exclusive, Shared };
LockHolder lockHolderKind(QualType T);

/// Updates Held with what the statement S of a block does to locks: a
/// lock_guard-like declaration, a mutex's lock() or unlock(), std::lock(a,
/// b), a loop that spins on try_lock() until it succeeds, or `if
/// (!m.try_lock()) return;`.
void scanForLocks(const Stmt *S, llvm::SmallVectorImpl<LockState> &Held);

/// A lock held around a statement.
struct HeldLock {
  const Expr *MutexExpr = nullptr; ///< the mutex as written
  std::optional<ObjectRef> Mutex;  ///< the mutex, when it is reachable
  const Stmt *Guard = nullptr;     ///< the lock_guard declaration or lock()
  bool Shared = false;             ///< a reader lock
  /// Every mutex held there, this one included, as far as each is known:
  /// std::scoped_lock over several, nested lock_guards, std::lock.
  llvm::SmallVector<std::optional<ObjectRef>, 2> All;
};

/// The locks taken in the blocks of one body, each block scanned once.
class LockIndex {
public:
  LockIndex(const Stmt *Body, const ParentMap &Parents);
  ~LockIndex();

  /// The innermost lock held at S, looking only inside the body: a
  /// lock_guard, unique_lock, scoped_lock or similar declared before S in an
  /// enclosing block or in the initializer of an enclosing if, switch or
  /// for, a mutex locked and not yet unlocked there, or the branch of `if
  /// (m.try_lock())`. Its mutex is resolved in Fr.
  std::optional<HeldLock> heldAt(const Stmt *S, const Frame &Fr,
                                 const ObjectResolver &R) const;

private:
  struct BlockLocks {
    llvm::DenseMap<const Stmt *, unsigned> Position;
    /// Held[k]: the locks taken in the block before its statement k,
    /// innermost last.
    std::vector<llvm::SmallVector<LockState, 1>> Held;
  };
  /// The locks taken in the block CS before its statement Child, looking
  /// only at CS's own statements; innermost last.
  llvm::ArrayRef<LockState> locksBefore(const CompoundStmt *CS,
                                        const Stmt *Child) const;

  const Stmt *Body;
  const ParentMap &Parents;
  mutable llvm::DenseMap<const CompoundStmt *, std::unique_ptr<BlockLocks>>
      Blocks;
};

/// Whether a read made under ReaderLock and a write made by a writer that
/// holds some lock (WriterLocked), the mutex WriterMutex when it is known,
/// are ordered by a lock: both hold the same mutex, or the reader holds a
/// lock that cannot be compared with the writer's (we cannot tell, so we
/// assume they are).
bool orderedByLock(const std::optional<HeldLock> &ReaderLock, bool WriterLocked,
                   const std::optional<ObjectRef> &WriterMutex);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_LOCKS_H
