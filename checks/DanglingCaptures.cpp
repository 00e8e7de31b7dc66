//===--- DanglingCaptures.cpp - Facts: references a detached thread outlives =//

#include "DanglingCaptures.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Vocabulary.h"

#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

// The automatic variable that an lvalue designates, seen through references
// and member accesses: n, arr[2], s.field, a reference bound to n.
namespace {
const VarDecl *automaticVar(const VarDecl *V, unsigned Depth = 0);
bool ownsElements(QualType T);
} // namespace

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
  // An element of a container or optional that the variable owns:
  // v.front(), m.at(k), v[i], *opt.
  const Expr *Owner = nullptr;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(E);
      MC && MC->getMethodDecl() &&
      MC->getMethodDecl()->getReturnType()->isReferenceType())
    Owner = MC->getImplicitObjectArgument();
  else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(E);
           OC && OC->getNumArgs() >= 1 &&
           (OC->getOperator() == OO_Subscript ||
            OC->getOperator() == OO_Star) &&
           OC->isLValue())
    Owner = OC->getArg(0);
  if (Owner && ownsElements(Owner->getType()))
    return automaticObject(Owner, Depth + 1);
  return nullptr;
}

namespace {
// A library class that holds its elements inside the object: a container,
// an array, an optional. Not a view, a smart pointer or an iterator.
bool ownsElements(QualType T) {
  T = T.getNonReferenceType();
  const CXXRecordDecl *RD = T->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition() || isPointerLike(T) ||
      viewClasses().matches(RD))
    return false;
  const SourceManager &SM = RD->getASTContext().getSourceManager();
  if (!inSystemHeader(RD, SM))
    return false;
  for (const CXXMethodDecl *MD : RD->getDefinition()->methods())
    if (MD->getIdentifier() &&
        (MD->getName() == "size" || MD->getName() == "has_value"))
      return true;
  return false;
}

} // namespace

const VarDecl *automaticViewee(const Expr *Init) {
  for (unsigned Steps = 0; Init && Steps < 6; ++Steps) {
    Init = ignoreWrappers(Init);
    if (!Init)
      return nullptr;
    if (!viewClasses().matches(Init->getType()->getAsCXXRecordDecl()) &&
        !Init->getType()->isPointerType())
      return automaticObject(Init, 0);
    if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Init)) {
      Init = CE->getNumArgs() > 0 ? CE->getArg(0) : nullptr;
    } else if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Init);
               MC &&
               llvm::isa_and_nonnull<CXXConversionDecl>(MC->getMethodDecl())) {
      Init = MC->getImplicitObjectArgument(); // s.operator string_view()
    } else if (const auto *Cast = llvm::dyn_cast<ImplicitCastExpr>(Init);
               Cast && Cast->getCastKind() == CK_ArrayToPointerDecay) {
      Init = Cast->getSubExpr();
    } else {
      return nullptr;
    }
  }
  return nullptr;
}

