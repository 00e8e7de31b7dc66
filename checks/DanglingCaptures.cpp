//===--- DanglingCaptures.cpp - Facts: references a detached thread outlives =//

#include "DanglingCaptures.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Vocabulary.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

namespace {

// The automatic variable that an lvalue designates, seen through references
// and member accesses: n, arr[2], s.field, a reference bound to n.
const VarDecl *automaticVar(const VarDecl *V, unsigned Depth = 0);

const VarDecl *automaticObject(const Expr *E, unsigned Depth) {
  if (!E || Depth > 8)
    return nullptr;
  E = ignoreWrappers(E);
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E))
    return automaticVar(llvm::dyn_cast<VarDecl>(DRE->getDecl()), Depth + 1);
  if (const auto *ME = llvm::dyn_cast<MemberExpr>(E))
    return ME->isArrow() ? nullptr : automaticObject(ME->getBase(), Depth + 1);
  if (const auto *ASE = llvm::dyn_cast<ArraySubscriptExpr>(E)) {
    const Expr *Base = ASE->getBase()->IgnoreParenImpCasts();
    return Base->getType()->isArrayType() ? automaticObject(Base, Depth + 1)
                                          : nullptr;
  }
  return nullptr;
}

const VarDecl *automaticVar(const VarDecl *V, unsigned Depth) {
  if (!V || Depth > 8 || !V->hasLocalStorage() || V->isInitCapture())
    return nullptr;
  if (V->getType()->isReferenceType()) {
    // A reference parameter: the caller owns the object.
    if (llvm::isa<ParmVarDecl>(V))
      return nullptr;
    return automaticObject(V->getInit(), Depth + 1);
  }
  return V; // a local, or a parameter passed by value
}

// For a pointer variable initialised with the address of an automatic
// variable (int *p = &n; int *p = arr;), that variable.
const VarDecl *automaticPointee(const VarDecl *P) {
  if (!P || !P->getType()->isPointerType() || !P->getInit())
    return nullptr;
  const Expr *Init = P->getInit()->IgnoreParens();
  if (const auto *Cast = llvm::dyn_cast<ImplicitCastExpr>(Init);
      Cast && Cast->getCastKind() == CK_ArrayToPointerDecay)
    return automaticObject(Cast->getSubExpr(), 0);
  Init = ignoreWrappers(Init);
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Init);
      UO && UO->getOpcode() == UO_AddrOf)
    return automaticObject(UO->getSubExpr(), 0);
  return nullptr;
}

class FirstUse : public RecursiveASTVisitor<FirstUse> {
public:
  explicit FirstUse(const ValueDecl *V) : V(V) {}
  const DeclRefExpr *Found = nullptr;
  bool VisitDeclRefExpr(DeclRefExpr *E) {
    if (E->getDecl() != V)
      return true;
    Found = E;
    return false;
  }

private:
  const ValueDecl *V;
};

const DeclRefExpr *firstUse(const Stmt *Body, const ValueDecl *V) {
  FirstUse Finder(V);
  Finder.TraverseStmt(const_cast<Stmt *>(Body));
  return Finder.Found;
}

// Whether every lambda between V's function and L captures V by reference,
// so that L refers to V itself and not to some closure's copy of it.
bool capturedByReferenceAllTheWay(const VarDecl *V, const LambdaExpr *L,
                                  AnalysisContext &Analysis) {
  const Stmt *Body = owningBody(V);
  if (!Body)
    return false;
  const BodyIndex &Index = Analysis.body(Body).index();
  if (!Index.contains(L))
    return false;
  for (const LambdaExpr *Outer = Index.enclosingLambda(L); Outer;
       Outer = Index.enclosingLambda(Outer))
    for (const LambdaCapture &C : Outer->captures())
      if (C.capturesVariable() && C.getCapturedVar() == V &&
          C.getCaptureKind() != LCK_ByRef)
        return false;
  return true;
}

