//===--- Vocabulary.cpp - The names the analysis knows --------------------===//

#include "Vocabulary.h"
#include "Compat.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclTemplate.h"

namespace clang::tidy::defer_race {

const NameList &pointerLikeClasses() {
  static const NameList Names({"::std::shared_ptr", "::std::unique_ptr",
                               "::std::reference_wrapper",
                               "::boost::shared_ptr", "::boost::intrusive_ptr",
                               "::boost::reference_wrapper"});
  return Names;
}

const NameList &atomicClasses() {
  static const NameList Names({"::std::atomic", "::std::atomic_flag",
                               "::std::atomic_ref", "::boost::atomic",
                               "::boost::atomics::atomic"});
  return Names;
}

const NameList &lockClasses() {
  static const NameList Names(
      {"::std::lock_guard", "::std::unique_lock", "::std::scoped_lock",
       "::std::shared_lock", "::boost::lock_guard", "::boost::unique_lock",
       "::boost::shared_lock", "::boost::upgrade_lock",
       "::boost::interprocess::scoped_lock", "::absl::MutexLock",
       "::absl::ReaderMutexLock", "::absl::WriterMutexLock", "::QMutexLocker",
       "::QReadLocker", "::QWriteLocker", "::boost::shared_lock_guard"});
  return Names;
}

const NameList &sharedLockClasses() {
  static const NameList Names({"::std::shared_lock", "::boost::shared_lock",
                               "::boost::upgrade_lock",
                               "::boost::shared_lock_guard",
                               "::absl::ReaderMutexLock", "::QReadLocker"});
  return Names;
}

const NamedDecl *recordOf(QualType T) {
  T = T.getNonReferenceType();
  if (const auto *RD = T->getAsCXXRecordDecl())
    return RD;
  if (const auto *TST = T->getAs<TemplateSpecializationType>())
    if (const TemplateDecl *TD = TST->getTemplateName().getAsTemplateDecl())
      return TD->getTemplatedDecl();
  return nullptr;
}

const NameList &transparentFunctions() {
  static const NameList Names({"::std::ref", "::std::cref", "::std::move",
                               "::std::forward", "::std::as_const",
                               "::boost::ref", "::boost::cref"});
  return Names;
}

const NameList &referenceWrapperFunctions() {
  static const NameList Names(
      {"::std::ref", "::std::cref", "::boost::ref", "::boost::cref"});
  return Names;
}

bool isLockMethod(llvm::StringRef Method) {
  return Method == "lock" || Method == "lock_shared";
}

bool isUnlockMethod(llvm::StringRef Method) {
  return Method == "unlock" || Method == "unlock_shared";
}

const NameList &threadClasses() {
  static const NameList Names(
      {"::std::thread", "::std::jthread", "::boost::thread"});
  return Names;
}

const NameList &viewClasses() {
  static const NameList Names(
      {"::std::basic_string_view", "::std::span", "::std::experimental::span",
       "::gsl::span", "::gsl::basic_string_span", "::absl::Span",
       "::boost::basic_string_view", "::boost::core::basic_string_view",
       "::boost::span", "::llvm::ArrayRef", "::llvm::StringRef",
       "::QStringView", "::QByteArrayView"});
  return Names;
}

llvm::ArrayRef<llvm::StringRef> executorFunctionNames() {
  static const llvm::StringRef Names[] = {
      "::boost::asio::post",    "::boost::asio::dispatch",
      "::boost::asio::defer",   "::boost::asio::co_spawn",
      "::QtConcurrent::run",    "::QThreadPool::start",
      "::QThreadPool::tryStart"};
  return Names;
}

const NameList &executorFunctions() {
  static const NameList Names(std::vector<std::string>(
      executorFunctionNames().begin(), executorFunctionNames().end()));
  return Names;
}

const std::vector<std::string> &builtinConcurrentExecutors() {
  static const std::vector<std::string> Names = {
      "::boost::asio::thread_pool",
      "::boost::asio::system_context",
      "::boost::asio::system_executor",
      "::boost::asio::basic_system_executor",
  };
  return Names;
}

bool isCompletingFutureWait(llvm::StringRef Method) {
  // std::future, boost::future; QFuture.
  return Method == "wait" || Method == "get" || Method == "waitForFinished" ||
         Method == "result" || Method == "results";
}

bool isFutureWait(llvm::StringRef Method) {
  return isCompletingFutureWait(Method) || Method == "wait_for" ||
         Method == "wait_until";
}

llvm::ArrayRef<llvm::StringRef> signalMethods() {
  static const llvm::StringRef Names[] = {"set_value",
                                          "set_exception",
                                          "set_value_at_thread_exit",
                                          "set_exception_at_thread_exit",
                                          "notify_one",
                                          "notify_all",
                                          "count_down",
                                          "arrive",
                                          "arrive_and_wait",
                                          "arrive_and_drop",
                                          "release",
                                          "count_down_and_wait"};
  return Names;
}

llvm::ArrayRef<llvm::StringRef> untimedWaitMethods() {
  static const llvm::StringRef Names[] = {
      "wait", "get", "acquire", "arrive_and_wait", "count_down_and_wait"};
  return Names;
}

llvm::ArrayRef<llvm::StringRef> posixSignalFunctions() {
  static const llvm::StringRef Names[] = {"sem_post", "pthread_cond_signal",
                                          "pthread_cond_broadcast",
                                          "pthread_barrier_wait"};
  return Names;
}

llvm::ArrayRef<llvm::StringRef> posixWaitFunctions() {
  static const llvm::StringRef Names[] = {"sem_wait", "pthread_join",
                                          "pthread_barrier_wait"};
  return Names;
}

llvm::ArrayRef<llvm::StringRef> timedWaitMethods() {
  static const llvm::StringRef Names[] = {
      "wait_for", "wait_until", "try_acquire_for", "try_acquire_until"};
  return Names;
}

llvm::ArrayRef<llvm::StringRef> blockingWaitMethods() {
  static const llvm::StringRef Names[] = {
      "wait", "wait_for",        "wait_until", "get",
      "join", "arrive_and_wait", "acquire",    "try_acquire_for"};
  return Names;
}

bool isMutexLike(QualType T) {
  const NamedDecl *D = recordOf(T);
  if (!D)
    return false;
  std::string Name = D->getNameAsString();
  for (char &C : Name)
    C = static_cast<char>(std::tolower(static_cast<unsigned char>(C)));
  return Name.find("mutex") != std::string::npos;
}

bool isPointerLike(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isPointerType())
    return !T->getPointeeType()->isFunctionType();
  return pointerLikeClasses().matches(recordOf(T));
}

bool isAtomicType(QualType T) {
  if (T.isNull())
    return false;
  T = T.getNonReferenceType();
  if (T->isAtomicType())
    return true;
  return atomicClasses().matches(recordOf(T));
}

bool isSynchronizationType(QualType T) {
  if (T.isNull())
    return false;
  // The C types: sem_t, pthread_mutex_t, pthread_cond_t, ...
  if (const auto *TT = T.getNonReferenceType()->getAs<TypedefType>()) {
    llvm::StringRef Name = TT->getDecl()->getName();
    if (Name == "sem_t" || (compat::startsWith(Name, "pthread_") &&
                            Name != "pthread_t" && Name != "pthread_attr_t"))
      return true;
  }
  const NamedDecl *D = recordOf(T.getNonReferenceType());
  if (!D || !D->getIdentifier())
    return false;
  std::string Name = D->getName().lower();
  for (const char *Word :
       {"mutex", "condition_variable", "condvar", "latch", "barrier",
        "semaphore", "once_flag", "promise", "spinlock"})
    if (Name.find(Word) != std::string::npos)
      return true;
  return false;
}

} // namespace clang::tidy::defer_race
