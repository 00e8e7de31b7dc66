//===--- Locks.cpp - Which lock is held around a statement? ---------------===//

#include "Locks.h"
#include "Expressions.h"
#include "Vocabulary.h"

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
    if (D && D->getName() == "defer_lock_t")
      return true;
  }
  return false;
}

} // namespace

void scanForLocks(const Stmt *S, llvm::SmallVectorImpl<LockState> &Held) {
  if (const auto *DS = llvm::dyn_cast<DeclStmt>(S)) {
    for (const Decl *D : DS->decls()) {
      const auto *VD = llvm::dyn_cast<VarDecl>(D);
      if (!VD || !lockClasses().matches(recordOf(VD->getType())))
        continue;
      const auto *CE = llvm::dyn_cast_or_null<CXXConstructExpr>(
          ignoreWrappers(VD->getInit()));
      if (!CE || CE->getNumArgs() == 0 || hasDeferTag(CE))
        continue;
      Held.push_back({VD, CE->getArg(0), DS});
    }
    return;
  }
  const auto *E = llvm::dyn_cast<Expr>(S);
  if (!E)
    return;
  const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(ignoreWrappers(E));
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
    if (lockClasses().matches(recordOf(Obj->getType()))) {
      // A deferred unique_lock being locked: find its mutex.
      const auto *VD = llvm::dyn_cast<VarDecl>(Key);
      const auto *CE = VD ? llvm::dyn_cast_or_null<CXXConstructExpr>(
                                ignoreWrappers(VD->getInit()))
                          : nullptr;
      if (CE && CE->getNumArgs() > 0)
        Held.push_back({Key, CE->getArg(0), S});
      return;
    }
    if (isMutexLike(Obj->getType()))
      Held.push_back({Key, Obj, S});
  }
}

LockIndex::LockIndex(const Stmt *Body, const ParentMap &Parents)
    : Body(Body), Parents(Parents) {}

LockIndex::~LockIndex() = default;

std::optional<LockState> LockIndex::lockBefore(const CompoundStmt *CS,
                                               const Stmt *Child) const {
  std::unique_ptr<BlockLocks> &Slot = Blocks[CS];
  if (!Slot) {
    // One pass over the block: what is held before each of its statements.
    Slot = std::make_unique<BlockLocks>();
    llvm::SmallVector<LockState, 2> Held;
    for (const Stmt *S : CS->body()) {
      Slot->Position.try_emplace(S, Slot->Top.size());
      Slot->Top.push_back(Held.empty() ? LockState() : Held.back());
      if (S)
        scanForLocks(S, Held);
    }
  }
  auto It = Slot->Position.find(Child);
  if (It == Slot->Position.end())
    return std::nullopt;
  const LockState &Top = Slot->Top[It->second];
  if (!Top.Key)
    return std::nullopt;
  return Top;
}

std::optional<HeldLock> LockIndex::heldAt(const Stmt *S, const Frame &Fr,
                                          const ObjectResolver &R) const {
  if (!Body)
    return std::nullopt;
  const Stmt *Child = S;
  for (const Stmt *P = Parents.getParent(S); P;
       Child = P, P = Parents.getParent(P)) {
    if (const auto *CS = llvm::dyn_cast<CompoundStmt>(P))
      if (std::optional<LockState> Top = lockBefore(CS, Child)) {
        HeldLock L;
        L.MutexExpr = Top->MutexExpr;
        L.Mutex = R.object(L.MutexExpr, Fr);
        L.Guard = Top->Where;
        return L;
      }
    if (P == Body)
      break;
  }
  return std::nullopt;
}

bool orderedByLock(const std::optional<HeldLock> &ReaderLock, bool WriterLocked,
                   const std::optional<ObjectRef> &WriterMutex) {
  return ReaderLock && WriterLocked &&
         (!ReaderLock->Mutex || !WriterMutex ||
          *ReaderLock->Mutex == *WriterMutex);
}

} // namespace clang::tidy::defer_race