// Whether the scope that owns D.Var waits, before D.Var dies, for a signal
// the thread gives after its last use of it (a promise it fulfils, a latch
// it counts down): then the thread is done with the variable in time.
bool waitsForLastUse(const DanglingCapture &D, const DetachedSpawn &S,
                     AnalysisContext &Analysis) {
  const Stmt *ThreadBody = S.Callable.body();
  const Stmt *OwnerBody = owningBody(D.Var);
  if (!OwnerBody)
    return false;
  const SourceManager &SM = Analysis.ast().getSourceManager();
  // The body that starts the thread and must wait: the owner's, or that of
  // a guard's lambda declared after the variable, which runs before the
  // variable dies.
  const Stmt *SpawnerBody = OwnerBody;
  const ParentMap &PM = Analysis.body(OwnerBody).parents();
  const LambdaExpr *InLambda = nullptr;
  for (const Stmt *P = PM.getParent(S.Start); P; P = PM.getParent(P)) {
    if (const auto *L = llvm::dyn_cast<LambdaExpr>(P)) {
      if (InLambda)
        return false; // two lambdas deep
      InLambda = L;
      SpawnerBody = L->getBody();
      continue;
    }
    if (const auto *DS = llvm::dyn_cast<DeclStmt>(P); DS && InLambda) {
      const auto *G = DS->isSingleDecl()
                          ? llvm::dyn_cast<VarDecl>(DS->getSingleDecl())
                          : nullptr;
      if (!G ||
          !SM.isBeforeInTranslationUnit(D.Var->getLocation(), G->getLocation()))
        return false;
      break;
    }
  }
  std::optional<Handshake> H =
      handshakeAfter(S.Start, SpawnerBody, ThreadBody, Analysis);
  if (!H)
    return false;
  SourceLocation Dies = Analysis.endOfScope(D.Var);
  if (Dies.isInvalid() ||
      !SM.isBeforeInTranslationUnit(H->Wait->getBeginLoc(), Dies))
    return false;
  const auto *Block = llvm::dyn_cast_or_null<CompoundStmt>(ThreadBody);
  if (!Block)
    return false;
  if (!S.Callable.Lambda || !D.Capture) {
    // Passed as an argument: the signal must be the thread's last statement.
    return H->SignalIndex + 1 == Block->size();
  }
  // Every use of the captured name in the thread comes before the signal, or
  // is the signal itself (p.set_value() on the captured promise).
  const VarDecl *Name = D.Pointer ? D.Pointer : D.Var;
  for (const BodyIndex::Use &U : Analysis.body(ThreadBody).index().usesOf(Name))
    if (!beforeSignal(*H, U.Ref, Analysis, /*Inclusive=*/true))
      return false;
  return true;
}

// Whether V is named after the spawn, outside the thread's lambda.
bool usedAfter(const VarDecl *V, const DetachedSpawn &S,
               AnalysisContext &Analysis) {
  const SourceManager &SM = Analysis.ast().getSourceManager();
  const Stmt *Body = owningBody(V);
  if (!Body)
    return false;
  const BodyIndex &Index = Analysis.body(Body).index();
  SourceLocation After = S.Start->getEndLoc();
  for (const BodyIndex::Use &U : Index.usesOf(V)) {
    bool InThread = false;
    for (const LambdaExpr *L = U.InLambda; L && !InThread;
         L = Index.enclosingLambda(L))
      InThread = L == S.Callable.Lambda;
    if (!InThread && SM.isBeforeInTranslationUnit(After, U.Ref->getBeginLoc()))
      return true;
  }
  return false;
}

