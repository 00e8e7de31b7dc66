//===--- Handshakes.cpp - Facts: waits that order a thread's work ---------===//

#include "Handshakes.h"
#include "Compat.h"
#include "Expressions.h"
#include "Vocabulary.h"

#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

namespace {

/// A synchronisation object, named the same way from the spawner and from
/// the thread: a root variable (or `this`) and the fields below it.
struct SyncKey {
  const void *Root = nullptr;
  llvm::SmallVector<const ValueDecl *, 2> Path;
  bool operator==(const SyncKey &O) const {
    return Root == O.Root && Path == O.Path;
  }
};

const char ThisRoot = 0;

bool isFutureType(QualType T) {
  const NamedDecl *D = recordOf(T);
  return D && D->getIdentifier() &&
         D->getName().lower().find("future") != std::string::npos;
}

// The object E names, as a key: futures lead to their promise, init-captures
// and references to what they were initialised with, smart pointers to the
// variable holding them.
std::optional<SyncKey> keyOf(const Expr *E, const Frame *Fr = nullptr,
                             unsigned Steps = 8) {
  if (!E || Steps == 0)
    return std::nullopt;
  E = ignoreWrappers(E);
  if (const Expr *Inner = transparentCallArgument(E))
    return keyOf(Inner, Fr, Steps - 1);
  // A copy or a move: the object it was made from.
  if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(E)) {
    if (CE->getNumArgs() == 1 && CE->getConstructor() &&
        CE->getConstructor()->isCopyOrMoveConstructor())
      return keyOf(CE->getArg(0), Fr, Steps - 1);
    return std::nullopt;
  }
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E)) {
    if ((OC->getOperator() == OO_Arrow || OC->getOperator() == OO_Star) &&
        OC->getNumArgs() == 1)
      return keyOf(OC->getArg(0), Fr, Steps - 1);
    return std::nullopt;
  }
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E)) {
    if (UO->getOpcode() == UO_Deref || UO->getOpcode() == UO_AddrOf)
      return keyOf(UO->getSubExpr(), Fr, Steps - 1);
    return std::nullopt;
  }
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E)) {
    // p.get_future(), f.share(), sp.get(): the object they come from.
    const CXXMethodDecl *MD = MC->getMethodDecl();
    if (MD && MD->getIdentifier() &&
        (MD->getName() == "get_future" || MD->getName() == "share" ||
         MD->getName() == "get"))
      return keyOf(MC->getImplicitObjectArgument(), Fr, Steps - 1);
    return std::nullopt;
  }
  if (llvm::isa<CXXThisExpr>(E)) {
    SyncKey K;
    K.Root = &ThisRoot;
    return K;
  }
  if (const auto *ME = llvm::dyn_cast<MemberExpr>(E)) {
    std::optional<SyncKey> K = keyOf(ME->getBase(), Fr, Steps - 1);
    if (K)
      K->Path.push_back(ME->getMemberDecl());
    return K;
  }
  const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E);
  const auto *V = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!V)
    return std::nullopt;
  // A parameter of a callable (BOOST_SCOPE_EXIT's body, a pthread start
  // routine, a lambda called with arguments): the argument its frame binds
  // to it.
  if (const auto *P = llvm::dyn_cast<ParmVarDecl>(V))
    for (const Frame *F = Fr; F; F = F->Parent)
      if (F->Function && P->getDeclContext() == F->Function &&
          P->getFunctionScopeIndex() < F->Args.size() &&
          F->Args[P->getFunctionScopeIndex()])
        return keyOf(F->Args[P->getFunctionScopeIndex()], F->Parent, Steps - 1);
  // What the variable stands for: an init-capture, a reference, a pointer or
  // a future copies or refers to another object.
  if (const Expr *Init = V->getInit();
      Init && !V->hasGlobalStorage() &&
      (V->isInitCapture() || V->getType()->isReferenceType() ||
       isPointerLike(V->getType()) || isFutureType(V->getType())))
    if (std::optional<SyncKey> K = keyOf(Init, Fr, Steps - 1))
      return K;
  SyncKey K;
  K.Root = V->getCanonicalDecl();
  return K;
}

