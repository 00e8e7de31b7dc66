//===--- JoinHazards.cpp - Could joining a detached thread block forever? -===//

#include "JoinHazards.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Locks.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

namespace {

// Bounds of the walk through the thread's code.
constexpr unsigned MaxDepth = 3;
constexpr unsigned MaxFunctions = 16;
constexpr unsigned MaxNodes = 4000;

// Statements that leave the loop they are in.
bool isExit(const Stmt *S) {
  return llvm::isa<BreakStmt>(S) || llvm::isa<ReturnStmt>(S) ||
         llvm::isa<GotoStmt>(S) || llvm::isa<CXXThrowExpr>(S);
}

// Statements whose breaks are their own (a nested loop or switch), or that
// run elsewhere (a lambda). An exit from a loop nested in ours is missed:
// the loop then looks harder to leave, which only costs a fix.
bool hasOwnExits(const Stmt *S) {
  return llvm::isa<ForStmt>(S) || llvm::isa<WhileStmt>(S) ||
         llvm::isa<DoStmt>(S) || llvm::isa<CXXForRangeStmt>(S) ||
         llvm::isa<SwitchStmt>(S) || llvm::isa<LambdaExpr>(S);
}

// Whether S, part of a loop's body, may leave that loop.
bool leavesLoop(const Stmt *S, unsigned &Budget) {
  if (!S || Budget == 0)
    return false;
  --Budget;
  if (isExit(S))
    return true;
  if (hasOwnExits(S))
    return false;
  for (const Stmt *Child : S->children())
    if (leavesLoop(Child, Budget))
      return true;
  return false;
}

class ThreadScan {
public:
  explicit ThreadScan(AnalysisContext &Analysis)
      : Analysis(Analysis), SM(Analysis.ast().getSourceManager()) {}

  JoinRisk Risk;
  const Stmt *FirstLock = nullptr;

  void scan(const Stmt *Body, unsigned Depth) {
    if (!Body || Risk || !Seen.insert(Body).second ||
        Seen.size() > MaxFunctions)
      return;
    forEachStmt(Body, MaxNodes, [&](const Stmt *S) {
      visit(S, Body, Depth);
      return static_cast<bool>(Risk);
    });
  }

private:
  void visit(const Stmt *S, const Stmt *Body, unsigned Depth) {
    if (const auto *Block = llvm::dyn_cast<CompoundStmt>(S)) {
      llvm::SmallVector<LockState, 2> Held;
      for (const Stmt *Child : Block->body()) {
        scanForLocks(Child, Held);
        if (!FirstLock && !Held.empty())
          FirstLock = Child;
      }
      return;
    }
    if (const auto *For = llvm::dyn_cast<ForStmt>(S))
      return loop(S, For->getCond(), For->getBody(), Body);
    if (const auto *While = llvm::dyn_cast<WhileStmt>(S))
      return loop(S, While->getCond(), While->getBody(), Body);
    if (const auto *Do = llvm::dyn_cast<DoStmt>(S))
      return loop(S, Do->getCond(), Do->getBody(), Body);
    const auto *Call = llvm::dyn_cast<CallExpr>(S);
    if (!Call)
      return;
    if (isWaitCall(Call, Body, Analysis)) {
      Risk = {JoinHazard::Waits, Call, nullptr};
      return;
    }
    if (Depth < MaxDepth)
      if (const FunctionDecl *Callee = userDefinedCallee(Call, SM))
        scan(Callee->getBody(), Depth + 1);
  }

  // A loop ends when one of its exit conditions (its own condition, or the
  // condition of an `if` in its body that leaves it) changes. When each of
  // them reads only state that the thread does not change itself, other
  // code must end it: a poller, or a loop without any exit.
  void loop(const Stmt *Loop, const Expr *Cond, const Stmt *LoopBody,
            const Stmt *Body) {
    llvm::SmallVector<const Expr *, 2> Exits;
    if (Cond && !alwaysTrue(Cond))
      Exits.push_back(Cond);
    bool Unconditional = false;
    unsigned Budget = MaxNodes;
    exitsIn(LoopBody, Exits, Unconditional, Budget);
    if (Unconditional)
      return;
    if (Exits.empty()) {
      Risk = {JoinHazard::Endless, Loop, nullptr};
      return;
    }
    for (const Expr *Exit : Exits)
      if (!Exit || progresses(Exit, Body))
        return;
    Risk = {JoinHazard::Polls, Loop, nullptr};
  }

  // The conditions under which S, part of a loop's body, leaves the loop;
  // Unconditional when it leaves it on every pass.
  static void exitsIn(const Stmt *S, llvm::SmallVectorImpl<const Expr *> &Exits,
                      bool &Unconditional, unsigned &Budget) {
    if (!S || Unconditional || Budget == 0)
      return;
    --Budget;
    if (hasOwnExits(S))
      return;
    if (const auto *If = llvm::dyn_cast<IfStmt>(S)) {
      if (leavesLoop(If->getThen(), Budget) ||
          leavesLoop(If->getElse(), Budget)) {
        Exits.push_back(If->getCond());
        return;
      }
      exitsIn(If->getThen(), Exits, Unconditional, Budget);
      exitsIn(If->getElse(), Exits, Unconditional, Budget);
      return;
    }
    if (isExit(S)) {
      Unconditional = true;
      return;
    }
    for (const Stmt *Child : S->children())
      exitsIn(Child, Exits, Unconditional, Budget);
  }

