//===--- DetachedWriters.h - Facts: writers left running by guards --------===//
//
// What the analysis concludes about functions:
//   - writersOf(guard): the detached threads a scope-exit guard starts,
//     directly or through helpers, and what each of them writes;
//   - summaryOf(function): the writes such threads may still be making when
//     the function returns, on its parameters, on *this or on globals. Callers
//     compose summaries through call chains, up to a bound.
//
// Facts are computed lazily and cached for one translation unit. Checks ask
// them; they never emit diagnostics.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_DETACHEDWRITERS_H
#define DEFER_RACE_CHECKS_DETACHEDWRITERS_H

#include "Paths.h"
#include "ScopeGuards.h"
#include "SharedObjects.h"
#include "Spawns.h"
#include "Summaries.h"
#include "Suppressions.h"
#include "Writes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <functional>
#include <memory>
#include <vector>

namespace clang::tidy::defer_race {

/// The frame a guard's callable runs in, below the frame of its owner.
Frame guardFrame(const GuardCallable &G, const Frame &Owner);

/// The frame a thread's callable runs in, below the frame that spawns it.
Frame threadFrame(const ThreadCallable &C, const Frame &Spawner);

/// The same, for any guard or spawn: the callable is followed through frames
/// when it is not in sight (callableFrame(), threadObjectFrame()). Null when
/// its code cannot be seen.
const Frame *guardFrame(const GuardCallable &G, const Frame &Owner,
                        FrameArena &Arena);
const Frame *threadFrame(const DetachedSpawn &S, const Frame &Spawner,
                         FrameArena &Arena);

/// A detached thread started by a scope-exit guard.
struct GuardWriter {
  DetachedSpawn Spawn;
  /// The code the thread runs (its callable's body, found through frames
  /// when the spawn does not show it).
  const Stmt *Code = nullptr;
  /// Branches on parameters of the guard's owner that the spawn needs.
  llvm::SmallVector<BranchCondition, 1> Conditions;
  /// Calls from the guard's callable down to the helper that spawns; empty
  /// when the callable spawns directly.
  llvm::SmallVector<const CallExpr *, 2> Via;
  /// For calls of Via made through a member holding a callable whose value
  /// is not in sight: the value stored into it that leads to the spawn.
  llvm::SmallVector<std::pair<const CallExpr *, const Expr *>, 1> Stored;
  /// What the thread writes, relative to the function declaring the guard.
  llvm::SmallVector<Write, 2> Writes;
  /// For std::async: where its future is kept, relative to that function.
  std::optional<ObjectRef> Storage;
  /// Set when the spawn is in a helper defined in another translation unit,
  /// known from its exported summary: Spawn is then empty.
  const FunctionRecord *ImportedFrom = nullptr;
  const PortableWrite *ImportedWrite = nullptr;
};

/// A write that a detached thread may still be making when a function
/// returns.
struct LeftWrite {
  ObjectRef Target;               ///< Param, This or Global of the function
  std::optional<ObjectRef> Mutex; ///< mutex the writer holds, if known
  bool Locked = false;            ///< the writer holds some lock
  /// Made before a signal the caller can wait for: a wait in the caller
  /// between the call and its read orders it.
  bool Published = false;
  // Evidence, for notes: where the guard, the spawn and the write are.
  const VarDecl *Guard = nullptr;
  SourceLocation GuardLoc;
  SourceLocation SpawnLoc;
  std::string SpawnWhat;
  const Stmt *WriteAt = nullptr;
  std::string WriteDesc; ///< the written object, named where it is written
  const GuardWriter *Origin = nullptr; ///< the spawn and all its writes
  /// Where a future that ends the writer is kept (std::async), if any.
  std::optional<ObjectRef> Storage;
  /// From another translation unit's summary: the evidence is text.
  const FunctionRecord *ImportedFrom = nullptr;
  const PortableWrite *ImportedWrite = nullptr;
  /// Calls from the summarised function down to the one with the guard.
  llvm::SmallVector<const CallExpr *, 4> Calls;
};

struct FunctionSummary {
  llvm::SmallVector<LeftWrite, 2> Writes;
  bool empty() const { return Writes.empty(); }
};

class DetachedWriterFacts {
public:
  DetachedWriterFacts(const ScopeGuardRecogniser &Guards,
                      const SpawnRecogniser &Spawns, AnalysisContext &Analysis,
                      std::string SummaryDirectory = {});

  /// Detached threads the guard leaves running. Empty for a guard dismissed
  /// on every path.
  const std::vector<GuardWriter> &writersOf(const GuardCallable &G);

  /// Writes still possibly in progress when F returns.
  const FunctionSummary &summaryOf(const FunctionDecl *F);