enum class WaitRole { None, Wait, TimedWait, PlainConditionWait };

// The synchronisation object or future a member call is made on, if any.
bool onSyncObject(const CXXMemberCallExpr *MC, bool &Future) {
  const CXXMethodDecl *MD = MC->getMethodDecl();
  if (!MD || !MD->getIdentifier())
    return false;
  QualType T = MC->getObjectType();
  Future = isFutureType(T);
  return Future || isSynchronizationType(T);
}

// Whether a member call tells other threads something: set_value(),
// notify_one(), count_down(), release(), ...
bool isSignalCall(const CXXMemberCallExpr *MC) {
  bool Future = false;
  if (!onSyncObject(MC, Future) || Future)
    return false;
  llvm::StringRef Name = MC->getMethodDecl()->getName();
  if (llvm::is_contained(signalMethods(), Name))
    return true;
  // A barrier's wait() is an arrival: the others wait for it.
  const NamedDecl *D = recordOf(MC->getObjectType());
  return Name == "wait" && D && D->getIdentifier() &&
         D->getName().lower().find("barrier") != std::string::npos;
}

// The object a C signalling function is called on: sem_post(&s),
// pthread_cond_signal(&c). Null for anything else.
const Expr *posixSignalled(const CallExpr *Call) {
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD || !FD->getIdentifier() || Call->getNumArgs() == 0 ||
      !llvm::is_contained(posixSignalFunctions(), FD->getName()))
    return nullptr;
  return Call->getArg(0);
}

// The object a signalling call is made on, whether a member call or a C
// function; null when Call signals nothing.
const Expr *signalled(const CallExpr *Call) {
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
    return isSignalCall(MC) ? MC->getImplicitObjectArgument() : nullptr;
  return posixSignalled(Call);
}

// How a member call waits for another thread.
WaitRole waitRole(const CXXMemberCallExpr *MC) {
  bool Future = false;
  if (!onSyncObject(MC, Future))
    return WaitRole::None;
  llvm::StringRef N = MC->getMethodDecl()->getName();
  if (llvm::is_contained(timedWaitMethods(), N))
    return WaitRole::TimedWait;
  if (!llvm::is_contained(untimedWaitMethods(), N))
    return WaitRole::None;
  // cv.wait(lock) can wake spuriously: only a loop around it, re-testing the
  // state, makes it a handshake.
  const NamedDecl *D = recordOf(MC->getObjectType());
  if (N == "wait" && MC->getNumArgs() == 1 && D && D->getIdentifier() &&
      D->getName().lower().find("condition") != std::string::npos)
    return WaitRole::PlainConditionWait;
  return WaitRole::Wait;
}

// The statement of the compound body Top that contains S, and its index;
// fails when S is not reached unconditionally from there: inside a branch,
// a lambda, or the short-circuited operand of && and ||. A loop's
// condition always runs; its body only counts when BodyOk is set.
std::optional<unsigned> unconditionalIndex(const Stmt *S,
                                           const CompoundStmt *Top,
                                           const ParentMap &PM,
                                           bool BodyOk = false) {
  const Stmt *Child = S;
  for (const Stmt *P = PM.getParent(S); P; Child = P, P = PM.getParent(P)) {
    if (P == Top)
      return positionIn(Top, Child);
    if (llvm::isa<IfStmt, SwitchStmt, ConditionalOperator,
                  BinaryConditionalOperator, LambdaExpr, CXXCatchStmt>(P))
      return std::nullopt;
    if (const auto *BO = llvm::dyn_cast<BinaryOperator>(P))
      if (BO->isLogicalOp() && Child == BO->getRHS())
        return std::nullopt;
    const Stmt *Cond = nullptr, *Body = nullptr;
    if (const auto *W = llvm::dyn_cast<WhileStmt>(P))
      Cond = W->getCond(), Body = W->getBody();
    else if (const auto *Do = llvm::dyn_cast<DoStmt>(P))
      Cond = Do->getCond(), Body = Do->getBody();
    else if (const auto *For = llvm::dyn_cast<ForStmt>(P))
      Cond = For->getCond(), Body = For->getBody();
    else if (const auto *Range = llvm::dyn_cast<CXXForRangeStmt>(P))
      Body = Range->getBody();
    if (Body && Child == Body && !(BodyOk || llvm::isa<DoStmt>(P)))
      return std::nullopt;
    if (Cond && Child == Cond)
      continue; // a loop's condition runs at least once
  }
  return std::nullopt;
}