  static bool alwaysTrue(const Expr *Cond) {
    Cond = Cond->IgnoreParenImpCasts();
    if (const auto *B = llvm::dyn_cast<CXXBoolLiteralExpr>(Cond))
      return B->getValue();
    if (const auto *I = llvm::dyn_cast<IntegerLiteral>(Cond))
      return I->getValue() != 0;
    return false;
  }

  // Whether the thread itself can change what the exit condition reads: it
  // names a variable or member that the thread's code modifies, or it makes a
  // call that modifies (a non-const member function, a function taking
  // something by non-const reference or pointer). Reading only what others
  // change (an atomic's load(), a flag captured by reference) does not
  // progress. A DeclRefExpr to an enum constant or a function names no state.
  bool progresses(const Expr *Exit, const Stmt *Body) {
    ExprMutationAnalyzer &Mutations = Analysis.body(Body).mutations();
    bool Progress = false;
    bool Names = false;
    forEachStmt(Exit, MaxNodes, [&](const Stmt *S) {
      Names |= llvm::isa<MemberExpr>(S) || llvm::isa<CallExpr>(S);
      if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(S)) {
        Names = llvm::isa<VarDecl>(DRE->getDecl()) || Names;
        if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl()))
          Progress = Mutations.isMutated(V);
      } else if (const auto *ME = llvm::dyn_cast<MemberExpr>(S)) {
        Progress = memberMutated(ME->getMemberDecl(), Body);
      } else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S)) {
        const CXXMethodDecl *M = MC->getMethodDecl();
        Progress = M && !M->isConst() && !M->isStatic();
      } else if (const auto *Call = llvm::dyn_cast<CallExpr>(S)) {
        for (const Expr *Arg : Call->arguments()) {
          QualType T = Arg->getType();
          if ((T->isPointerType() && !T->getPointeeType().isConstQualified()) ||
              (Arg->isLValue() && !T.isConstQualified() &&
               !llvm::isa<MaterializeTemporaryExpr>(Arg)))
            Progress = true;
        }
      }
      return Progress;
    });
    // A condition that names nothing (`while (false)`) is not state.
    return Progress || !Names;
  }

  bool memberMutated(const ValueDecl *Member, const Stmt *Body) {
    ExprMutationAnalyzer &Mutations = Analysis.body(Body).mutations();
    bool Mutated = false;
    forEachStmt(Body, MaxNodes, [&](const Stmt *S) {
      if (const auto *ME = llvm::dyn_cast<MemberExpr>(S))
        Mutated = ME->getMemberDecl() == Member && Mutations.isMutated(ME);
      return Mutated;
    });
    return Mutated;
  }

  AnalysisContext &Analysis;
  const SourceManager &SM;
  llvm::SmallPtrSet<const Stmt *, 8> Seen;
};

// Whether a lock is held around S, a statement of Body, the body of F
// (LockIndex::heldAt(): a lock_guard-like variable or a locked mutex in an
// enclosing block, an enclosing if's initializer, a try_lock() branch).
bool lockHeldAround(const Stmt *S, const FunctionDecl *F, const Stmt *Body,
                    AnalysisContext &Analysis) {
  if (!S || !F || !Body)
    return false;
  return Analysis.body(Body, F)
      .locks()
      .heldAt(S, Frame::root(F), ObjectResolver())
      .has_value();
}

} // namespace

JoinRisk joinRisk(const DetachedSpawn &S, const Stmt *Code,
                  const VarDecl *Guard, AnalysisContext &Analysis) {
  if (!Code)
    return {JoinHazard::Unseen, S.Start, nullptr};
  ThreadScan Scan(Analysis);
  Scan.scan(Code, 0);
  if (Scan.Risk || !Scan.FirstLock)
    return Scan.Risk;
  // The thread takes a lock: joining blocks while the guard's owner, or a
  // caller of it, holds one when the guard runs. Which mutex it is does not
  // matter here: not knowing is reason enough to offer no join.
  JoinRisk Locked{JoinHazard::HeldLock, Scan.FirstLock, nullptr};
  const Stmt *OwnerBody = Guard ? owningBody(Guard) : nullptr;
  if (!OwnerBody)
    return Locked;
  const DeclStmt *Decl = Analysis.body(OwnerBody).index().declStmtOf(Guard);
  const auto *Owner =
      llvm::dyn_cast_or_null<FunctionDecl>(Guard->getDeclContext());
  if (!Decl || !Owner)
    return Locked;
  Locked.Holder = Owner;
  if (lockHeldAround(Decl, Owner, OwnerBody, Analysis))
    return Locked;
  for (const CallSite &Site : Analysis.callersOf(Owner)) {
    if (!Site.Caller || !Site.Caller->hasBody())
      continue;
    if (lockHeldAround(Site.Call, Site.Caller, Site.Caller->getBody(),
                       Analysis)) {
      Locked.Holder = Site.Caller;
      return Locked;
    }
  }
  return {};
}

} // namespace clang::tidy::defer_race
