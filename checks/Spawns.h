//===--- Spawns.h - Is this call a detached spawn, and what does it run? --===//
//
// Recognises the places where a thread is started and left running:
//   std::thread / std::jthread / boost::thread (or a class derived from
//   one) with .detach(), also on a thread object made elsewhere (moved,
//   returned, held by a smart pointer or a member: the spawn carries the
//   object as Handle, and the analysis follows it through frames);
//   a thread object that is never joined, whose destructor detaches it
//   (Boost.Thread before BOOST_THREAD_VERSION 3, or a class of ours);
//   pthread_create followed by pthread_detach, or created with the
//   PTHREAD_CREATE_DETACHED attribute (set here or in a helper), or whose
//   start routine detaches itself;
//   calls to fire-and-forget functions named in the DetachedSpawners option,
//   and to the translation unit's own thread pools, recognised by what they
//   do (Pools.h);
//   work handed to a concurrent executor (boost::asio post, dispatch, defer,
//   co_spawn with detached); Qt's QtConcurrent::run whose QFuture is
//   dropped, and QThreadPool::start/tryStart (a std::function, a lambda, a
//   QRunnable subclass), unless the pool's waitForDone() follows;
//   a std::async whose future is stored where it outlives the callable.
// A std::async whose future is discarded is not detached: the future's
// destructor waits. A thread that is joined and never detached is not either.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SPAWNS_H
#define DEFER_RACE_CHECKS_SPAWNS_H

#include "AnalysisContext.h"
#include "Names.h"

#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// What a spawned thread runs.
struct ThreadCallable {
  const LambdaExpr *Lambda = nullptr;
  const FunctionDecl *Function = nullptr;
  /// The callable argument as written.
  const Expr *Written = nullptr;
  /// Arguments passed to the callable's parameters, as written.
  llvm::SmallVector<const Expr *, 4> Args;
  /// The object a member function runs on (std::thread(&C::run, this)).
  const Expr *Object = nullptr;
  bool ObjectIsPointer = false;

  /// Whether the code it runs is known without following frames.
  bool valid() const { return Lambda || Function; }
  const Stmt *body() const;
};

enum class SpawnKind {
  StdThread,
  BoostThread,
  Pthread,
  Spawner,  ///< a DetachedSpawners function, or a pool of ours (Pools.h)
  Executor, ///< boost::asio::post/dispatch/defer/co_spawn onto a thread pool
  Async,    ///< std::async whose future is stored beyond the callable
};

/// A thread that is started and left running.
struct DetachedSpawn {
  SpawnKind Kind = SpawnKind::StdThread;
  /// The thread construction, the pthread_create call, or the spawner call.
  const Expr *Start = nullptr;
  /// The .detach() or pthread_detach() call; null when the thread is detached
  /// by an attribute, by a destructor, or by the spawner itself.
  const CallExpr *Detach = nullptr;
  /// The pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) call
  /// that detaches a pthread by attribute.
  const CallExpr *DetachedAttribute = nullptr;
  /// The named thread object or pthread_t, if any.
  const VarDecl *ThreadVar = nullptr;
  /// The detached thread object, when its construction is not in sight
  /// here (moved from another thread, returned by a function, held by a
  /// smart pointer or a member): the analysis follows it through frames, and
  /// Callable is empty.
  const Expr *Handle = nullptr;
  /// Executor spawns: the handler as written (for post/dispatch/defer), and
  /// the completion token (for co_spawn).
  const Expr *Handler = nullptr;
  const Expr *Token = nullptr;
  /// The work completes a future (boost::asio::use_future): it is detached
  /// only when nothing waits for that future.
  bool FutureToken = false;
  /// Qt work: the QThreadPool it runs on (null for the global pool of
  /// QtConcurrent::run). pool.waitForDone() after the start ends it.
  /// Work given to a pool of ours: the object of the submit call; a call on
  /// it that waits (pool.Wait(), Drain()) ends it.
  const Expr *Pool = nullptr;
  /// Work given to a pool of ours: where it waits for a worker.
  const Decl *PoolStorage = nullptr;
  /// std::async: where its future is stored (a member, a global, a captured
  /// container). Waiting on it there ends the writer.
  const Expr *Storage = nullptr;
  ThreadCallable Callable;
  /// "std::thread", "std::jthread", "boost::thread", "pthread", or the name of
  /// the spawner.
  std::string What;