// Whether S sits in the condition of a loop, which repeats it until it
// succeeds.
bool inLoopCondition(const Stmt *S, const ParentMap &PM) {
  const Stmt *Child = S;
  for (const Stmt *P = PM.getParent(S); P && !llvm::isa<CompoundStmt>(P);
       Child = P, P = PM.getParent(P)) {
    if (const auto *W = llvm::dyn_cast<WhileStmt>(P))
      return Child == W->getCond();
    if (const auto *Do = llvm::dyn_cast<DoStmt>(P))
      return Child == Do->getCond();
    if (const auto *For = llvm::dyn_cast<ForStmt>(P))
      return Child == For->getCond();
  }
  return false;
}

// The declarations a condition variable's predicate reads.
void predicateState(const CXXMemberCallExpr *Wait,
                    llvm::SmallPtrSetImpl<const Decl *> &Out) {
  if (Wait->getNumArgs() < 2)
    return;
  const Stmt *Predicate = Wait->getArg(Wait->getNumArgs() - 1);
  if (const auto *L = llvm::dyn_cast<LambdaExpr>(
          ignoreWrappers(Wait->getArg(Wait->getNumArgs() - 1))))
    Predicate = L->getBody();
  forEachStmt(Predicate, 128, [&](const Stmt *S) {
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(S))
      Out.insert(DRE->getDecl());
    else if (const auto *ME = llvm::dyn_cast<MemberExpr>(S))
      Out.insert(ME->getMemberDecl());
    return false;
  });
}

// Whether S assigns to one of the declarations in State.
bool setsState(const Stmt *S,
               const llvm::SmallPtrSetImpl<const Decl *> &State) {
  bool Sets = false;
  forEachStmt(S, 256, [&](const Stmt *X) {
    const Expr *Target = nullptr;
    if (const auto *BO = llvm::dyn_cast<BinaryOperator>(X);
        BO && BO->isAssignmentOp())
      Target = BO->getLHS();
    else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(X);
             OC && OC->isAssignmentOp() && OC->getNumArgs() > 0)
      Target = OC->getArg(0);
    else if (const auto *UO = llvm::dyn_cast<UnaryOperator>(X);
             UO && UO->isIncrementDecrementOp())
      Target = UO->getSubExpr();
    if (!Target)
      return false;
    Target = ignoreWrappers(Target);
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Target))
      Sets = State.count(DRE->getDecl()) > 0;
    else if (const auto *ME = llvm::dyn_cast<MemberExpr>(Target))
      Sets = State.count(ME->getMemberDecl()) > 0;
    return Sets;
  });
  return Sets;
}

// Calls in S (not in nested lambdas), in source order.
void callsIn(const Stmt *S, llvm::SmallVectorImpl<const CallExpr *> &Out) {
  forEachCall(S, [&](const CallExpr *Call) {
    Out.push_back(Call);
    return false;
  });
}

// The index in Top of the statement containing S, if S is in Top.
std::optional<unsigned> indexIn(const Stmt *S, const CompoundStmt *Top,
                                const ParentMap &PM) {
  const Stmt *Child = S;
  for (const Stmt *P = PM.getParent(S); P; Child = P, P = PM.getParent(P))
    if (P == Top)
      return positionIn(Top, Child);
  return std::nullopt;
}

