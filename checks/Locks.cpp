//===--- Locks.cpp - Which lock is held around a statement? ---------------===//

#include "Locks.h"
#include "Expressions.h"
#include "Vocabulary.h"

#include "llvm/ADT/StringSwitch.h"

namespace clang::tidy::defer_race {

namespace {

// The declaration a simple lvalue names: the variable of a DeclRefExpr or the
// member of a MemberExpr. Used to pair lock() with unlock().
const ValueDecl *lockKey(const Expr *E) {
  E = ignoreWrappers(E);
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E))
    return DRE->getDecl();
  if (const auto *ME = llvm::dyn_cast<MemberExpr>(E))
    return ME->getMemberDecl();
  return nullptr;
}

bool hasDeferTag(const CXXConstructExpr *CE) {
  for (const Expr *Arg : CE->arguments()) {
    const NamedDecl *D = recordOf(Arg->getType());
    if (D &&
        (D->getName() == "defer_lock_t" || D->getName() == "try_to_lock_t"))
      return true;
  }
  return false;
}

// What the member calls made in Body do to a mutex-like object: lock it
// (exclusively or shared) or unlock it. Looks a bounded number of nodes deep.
struct MutexCalls {
  bool Locks = false, LocksShared = false, Unlocks = false;
};
MutexCalls mutexCallsIn(const Stmt *Body) {
  MutexCalls Found;
  forEachStmt(Body, 256, [&](const Stmt *S) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S);
    const CXXMethodDecl *MD = MC ? MC->getMethodDecl() : nullptr;
    const Expr *Obj = MC ? MC->getImplicitObjectArgument() : nullptr;
    if (MD && MD->getIdentifier() && Obj &&
        isMutexLike(Obj->getType()->isPointerType()
                        ? Obj->getType()->getPointeeType()
                        : Obj->getType())) {
      llvm::StringRef Name = MD->getName();
      Found.Locks |= Name == "lock";
      Found.LocksShared |= Name == "lock_shared";
      Found.Unlocks |= isUnlockMethod(Name);
    }
    return false;
  });
  return Found;
}

// m.try_lock() or m.try_lock_shared() on a mutex: the mutex; else null.
const Expr *tryLocked(const Expr *E, bool &Shared) {
  const auto *MC = llvm::dyn_cast_or_null<CXXMemberCallExpr>(
      E ? ignoreWrappers(E) : nullptr);
  if (!MC || !MC->getMethodDecl() || !MC->getMethodDecl()->getIdentifier())
    return nullptr;
  llvm::StringRef Name = MC->getMethodDecl()->getName();
  const Expr *Obj = MC->getImplicitObjectArgument();
  if ((Name != "try_lock" && Name != "try_lock_shared") || !Obj ||
      !isMutexLike(Obj->getType()))
    return nullptr;
  Shared = Name == "try_lock_shared";
  return Obj;
}

// A condition that is true while the try_lock() in it failed: `!m.try_lock()`
// or `m.try_lock() == false`. The mutex, else null.
const Expr *failedTryLock(const Expr *Cond, bool &Shared) {
  Cond = Cond ? ignoreWrappers(Cond) : nullptr;
  if (const auto *UO = llvm::dyn_cast_or_null<UnaryOperator>(Cond))
    if (UO->getOpcode() == UO_LNot)
      return tryLocked(UO->getSubExpr(), Shared);
  if (const auto *BO = llvm::dyn_cast_or_null<BinaryOperator>(Cond))
    if (BO->getOpcode() == BO_EQ)
      if (const auto *B =
              llvm::dyn_cast<CXXBoolLiteralExpr>(ignoreWrappers(BO->getRHS()));
          B && !B->getValue())
        return tryLocked(BO->getLHS(), Shared);
  return nullptr;
}

// A statement after which control does not continue: return, throw, break,
// continue, or a block ending with one.
bool leaves(const Stmt *S) {
  if (const auto *CS = llvm::dyn_cast_or_null<CompoundStmt>(S))
    return !CS->body_empty() && leaves(CS->body_back());
  return llvm::isa_and_nonnull<ReturnStmt, BreakStmt, ContinueStmt,
                               CXXThrowExpr>(S);
}

void pushLock(const Expr *Mutex, const Stmt *Where, bool Shared,
              llvm::SmallVectorImpl<LockState> &Held) {
  if (const ValueDecl *Key = lockKey(Mutex))
    Held.push_back({Key, Mutex, Where, Shared});
}

// The C locking functions: pthread_mutex_lock(&m) holds m until
// pthread_mutex_unlock(&m), as m.lock() and m.unlock() do.
enum class CLock { None, Lock, LockShared, Unlock };
CLock cLockFunction(const CallExpr *Call) {
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD || !FD->getIdentifier() || Call->getNumArgs() == 0)
    return CLock::None;
  return llvm::StringSwitch<CLock>(FD->getName())
      .Cases("pthread_mutex_lock", "pthread_rwlock_wrlock", "pthread_spin_lock",
             "mtx_lock", CLock::Lock)
      .Case("pthread_rwlock_rdlock", CLock::LockShared)
      .Cases("pthread_mutex_unlock", "pthread_rwlock_unlock",
             "pthread_spin_unlock", "mtx_unlock", CLock::Unlock)
      .Default(CLock::None);
}