namespace {
// A view variable made from an automatic object: that object.
const VarDecl *viewedVariable(const VarDecl *V) {
  if (!V || V->getType()->isReferenceType() || !V->getInit() ||
      !viewClasses().matches(V->getType()->getAsCXXRecordDecl()))
    return nullptr;
  return automaticViewee(V->getInit());
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

} // namespace

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

const CXXConstructExpr *functorConstruction(const ThreadCallable &C) {
  if (C.Lambda)
    return nullptr;
  const Expr *Made = C.Object ? C.Object : C.Written;
  Made = ignoreWrappers(Made);
  if (const auto *New = llvm::dyn_cast_or_null<CXXNewExpr>(Made))
    return New->getConstructExpr();
  const auto *Ctor = llvm::dyn_cast_or_null<CXXConstructExpr>(Made);
  if (!Ctor || C.Object || !Ctor->getConstructor())
    return nullptr;
  // A copy or move of a named object is not made here.
  if (Ctor->getConstructor()->isCopyOrMoveConstructor())
    return nullptr;
  return functionObjectOperator(Ctor->getConstructor()->getParent()) ? Ctor
                                                                     : nullptr;
}

bool hasReferenceMember(const CXXRecordDecl *RD) {
  if (!RD || !RD->hasDefinition())
    return false;
  for (const FieldDecl *F : RD->getDefinition()->fields())
    if (F->getType()->isReferenceType())
      return true;
  return false;
}

namespace {
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
  // Work on a Qt pool that the owner waits for before D.Var dies.
  if (const CallExpr *Wait = poolWaitAfter(S, S.Start, OwnerBody, Analysis)) {
    SourceLocation Dies = Analysis.endOfScope(D.Var);
    if (Dies.isValid() &&
        SM.isBeforeInTranslationUnit(Wait->getBeginLoc(), Dies))
      return true;
  }
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
  const ValueDecl *Name = D.Pointer ? D.Pointer
                          : D.Named ? D.Named
                                    : static_cast<const ValueDecl *>(D.Var);
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
      const ValueDecl *Captured = Cap.getCapturedVar();
      const DeclRefExpr *Use = firstUse(L->getBody(), Captured);
      if (!Use)
        continue; // captured but never used
      SourceLocation Loc =
          Cap.isImplicit() ? Use->getLocation() : Cap.getLocation();
      // A structured binding names a part of its hidden variable.
      if (const auto *B = llvm::dyn_cast<BindingDecl>(Captured)) {
        const auto *Holder =
            llvm::dyn_cast_or_null<VarDecl>(B->getDecomposedDecl());
        if (Cap.getCaptureKind() == LCK_ByRef && Holder)
          if (const VarDecl *Dies = automaticVar(Holder)) {
            DanglingCapture D{
                DanglingKind::ByReference, Dies, nullptr, nullptr, Loc, &Cap};
            D.Named = B;
            Found.push_back(D);
          }
        continue;
      }
      const auto *V = llvm::dyn_cast<VarDecl>(Captured);
      if (!V)
        continue;
      // [&r = n], [p = &n], [v = std::string_view(s)]: what the
      // initializer refers to.
      if (V->isInitCapture()) {
        const Expr *Init = V->getInit();
        const VarDecl *Dies = nullptr;
        DanglingKind How = DanglingKind::ThroughReference;
        if (V->getType()->isReferenceType()) {
          Dies = automaticObject(Init, 0);
        } else if (V->getType()->isPointerType()) {
          How = DanglingKind::ThroughPointer;
          if (const auto *UO =
                  llvm::dyn_cast_or_null<UnaryOperator>(ignoreWrappers(Init));
              UO && UO->getOpcode() == UO_AddrOf)
            Dies = automaticObject(UO->getSubExpr(), 0);
        } else {
          How = DanglingKind::ThroughView;
          Dies = viewClasses().matches(V->getType()->getAsCXXRecordDecl())
                     ? automaticViewee(Init)
                     : nullptr;
        }
        if (Dies)
          Found.push_back({How, Dies, nullptr, V, Loc, &Cap});
        continue;
      }
      if (Cap.getCaptureKind() == LCK_ByRef) {
        if (const VarDecl *Dies = automaticVar(V);
            Dies && capturedByReferenceAllTheWay(V, L, Analysis))
          Found.push_back({Dies == V ? DanglingKind::ByReference
                                     : DanglingKind::ThroughReference,
                           Dies, nullptr, Dies == V ? nullptr : V, Loc, &Cap});
        continue;
      }
      if (const VarDecl *Dies = automaticPointee(V))
        Found.push_back(
            {DanglingKind::ThroughPointer, Dies, nullptr, V, Loc, &Cap});
      else if (const VarDecl *Viewed = viewedVariable(V))
        Found.push_back(
            {DanglingKind::ThroughView, Viewed, nullptr, V, Loc, &Cap});
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
        Found.push_back({DanglingKind::RefArgument, Dies, nullptr, nullptr,
                         Arg->getBeginLoc(), nullptr, Arg, I});
      continue;
    }
    const Expr *Bare = ignoreWrappers(Arg);
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Bare);
        UO && UO->getOpcode() == UO_AddrOf) {
      if (const VarDecl *Dies = automaticObject(UO->getSubExpr(), 0))
        Found.push_back({DanglingKind::PointerArgument, Dies, nullptr, nullptr,
                         Arg->getBeginLoc(), nullptr, Arg, I});
      continue;
    }
    // An array decays to a pointer to its first element.
    if (Bare->getType()->isArrayType()) {
      if (const VarDecl *Dies = automaticObject(Bare, 0))
        Found.push_back({DanglingKind::PointerArgument, Dies, nullptr, nullptr,
                         Arg->getBeginLoc(), nullptr, Arg, I});
      continue;
    }
    // A pointer or view variable that refers to an automatic object.
    if (const auto *Ref = llvm::dyn_cast<DeclRefExpr>(Bare))
      if (const auto *P = llvm::dyn_cast<VarDecl>(Ref->getDecl())) {
        if (const VarDecl *Dies = automaticPointee(P))
          Found.push_back({DanglingKind::ThroughPointer, Dies, nullptr, P,
                           Arg->getBeginLoc(), nullptr, Arg, I});
        else if (const VarDecl *Viewed = viewedVariable(P))
          Found.push_back({DanglingKind::ThroughView, Viewed, nullptr, P,
                           Arg->getBeginLoc(), nullptr, Arg, I});
      }
  }
  // A function object or QRunnable built with a pointer to an automatic
  // object, or with one bound to a reference member: Worker(&n), new Task(&n).
  if (const CXXConstructExpr *Ctor = functorConstruction(C))
    for (unsigned I = 0; I < Ctor->getNumArgs() && I < 8; ++I) {
      const Expr *Arg = Ctor->getArg(I);
      const Expr *Bare = ignoreWrappers(Arg);
      const CXXConstructorDecl *CD = Ctor->getConstructor();
      const VarDecl *Dies = nullptr;
      DanglingKind How = DanglingKind::PointerArgument;
      if (const auto *UO = llvm::dyn_cast_or_null<UnaryOperator>(Bare);
          UO && UO->getOpcode() == UO_AddrOf) {
        Dies = automaticObject(UO->getSubExpr(), 0);
      } else if (Bare && Bare->getType()->isArrayType()) {
        Dies = automaticObject(Bare, 0);
      } else if (I < CD->getNumParams() &&
                 CD->getParamDecl(I)->getType()->isReferenceType() &&
                 hasReferenceMember(CD->getParent())) {
        Dies = automaticObject(Bare, 0);
        How = DanglingKind::RefArgument;
      }
      // Not a fix target: the argument belongs to the constructor.
      if (Dies)
        Found.push_back({How, Dies, nullptr, nullptr, Arg->getBeginLoc(),
                         nullptr, nullptr, I});
    }
  if (C.Object) {
    const Expr *Obj = ignoreWrappers(C.Object);
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Obj);
        UO && UO->getOpcode() == UO_AddrOf)
      if (const VarDecl *Dies = automaticObject(UO->getSubExpr(), 0))
        Found.push_back({DanglingKind::PointerArgument, Dies, nullptr, nullptr,
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