// The innermost block around S that also holds T, with the indices of the
// statements holding each.
struct Common {
  const CompoundStmt *Block = nullptr;
  unsigned IndexOfS = 0, IndexOfT = 0;
};
std::optional<Common> commonBlock(const Stmt *S, const Stmt *T,
                                  const ParentMap &PM) {
  llvm::DenseMap<const Stmt *, const Stmt *> ChildOnPathOfS;
  const Stmt *Child = S;
  for (const Stmt *P = PM.getParent(S); P; Child = P, P = PM.getParent(P))
    if (llvm::isa<CompoundStmt>(P))
      ChildOnPathOfS.try_emplace(P, Child);
  Child = T;
  for (const Stmt *P = PM.getParent(T); P; Child = P, P = PM.getParent(P)) {
    const auto *CS = llvm::dyn_cast<CompoundStmt>(P);
    if (!CS)
      continue;
    auto It = ChildOnPathOfS.find(CS);
    if (It == ChildOnPathOfS.end())
      continue;
    std::optional<unsigned> IS = positionIn(CS, It->second);
    std::optional<unsigned> IT = positionIn(CS, Child);
    if (!IS || !IT)
      return std::nullopt;
    Common C;
    C.Block = CS;
    C.IndexOfS = *IS;
    C.IndexOfT = *IT;
    return C;
  }
  return std::nullopt;
}

// Whether S is inside a loop of the body PM was built for.
bool inLoop(const Stmt *S, const ParentMap &PM) {
  for (const Stmt *P = PM.getParent(S); P; P = PM.getParent(P))
    if (llvm::isa<WhileStmt, DoStmt, ForStmt>(P))
      return true;
  return false;
}

bool isWaitCallImpl(const CallExpr *Call, const Stmt *Body,
                    AnalysisContext &Analysis, unsigned Depth) {
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call)) {
    WaitRole Role = waitRole(MC);
    if (Role == WaitRole::Wait)
      return true;
    const ParentMap &PM = Analysis.body(Body).parents();
    if (Role == WaitRole::TimedWait)
      return inLoopCondition(MC, PM);
    if (Role == WaitRole::PlainConditionWait)
      return inLoop(MC, PM);
  }
  const FunctionDecl *FD = Call->getDirectCallee();
  if (!FD)
    return false;
  if (FD->getIdentifier() &&
      llvm::is_contained(posixWaitFunctions(), FD->getName()))
    return true;
  // A function of ours that waits: pool.waitDone(), latch_wait(&l).
  const FunctionDecl *Def = definitionOf(FD);
  const auto *Block =
      Def ? llvm::dyn_cast_or_null<CompoundStmt>(Def->getBody()) : nullptr;
  if (!Block || Depth >= 2 ||
      inSystemHeader(Def, Analysis.ast().getSourceManager()))
    return false;
  llvm::SmallVector<const CallExpr *, 8> Calls;
  callsIn(Block, Calls);
  ParentMap &PM = Analysis.body(Block).parents();
  for (const CallExpr *Inner : Calls)
    if (unconditionalIndex(Inner, Block, PM, /*BodyOk=*/true) &&
        isWaitCallImpl(Inner, Block, Analysis, Depth + 1))
      return true;
  return false;
}

struct Signal {
  const CallExpr *Call;
  SyncKey Key;
  unsigned Index;
};

// The signals the thread gives on every path, in order.
void signalsOf(const CompoundStmt *ThreadBlock, const Frame *Fr,
               AnalysisContext &Analysis, llvm::SmallVectorImpl<Signal> &Out) {
  ParentMap &TPM = Analysis.body(ThreadBlock).parents();
  llvm::SmallVector<const CallExpr *, 8> ThreadCalls;
  callsIn(ThreadBlock, ThreadCalls);
  for (const CallExpr *Call : ThreadCalls) {
    const Expr *Obj = signalled(Call);
    if (!Obj)
      continue;
    std::optional<SyncKey> K = keyOf(Obj, Fr);
    std::optional<unsigned> I = unconditionalIndex(Call, ThreadBlock, TPM);
    if (K && I)
      Out.push_back({Call, std::move(*K), *I});
  }
}

