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
