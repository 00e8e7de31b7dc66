//===--- Pools.h - Home-made thread pools, recognised by what they do -----===//
//
// Real projects hand work to their own executors: a job system's Submit(),
// a database's Env::Schedule(), an RPC framework's executor Add(), a
// logger's background sink. None is named in any list, so each is recognised
// by what it does, the way a scope guard is recognised by its destructor:
//
//   a function is a pool submit when a callable parameter (or an object
//   built from it: a std::function, a packaged_task, a struct holding it, a
//   lambda capturing it) is stored into a member or a global (push_back,
//   emplace, push, assignment, ...) that a worker takes work from, or is
//   handed on to another pool submit (a few calls deep);
//
//   a worker is the code a thread of this translation unit runs (the
//   callable of a std::thread, jthread, boost::thread or pthread_create, and
//   the functions it calls, two levels down) when it calls something it got
//   from that member or global: task(), (*fn)(arg), item.cb(msg),
//   job->Run() on a virtual method. A local thread joined by the function
//   that makes it is no worker: its maker waits for what it runs.
//
// A virtual submit (Executor::Add) is a pool submit when every overrider in
// a class that this translation unit constructs is one. A submit that
// returns a value (a future, a handle) lets the caller wait: the spawn is
// detached only while nothing waits for what it returned.
//
// Everything is computed once per translation unit, lazily, and only for
// functions that a guard's callable (or a spawn search) actually calls. In
// the two-phase mode, a submit defined in another translation unit is known
// from its summary ("runs_detached").
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_POOLS_H
#define DEFER_RACE_CHECKS_POOLS_H

#include "AnalysisContext.h"
#include "Summaries.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SmallPtrSet.h"
#include <optional>

namespace clang::tidy::defer_race {

/// What makes a function a pool submit.
struct PoolSubmit {
  /// The parameter whose callable runs on a worker thread.
  unsigned Param = 0;
  /// The function returns something the caller can wait on (a future, a
  /// handle): the work is detached only when nothing waits for it.
  bool ReturnsHandle = false;
  /// Where the callable is stored (a member or a global); null when known
  /// from a summary.
  const Decl *Storage = nullptr;
  /// The callable is handed on to another submit rather than stored here:
  /// where the body is in sight, the spawn is found in it, as for any
  /// helper that spawns.
  bool HandedOn = false;
};

class PoolIndex {
public:
  explicit PoolIndex(AnalysisContext &Analysis) : Analysis(Analysis) {}

  /// Whether FD (a declaration; its definition, or the overriders of a
  /// virtual one, are looked at) runs a callable parameter on a worker
  /// thread of this translation unit.
  std::optional<PoolSubmit> submitOf(const FunctionDecl *FD);

  /// Whether Call (a call on a pool object, written in Body) waits until the
  /// pool's work is done: it is not a submit, and it blocks until another
  /// thread signals (isWaitCall: pool.Wait() on a condition the workers
  /// notify) or joins the pool's threads (pool.Shutdown()).
  bool drains(const CallExpr *Call, const Stmt *Body);

  /// Whether the destructor of RD waits for its work: it joins the pool's
  /// threads or makes a wait (a local pool that dies drains it).
  bool destructorDrains(const CXXRecordDecl *RD);

  /// Summaries of other translation units (the two-phase mode): a function
  /// defined elsewhere is a submit when its summary says so.
  void useSummaries(const SummaryStore *Store) { Imported = Store; }

  /// Members and globals that worker threads take callables from and run.
  const llvm::DenseSet<const Decl *> &workStorage();

private:
  std::optional<PoolSubmit> submitOfDefinition(const FunctionDecl *Def,
                                               unsigned Depth);
  std::optional<PoolSubmit> submitOfVirtual(const CXXMethodDecl *MD,
                                            unsigned Depth);
  std::optional<PoolSubmit> submitAt(const FunctionDecl *FD, unsigned Depth);
  void collectWorkers();
  bool joinedWhereMade(const ConstructionSite &Site);
  void scanWorker(const Stmt *Body);

  AnalysisContext &Analysis;
  const SummaryStore *Imported = nullptr;
  bool Collected = false;
  llvm::DenseSet<const Decl *> Storage;
  llvm::DenseMap<const FunctionDecl *, std::optional<PoolSubmit>> Submits;
  llvm::SmallPtrSet<const FunctionDecl *, 4> InProgress;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_POOLS_H