// Whether the signal is a condition variable's: its waiter also wakes once
// the predicate holds, and that state is set under the mutex.
bool isConditionSignal(const CallExpr *Call) {
  const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
  const NamedDecl *D = MC ? recordOf(MC->getObjectType()) : nullptr;
  if (!MC)
    if (const FunctionDecl *FD = Call->getDirectCallee();
        FD && FD->getIdentifier())
      return compat::startsWith(FD->getName(), "pthread_cond");
  return D && D->getIdentifier() &&
         D->getName().lower().find("condition") != std::string::npos;
}

// The first statement of the block before Limit that takes a lock: where a
// condition variable's predicate state is set.
std::optional<unsigned> firstLocking(const CompoundStmt *Block,
                                     unsigned Limit) {
  unsigned I = 0;
  for (const Stmt *B : Block->body()) {
    if (I >= Limit)
      break;
    bool Locks = false;
    forEachStmt(B, 256, [&](const Stmt *X) {
      llvm::SmallVector<LockState, 2> Held;
      if (!llvm::isa<CompoundStmt>(X))
        scanForLocks(X, Held);
      Locks = !Held.empty();
      return Locks;
    });
    if (Locks)
      return I;
    ++I;
  }
  return std::nullopt;
}

} // namespace

std::optional<Handshake> handshakeAfter(const Stmt *SpawnAt,
                                        const Stmt *SpawnerBody,
                                        const Stmt *ThreadBody,
                                        AnalysisContext &Analysis) {
  const auto *ThreadBlock = llvm::dyn_cast_or_null<CompoundStmt>(ThreadBody);
  if (!SpawnAt || !SpawnerBody || !ThreadBlock)
    return std::nullopt;
  llvm::SmallVector<Signal, 4> Signals;
  signalsOf(ThreadBlock, nullptr, Analysis, Signals);
  if (Signals.empty())
    return std::nullopt;

  // The waits after the spawn, on every path from it.
  ParentMap &SPM = Analysis.body(SpawnerBody).parents();
  llvm::SmallVector<const CallExpr *, 8> SpawnerCalls;
  callsIn(SpawnerBody, SpawnerCalls);
  for (const CallExpr *Call : SpawnerCalls) {
    const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call);
    WaitRole Role = MC ? waitRole(MC) : WaitRole::None;
    const Expr *Waited = MC ? MC->getImplicitObjectArgument() : nullptr;
    if (const FunctionDecl *FD = Call->getDirectCallee();
        !MC && FD && FD->getIdentifier() && Call->getNumArgs() > 0 &&
        llvm::is_contained(posixWaitFunctions(), FD->getName())) {
      Role = WaitRole::Wait;
      Waited = Call->getArg(0);
    }
    if (Role == WaitRole::None)
      continue;
    // A timed wait can give up; it orders only when a loop repeats it.
    if (Role == WaitRole::TimedWait && !inLoopCondition(Call, SPM))
      continue;
    std::optional<Common> C = commonBlock(SpawnAt, Call, SPM);
    if (!C || C->IndexOfT <= C->IndexOfS ||
        !unconditionalIndex(Call, C->Block, SPM,
                            Role == WaitRole::PlainConditionWait))
      continue;
    std::optional<SyncKey> K = keyOf(Waited);
    if (!K)
      continue;
    for (const Signal &S : Signals) {
      if (!(S.Key == *K))
        continue;
      Handshake H;
      H.Wait = Call;
      H.Signal = S.Call;
      H.ThreadBody = ThreadBody;
      H.SignalIndex = S.Index;
      // A condition variable's waiter also wakes when its predicate holds:
      // the thread has signalled once it sets that state.
      llvm::SmallPtrSet<const Decl *, 4> State;
      if (MC)
        predicateState(MC, State);
      if (!State.empty()) {
        unsigned I = 0;
        for (const Stmt *B : ThreadBlock->body()) {
          if (I >= H.SignalIndex)
            break;
          if (setsState(B, State)) {
            H.SignalIndex = I;
            break;
          }
          ++I;
        }
      }
      return H;
    }
  }
  return std::nullopt;
}