  /// Where a diagnostic about the spawn points: the detach, else the start.
  SourceLocation loc() const;
};

/// Whether T (or what it points to) is a thread class: std::thread,
/// std::jthread, boost::thread, or a class derived from one.
bool isThreadType(QualType T);
bool isThreadRecord(const CXXRecordDecl *RD);

class SpawnRecogniser {
public:
  /// ConcurrentExecutors adds execution contexts whose work runs on other
  /// threads to the built-in ones (boost::asio::thread_pool,
  /// boost::asio::system_context); an io_context may be run by the thread
  /// that posts, so it is only concurrent when listed.
  explicit SpawnRecogniser(std::vector<std::string> DetachedSpawners = {},
                           std::vector<std::string> ConcurrentExecutors = {});

  bool isThreadClass(QualType T) const;

  /// Whether work handed to this execution context or executor runs on
  /// another thread: a listed context, an executor nested in one, or a
  /// strand over such an executor.
  bool isConcurrentExecutor(QualType T) const;

  /// The spawn that becomes detached at S: a .detach() call, a
  /// pthread_detach() call, a pthread_create() that detaches by attribute or
  /// from its start routine, or a DetachedSpawners call.
  std::optional<DetachedSpawn> spawnAt(const Stmt *S,
                                       AnalysisContext &Analysis) const;

  /// The spawn made by declaring V: a boost::thread that is never joined,
  /// so that its destructor detaches it.
  std::optional<DetachedSpawn> spawnAtDecl(const VarDecl *V,
                                           AnalysisContext &Analysis) const;

  /// Every detached spawn made directly in Body (nested lambdas excluded).
  void spawnsIn(const Stmt *Body, llvm::SmallVectorImpl<DetachedSpawn> &Out,
                AnalysisContext &Analysis) const;

  /// Whether the function is a thread or spawner API whose body we should
  /// not walk into when looking for helpers.
  bool isSpawnApi(const FunctionDecl *FD) const;

private:
  std::optional<DetachedSpawn> fromDetachCall(const CXXMemberCallExpr *MC,
                                              AnalysisContext &Analysis) const;
  std::optional<DetachedSpawn>
  fromPthreadDetach(const CallExpr *Call, AnalysisContext &Analysis) const;
  std::optional<DetachedSpawn> fromPthreadCreate(const CallExpr *Call) const;
  std::optional<DetachedSpawn> fromSpawner(const CallExpr *Call,
                                           AnalysisContext &Analysis) const;
  std::optional<DetachedSpawn> fromPool(const CallExpr *Call,
                                        AnalysisContext &Analysis) const;
  std::optional<DetachedSpawn> fromExecutor(const CallExpr *Call) const;
  std::optional<DetachedSpawn> fromQt(const CallExpr *Call,
                                      AnalysisContext &Analysis) const;
  bool destructorDetaches(const CXXRecordDecl *RD) const;

  NameList Spawners;
  NameList Executors;
  mutable llvm::DenseMap<const CXXRecordDecl *, bool> DetachingDtors;
};

/// For Qt work, the pool's waitForDone() in Body after the expression After
/// (the start of the work, or a call that leads to it); for work given to a
/// pool of ours, a call on the same pool object that waits (isWaitCall) and
/// is not itself a submit. A wait on a different pool does not count; when
/// After is a call that receives the pool as an argument, the argument is
/// the pool. A null After looks at the whole of Body. Null if there is none.
const CallExpr *poolWaitAfter(const DetachedSpawn &S, const Expr *After,
                              const Stmt *Body, AnalysisContext &Analysis);

/// The callable started by a thread constructor or a spawner: a lambda, a
/// named lambda, a function, or a member function with its object.
ThreadCallable callableFrom(const Expr *Callable,
                            llvm::ArrayRef<const Expr *> Rest);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SPAWNS_H
