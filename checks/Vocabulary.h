//===--- Vocabulary.h - The names the analysis knows ----------------------===//
//
// Every built-in list of names the recognisers and facts compare with lives
// here, one named function per vocabulary, so that a name is added in one
// place. Lists that users extend (scope guards, spawners, serializers,
// executors) start from these and add the check options.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_VOCABULARY_H
#define DEFER_RACE_CHECKS_VOCABULARY_H

#include "Names.h"

#include "clang/AST/Type.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// The class, or the templated class of a class template specialization,
/// that T names; references are looked through.
const NamedDecl *recordOf(QualType T);

/// Smart pointers and reference wrappers: objects that stand for another.
const NameList &pointerLikeClasses();

/// std::atomic and friends: writing them is not a data race.
const NameList &atomicClasses();

/// RAII lock holders: lock_guard, unique_lock, absl::MutexLock, ...
const NameList &lockClasses();

/// The reader locks among them: shared_lock, absl::ReaderMutexLock, ... A
/// write made under one of these is not ordered with other readers.
const NameList &sharedLockClasses();

/// lock() and lock_shared(): a mutex, or a deferred unique_lock, is locked.
bool isLockMethod(llvm::StringRef Method);

/// unlock() and unlock_shared().
bool isUnlockMethod(llvm::StringRef Method);

//===----------------------------------------------------------------------===//
// Threads, executors and waits
//===----------------------------------------------------------------------===//

/// std::thread, std::jthread, boost::thread.
const NameList &threadClasses();

/// Non-owning views: a copy still refers to the viewed object.
const NameList &viewClasses();

/// boost::asio::post, dispatch, defer and co_spawn: they hand work to an
/// executor.
llvm::ArrayRef<llvm::StringRef> executorFunctionNames();
const NameList &executorFunctions();

/// Execution contexts whose work runs on other threads by default. The
/// ConcurrentExecutors option adds to these.
const std::vector<std::string> &builtinConcurrentExecutors();

/// Waits on a future: f.wait(), f.get(), f.wait_for(d), f.wait_until(t).
bool isFutureWait(llvm::StringRef Method);

/// The future waits that return only when the task is done: wait(), get().
bool isCompletingFutureWait(llvm::StringRef Method);

/// Calls by which a thread tells another that it got somewhere: a promise's
/// set_value(), a condition variable's notify_one(), a latch's
/// count_down(), a barrier's arrive(), a semaphore's release().
llvm::ArrayRef<llvm::StringRef> signalMethods();

/// Waits that return only once the signal came: a future's wait() and get(),
/// a latch's wait(), a semaphore's acquire(), a barrier's arrive_and_wait().
llvm::ArrayRef<llvm::StringRef> untimedWaitMethods();

/// The C functions that signal: sem_post(), pthread_cond_signal(),
/// pthread_cond_broadcast(), pthread_barrier_wait().
llvm::ArrayRef<llvm::StringRef> posixSignalFunctions();

/// The C functions that wait for a signal: sem_wait(), pthread_join(),
/// pthread_barrier_wait() (pthread_cond_wait() needs a loop; it is not here).
llvm::ArrayRef<llvm::StringRef> posixWaitFunctions();

/// Waits that may give up: wait_for(), wait_until(), try_acquire_for().
llvm::ArrayRef<llvm::StringRef> timedWaitMethods();

/// Member calls that block until another thread gets somewhere: the future
/// waits, join(), a latch's arrive_and_wait(), a semaphore's acquire().
llvm::ArrayRef<llvm::StringRef> blockingWaitMethods();

//===----------------------------------------------------------------------===//
// How far the analysis looks
//===----------------------------------------------------------------------===//

namespace bounds {
/// Helper calls followed from a guard's callable down to a spawn.
constexpr unsigned HelperCalls = 3;
/// Call levels through which function summaries compose.
constexpr unsigned SummaryCalls = 4;
/// Call levels followed from a thread's callable to the writes it makes.
constexpr unsigned WriteCalls = 2;
/// Steps through references, captures and arguments when resolving an
/// expression to an object.
constexpr unsigned ResolveSteps = 16;
/// Copies into locals followed back from a serializer's input.
constexpr unsigned Derivations = 3;
/// Functions of ours that hand their parameters to a serializer, followed
/// from a call down to the library serializer.
constexpr unsigned SerializerWrappers = 3;
/// Statements looked at when a fact searches a whole function body.
constexpr unsigned WalkNodes = 1u << 16;
} // namespace bounds

/// std::ref, std::move, std::forward, ...: calls that denote their argument.
const NameList &transparentFunctions();

/// std::ref and std::cref (and Boost's): calls that make a reference.
const NameList &referenceWrapperFunctions();

/// Whether objects of this type are pointers for our purposes: raw pointers,
/// std::shared_ptr/unique_ptr, boost::shared_ptr, std::reference_wrapper.
bool isPointerLike(QualType T);

/// std::atomic, std::atomic_flag, std::atomic_ref, boost::atomic.
bool isAtomicType(QualType T);

/// Types that are made to be used from several threads at once: mutexes,
/// condition variables, latches, barriers, semaphores, once_flag, promises.
/// Calling their non-const members is not a data race.
bool isSynchronizationType(QualType T);

/// A class whose name contains "mutex": what lock() and unlock() lock.
bool isMutexLike(QualType T);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_VOCABULARY_H