std::optional<Handshake> publishedSignal(const Frame &Thread,
                                         AnalysisContext &Analysis) {
  const FunctionDecl *Owner = Thread.rootFrame().Function;
  const Stmt *ThreadBody = Thread.body();
  const auto *ThreadBlock = llvm::dyn_cast_or_null<CompoundStmt>(ThreadBody);
  const Stmt *OwnerBody = Owner ? Owner->getBody() : nullptr;
  if (!ThreadBlock || !OwnerBody)
    return std::nullopt;
  llvm::SmallVector<Signal, 4> Signals;
  signalsOf(ThreadBlock, &Thread, Analysis, Signals);
  if (Signals.empty())
    return std::nullopt;
  // What the owner returns: a future of one of the promises.
  llvm::SmallVector<SyncKey, 2> Returned;
  forEachStmt(OwnerBody, 4096, [&](const Stmt *X) {
    if (const auto *Ret = llvm::dyn_cast<ReturnStmt>(X))
      if (std::optional<SyncKey> K = keyOf(Ret->getRetValue()))
        Returned.push_back(std::move(*K));
    return false;
  });
  for (const Signal &S : Signals) {
    const auto *Root = static_cast<const Decl *>(S.Key.Root);
    bool Visible =
        S.Key.Root == &ThisRoot || llvm::is_contained(Returned, S.Key);
    if (!Visible && S.Key.Root != &ThisRoot) {
      const auto *V = llvm::dyn_cast<VarDecl>(Root);
      Visible =
          V &&
          (V->hasGlobalStorage() ||
           (llvm::isa<ParmVarDecl>(V) && V->getDeclContext() == Owner &&
            (V->getType()->isReferenceType() || isPointerLike(V->getType()))));
    }
    if (!Visible)
      continue;
    Handshake H;
    H.Signal = S.Call;
    H.ThreadBody = ThreadBody;
    H.SignalIndex = S.Index;
    if (isConditionSignal(S.Call))
      if (std::optional<unsigned> I = firstLocking(ThreadBlock, S.Index))
        H.SignalIndex = *I;
    return H;
  }
  return std::nullopt;
}

bool precedesOnEveryPath(const Stmt *A, const Stmt *B, const ParentMap &PM) {
  std::optional<Common> C = commonBlock(B, A, PM);
  return C && C->IndexOfT < C->IndexOfS &&
         unconditionalIndex(A, C->Block, PM).has_value();
}

bool isWaitCall(const CallExpr *Call, const Stmt *Body,
                AnalysisContext &Analysis) {
  return Body && isWaitCallImpl(Call, Body, Analysis, 0);
}

const CallExpr *firstWaitAfter(const Stmt *After, const Stmt *Body,
                               AnalysisContext &Analysis) {
  if (!After || !Body)
    return nullptr;
  const SourceManager &SM = Analysis.ast().getSourceManager();
  llvm::SmallVector<const CallExpr *, 16> Calls;
  callsIn(Body, Calls);
  for (const CallExpr *Call : Calls)
    if (SM.isBeforeInTranslationUnit(After->getEndLoc(), Call->getBeginLoc()) &&
        isWaitCall(Call, Body, Analysis))
      return Call;
  return nullptr;
}

bool beforeSignal(const Handshake &H, const Stmt *InThread,
                  AnalysisContext &Analysis, bool Inclusive) {
  const auto *Block = llvm::dyn_cast_or_null<CompoundStmt>(H.ThreadBody);
  if (!Block || !InThread)
    return false;
  std::optional<unsigned> I =
      indexIn(InThread, Block, Analysis.body(H.ThreadBody).parents());
  return I && (*I < H.SignalIndex || (Inclusive && *I == H.SignalIndex));
}

} // namespace clang::tidy::defer_race