  /// Translates an object of Call's callee (a Param, This or Global target)
  /// into an object of the caller's frame.
  std::optional<ObjectRef> mapToCaller(const ObjectRef &CalleeObject,
                                       const CallExpr *Call,
                                       const Frame &Caller) const;

  /// The callee of Call if a summary of it can be known: it is defined in
  /// user code in this translation unit, or imported from another one.
  const FunctionDecl *summarizableCallee(const CallExpr *Call);

  /// F's summary in the portable form that the export writes.
  FunctionRecord record(const FunctionDecl *F);

  /// Calls F makes before it returns: those in its body, and those in the
  /// callables of its scope-exit guards, which run when their scopes end.
  /// Fn gets the call, the frame it is made in, and the guard (null for the
  /// body).
  void forEachCallBeforeReturn(
      const FunctionDecl *F, const Frame &Root,
      llvm::function_ref<void(const CallExpr *, const Frame &,
                              const GuardCallable *)>
          Fn);

  /// The guards declared in F's body.
  const llvm::SmallVector<GuardCallable, 2> &guardsOf(const FunctionDecl *F);

  /// If V is a scope-exit guard, what it runs: what the recogniser knows,
  /// and a local object whose destructor reaches a detached spawn (its
  /// callable is the destructor).
  std::optional<GuardCallable> guardOf(const VarDecl *V);

  AnalysisContext &analysis() const { return Analysis; }

private:
  void collectWriters(const Frame &Fr,
                      llvm::SmallVectorImpl<const CallExpr *> &Via,
                      unsigned Depth, std::vector<GuardWriter> &Out);
  /// collectWriters() for a call through a std::function or a function
  /// pointer (objectCallees()).
  void collectObjectCallWriters(const CallExpr *Call, const Frame &Fr,
                                llvm::SmallVectorImpl<const CallExpr *> &Via,
                                unsigned Depth, std::vector<GuardWriter> &Out);
  bool mayReachSpawn(const FunctionDecl *F, unsigned DepthLeft);
  std::optional<GuardCallable> destructorGuard(const VarDecl *V);
  /// Where Owner's caller sees Target, a fresh heap object named by a local
  /// pointer, when Owner stores that pointer into a by-reference parameter,
  /// a member or a global.
  std::optional<ObjectRef> storedForCaller(const ObjectRef &Target,
                                           const FunctionDecl *Owner);
  /// Whether every caller of F in this translation unit waits (isWaitCall)
  /// after the call before it names the object that Target of F becomes
  /// there. With Pool, the wait must be for that spawn's Qt pool, and F
  /// must have a caller.
  bool callersWaitBeforeUse(const FunctionDecl *F, const ObjectRef &Target,
                            const DetachedSpawn *Pool = nullptr);
  /// Whether a caller of F here reads the object written by W, made under a
  /// lock, after the call without holding W's mutex (directly, or in a
  /// function of ours it passes the object to).
  bool callersReadUnlocked(const FunctionDecl *F, const Write &W);
  /// Whether a caller of F, which returns a guard, names the object that
  /// Target of F becomes there after the guard it received runs. True when
  /// F has no caller here, or one we cannot follow.
  bool callersUseAfterGuard(const FunctionDecl *F, const ObjectRef &Target);
  /// Whether the owner of G waits, before it returns, for the pool that
  /// S (made by G's callable) gave work to: a guard that runs after G calls
  /// a wait on that pool, or the pool is a local that dies after G and whose
  /// destructor joins its threads or waits.
  bool ownerDrainsPool(const GuardCallable &G, const DetachedSpawn &S);
  const SummaryStore *imported();
  const FunctionRecord *importedRecord(const FunctionDecl *F);

  const ScopeGuardRecogniser &Guards;
  const SpawnRecogniser &Spawns;
  AnalysisContext &Analysis;
  ASTContext &Ctx;
  llvm::DenseMap<std::pair<const void *, const void *>,
                 std::unique_ptr<std::vector<GuardWriter>>>
      Writers;
  llvm::DenseMap<const FunctionDecl *, std::unique_ptr<FunctionSummary>>
      Summaries;
  llvm::DenseMap<const FunctionDecl *,
                 std::unique_ptr<llvm::SmallVector<GuardCallable, 2>>>
      GuardLists;
  llvm::DenseMap<const FunctionDecl *, bool> ReachesSpawn;
  llvm::SmallPtrSet<const FunctionDecl *, 8> InProgress;
  std::string SummaryDirectory;
  std::shared_ptr<const SummaryStore> Imported;
  bool ImportTried = false;
  unsigned SummaryDepth = 0;
  /// Spawns and helper calls silenced with NOLINT(defer-race-detached-
  /// mutation): the user vouches for them, so they leave no writer.
  NolintIndex Nolint;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DETACHEDWRITERS_H