// Whether the spawn sits in a loop that V's declaration is outside of: moving
// V there would move it once per iteration.
bool spawnedInLoopAroundNothing(const VarDecl *V, const DetachedSpawn &S,
                                AnalysisContext &Analysis) {
  const Stmt *Body = owningBody(V);
  if (!Body)
    return true;
  const ParentMap &PM = Analysis.body(Body).parents();
  SourceRange Decl = V->getSourceRange();
  for (const Stmt *P = PM.getParent(S.Start); P; P = PM.getParent(P)) {
    if (!llvm::isa<ForStmt>(P) && !llvm::isa<WhileStmt>(P) &&
        !llvm::isa<DoStmt>(P) && !llvm::isa<CXXForRangeStmt>(P))
      continue;
    SourceRange Loop = P->getSourceRange();
    bool DeclInside = !(Decl.getBegin() < Loop.getBegin()) &&
                      !(Loop.getEnd() < Decl.getEnd());
    if (!DeclInside)
      return true;
  }
  return false;
}

} // namespace

void danglingCapturesOf(const DetachedSpawn &S, AnalysisContext &Analysis,
                        llvm::SmallVectorImpl<DanglingCapture> &Out) {
  llvm::SmallVector<DanglingCapture, 2> Found;
  const ThreadCallable &C = S.Callable;

  if (const LambdaExpr *L = C.Lambda) {
    for (const LambdaCapture &Cap : L->captures()) {
      if (!Cap.capturesVariable())
        continue;
      const auto *V = llvm::dyn_cast<VarDecl>(Cap.getCapturedVar());
      if (!V)
        continue;
      const DeclRefExpr *Use = firstUse(L->getBody(), V);
      if (!Use)
        continue; // captured but never used
      SourceLocation Loc =
          Cap.isImplicit() ? Use->getLocation() : Cap.getLocation();
      if (Cap.getCaptureKind() == LCK_ByRef) {
        if (const VarDecl *Dies = automaticVar(V);
            Dies && capturedByReferenceAllTheWay(V, L, Analysis))
          Found.push_back({Dies == V ? DanglingKind::ByReference
                                     : DanglingKind::ThroughReference,
                           Dies, Dies == V ? nullptr : V, Loc, &Cap});
        continue;
      }
      if (const VarDecl *Dies = automaticPointee(V))
        Found.push_back({DanglingKind::ThroughPointer, Dies, V, Loc, &Cap});
    }
  }
  for (unsigned I = 0; I < C.Args.size(); ++I) {
    const Expr *Arg = C.Args[I];
    if (!Arg)
      continue;
    if (const Expr *Referenced = transparentCallArgument(Arg)) {
      const auto *Call = llvm::dyn_cast<CallExpr>(ignoreWrappers(Arg));
      const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
      bool IsRef = FD && FD->getIdentifier() &&
                   (FD->getName() == "ref" || FD->getName() == "cref");
      if (const VarDecl *Dies = automaticObject(Referenced, 0); Dies && IsRef)
        Found.push_back({DanglingKind::RefArgument, Dies, nullptr,
                         Arg->getBeginLoc(), nullptr, Arg, I});
      continue;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(ignoreWrappers(Arg));
        UO && UO->getOpcode() == UO_AddrOf)
      if (const VarDecl *Dies = automaticObject(UO->getSubExpr(), 0))
        Found.push_back({DanglingKind::PointerArgument, Dies, nullptr,
                         Arg->getBeginLoc(), nullptr, Arg, I});
  }
  if (C.Object) {
    const Expr *Obj = ignoreWrappers(C.Object);
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Obj);
        UO && UO->getOpcode() == UO_AddrOf)
      if (const VarDecl *Dies = automaticObject(UO->getSubExpr(), 0))
        Found.push_back({DanglingKind::PointerArgument, Dies, nullptr,
                         C.Object->getBeginLoc(), nullptr, C.Object, 0});
  }

  for (const DanglingCapture &D : Found)
    if (!waitsForLastUse(D, S, Analysis))
      Out.push_back(D);
}

bool movableIntoThread(const VarDecl *V, const DetachedSpawn &S,
                       AnalysisContext &Analysis) {
  return !usedAfter(V, S, Analysis) &&
         !spawnedInLoopAroundNothing(V, S, Analysis);
}

} // namespace clang::tidy::defer_race