// The mutex a C locking function is given: m for &m, else the pointer.
const Expr *cLockedMutex(const CallExpr *Call) {
  const Expr *Arg = ignoreWrappers(Call->getArg(0));
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Arg);
      UO && UO->getOpcode() == UO_AddrOf)
    return ignoreWrappers(UO->getSubExpr());
  return Arg;
}

} // namespace

LockHolder lockHolderKind(QualType T) {
  const NamedDecl *D = recordOf(T);
  if (!D)
    return LockHolder::None;
  if (lockClasses().matches(D))
    return sharedLockClasses().matches(D) ? LockHolder::Shared
                                          : LockHolder::Exclusive;
  // A class of the user's: its constructor locks, its destructor unlocks.
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  RD = RD ? RD->getDefinition() : nullptr;
  const CXXDestructorDecl *Dtor = RD ? RD->getDestructor() : nullptr;
  const FunctionDecl *DtorDef = Dtor ? definitionOf(Dtor) : nullptr;
  if (!DtorDef || !mutexCallsIn(DtorDef->getBody()).Unlocks)
    return LockHolder::None;
  for (const CXXConstructorDecl *Ctor : RD->ctors()) {
    const FunctionDecl *Def = definitionOf(Ctor);
    if (!Def || Ctor->isCopyOrMoveConstructor())
      continue;
    MutexCalls C = mutexCallsIn(Def->getBody());
    if (C.Locks)
      return LockHolder::Exclusive;
    if (C.LocksShared)
      return LockHolder::Shared;
  }
  return LockHolder::None;
}

void scanForLocks(const Stmt *S, llvm::SmallVectorImpl<LockState> &Held) {
  if (const auto *DS = llvm::dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls()) {
      const auto *VD = llvm::dyn_cast<VarDecl>(D);
      if (!VD || VD->getType()->isReferenceType())
        continue;
      LockHolder Kind = lockHolderKind(VD->getType());
      if (Kind == LockHolder::None || !VD->getInit())
        continue;
      const bool Shared = Kind == LockHolder::Shared;
      const Expr *Init = ignoreWrappers(VD->getInit());
      const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Init);
      if (!CE) {
        // A lock returned by a helper: `auto l = lockIt(m);`. Its mutex is
        // not known here.
        if (llvm::isa<CallExpr>(Init))
          Held.push_back({VD, nullptr, DS, Shared});
        continue;
      }
      if (CE->getNumArgs() == 0 || hasDeferTag(CE))
        continue;
      // The mutexes are the arguments of a mutex-like type (several for
      // std::scoped_lock); a lock moved from another one, or built from
      // something else, holds an unknown mutex.
      size_t Before = Held.size();
      for (const Expr *Arg : CE->arguments())
        if (isMutexLike(Arg->getType()) ||
            (Arg->getType()->isPointerType() &&
             isMutexLike(Arg->getType()->getPointeeType())))
          Held.push_back({VD, Arg, DS, Shared});
      if (Held.size() == Before)
        Held.push_back({VD, nullptr, DS, Shared});
    }
    return;
  }
  // while (!m.try_lock()) {} and its do/for forms: m is held after the loop.
  bool Shared = false;
  const Expr *Spun = nullptr;
  if (const auto *W = llvm::dyn_cast<WhileStmt>(S))
    Spun = failedTryLock(W->getCond(), Shared);
  else if (const auto *Do = llvm::dyn_cast<DoStmt>(S))
    Spun = failedTryLock(Do->getCond(), Shared);
  else if (const auto *For = llvm::dyn_cast<ForStmt>(S))
    Spun = failedTryLock(For->getCond(), Shared);
  else if (const auto *If = llvm::dyn_cast<IfStmt>(S)) {
    // if (!m.try_lock()) return; -- m is held after it.
    if (!If->getElse() && leaves(If->getThen()))
      Spun = failedTryLock(If->getCond(), Shared);
  }
  if (Spun) {
    pushLock(Spun, S, Shared, Held);
    return;
  }
  const auto *E = llvm::dyn_cast<Expr>(S);
  if (!E)
    return;
  E = ignoreWrappers(E);
  // std::lock(a, b), boost::lock(a, b): every argument is locked.
  if (const auto *Call = llvm::dyn_cast<CallExpr>(E);
      Call && !llvm::isa<CXXMemberCallExpr>(Call)) {
    CLock C = cLockFunction(Call);
    if (C == CLock::Unlock) {
      const ValueDecl *Key = lockKey(cLockedMutex(Call));
      for (size_t I = Held.size(); Key && I-- > 0;)
        if (Held[I].Key == Key) {
          Held.erase(Held.begin() + I);
          break;
        }
      return;
    }
    if (C != CLock::None) {
      pushLock(cLockedMutex(Call), S, C == CLock::LockShared, Held);
      return;
    }
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (Callee && Callee->getIdentifier() && Callee->getName() == "lock" &&
        Call->getNumArgs() > 0 && !llvm::isa<CXXMethodDecl>(Callee)) {
      for (const Expr *Arg : Call->arguments())
        if (isMutexLike(Arg->getType()))
          pushLock(Arg, S, false, Held);
    }
    return;
  }
  const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E);
  if (!MC || !MC->getMethodDecl() || !MC->getMethodDecl()->getIdentifier())
    return;
  llvm::StringRef Name = MC->getMethodDecl()->getName();
  const Expr *Obj = MC->getImplicitObjectArgument();
  const ValueDecl *Key = lockKey(Obj);
  if (!Key)
    return;
  if (isUnlockMethod(Name)) {
    for (size_t I = Held.size(); I-- > 0;)
      if (Held[I].Key == Key) {
        Held.erase(Held.begin() + I);
        break;
      }
    return;
  }
  if (isLockMethod(Name)) {
    LockHolder Kind = lockHolderKind(Obj->getType());
    if (Kind != LockHolder::None) {
      // A deferred unique_lock being locked: find its mutex.
      const auto *VD = llvm::dyn_cast<VarDecl>(Key);
      const auto *CE = VD ? llvm::dyn_cast_or_null<CXXConstructExpr>(
                                ignoreWrappers(VD->getInit()))
                          : nullptr;
      if (CE && CE->getNumArgs() > 0)
        Held.push_back({Key, CE->getArg(0), S, Kind == LockHolder::Shared});
      return;
    }
    if (isMutexLike(Obj->getType()))
      Held.push_back({Key, Obj, S, Name == "lock_shared"});
  }
}

LockIndex::LockIndex(const Stmt *Body, const ParentMap &Parents)
    : Body(Body), Parents(Parents) {}

LockIndex::~LockIndex() = default;

llvm::ArrayRef<LockState> LockIndex::locksBefore(const CompoundStmt *CS,
                                                 const Stmt *Child) const {
  std::unique_ptr<BlockLocks> &Slot = Blocks[CS];
  if (!Slot) {
    // One pass over the block: what is held before each of its statements.
    Slot = std::make_unique<BlockLocks>();
    llvm::SmallVector<LockState, 2> Held;
    for (const Stmt *S : CS->body()) {
      Slot->Position.try_emplace(S, Slot->Held.size());
      Slot->Held.emplace_back(Held.begin(), Held.end());
      if (S)
        scanForLocks(S, Held);
    }
  }
  auto It = Slot->Position.find(Child);
  if (It == Slot->Position.end())
    return {};
  return Slot->Held[It->second];
}

std::optional<HeldLock> LockIndex::heldAt(const Stmt *S, const Frame &Fr,
                                          const ObjectResolver &R) const {
  if (!Body)
    return std::nullopt;
  // Every lock held at S, innermost first.
  llvm::SmallVector<LockState, 4> Held;
  auto Add = [&](llvm::ArrayRef<LockState> Block) {
    for (const LockState &L : llvm::reverse(Block))
      Held.push_back(L);
  };
  const Stmt *Child = S;
  for (const Stmt *P = Parents.getParent(S); P;
       Child = P, P = Parents.getParent(P)) {
    if (const auto *CS = llvm::dyn_cast<CompoundStmt>(P)) {
      Add(locksBefore(CS, Child));
    } else {
      // A lock declared in the initializer of an if, switch or for.
      const Stmt *Init = nullptr;
      if (const auto *If = llvm::dyn_cast<IfStmt>(P)) {
        Init = If->getInit();
        bool Shared = false;
        if (Child == If->getThen())
          if (const Expr *M = tryLocked(If->getCond(), Shared))
            Held.push_back({lockKey(M), M, If, Shared});
      } else if (const auto *Sw = llvm::dyn_cast<SwitchStmt>(P))
        Init = Sw->getInit();
      else if (const auto *For = llvm::dyn_cast<ForStmt>(P))
        Init = For->getInit();
      else if (const auto *Range = llvm::dyn_cast<CXXForRangeStmt>(P))
        Init = Range->getInit();
      if (Init && Child != Init) {
        llvm::SmallVector<LockState, 2> InInit;
        scanForLocks(Init, InInit);
        Add(InInit);
      }
    }
    if (P == Body)
      break;
  }
  if (Held.empty())
    return std::nullopt;
  HeldLock L;
  L.MutexExpr = Held.front().MutexExpr;
  if (L.MutexExpr)
    L.Mutex = R.object(L.MutexExpr, Fr);
  L.Guard = Held.front().Where;
  L.Shared = Held.front().Shared;
  for (const LockState &State : Held)
    L.All.push_back(State.MutexExpr ? R.object(State.MutexExpr, Fr)
                                    : std::nullopt);
  return L;
}

bool orderedByLock(const std::optional<HeldLock> &ReaderLock, bool WriterLocked,
                   const std::optional<ObjectRef> &WriterMutex) {
  if (!ReaderLock || !WriterLocked)
    return false;
  if (!WriterMutex || ReaderLock->All.empty())
    return true;
  for (const std::optional<ObjectRef> &M : ReaderLock->All)
    if (!M || *M == *WriterMutex)
      return true;
  return false;
}

} // namespace clang::tidy::defer_race
