//===--- Writes.cpp - Facts: what a callable writes -----------------------===//

#include "Writes.h"
#include "Expressions.h"
#include "Handshakes.h"
#include "Vocabulary.h"

#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {

namespace {

// Whether Mutation is a call that passes Access to a function we either
// cannot see (unknown: stay silent) or will follow ourselves.
bool isOpaqueOrFollowedCall(const Stmt *Mutation, const Expr *Access,
                            const SourceManager &SM) {
  // Binding to a local pointer or reference (auto *r = static_cast<R *>(arg)),
  // or casting to a non-const pointer, is not a write: the uses of the alias
  // or of the cast are leaves of their own.
  if (llvm::isa<DeclStmt>(Mutation) || llvm::isa<CastExpr>(Mutation))
    return true;
  const FunctionDecl *Callee = nullptr;
  bool PassedAsArgument = false;
  bool PassedAsObject = false;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Mutation)) {
    Callee = MC->getMethodDecl();
    PassedAsObject = sameExpr(MC->getImplicitObjectArgument(), Access);
    for (const Expr *Arg : MC->arguments())
      PassedAsArgument |= sameExpr(Arg, Access);
  } else if (const auto *Call = llvm::dyn_cast<CallExpr>(Mutation)) {
    Callee = Call->getDirectCallee();
    for (const Expr *Arg : Call->arguments())
      PassedAsArgument |= sameExpr(Arg, Access) ||
                          sameExpr(transparentCallArgument(Arg), Access);
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call))
      if (OC->getNumArgs() > 0 && sameExpr(OC->getArg(0), Access) &&
          llvm::isa_and_nonnull<CXXMethodDecl>(Callee))
        PassedAsObject = true, PassedAsArgument = false;
  } else if (const auto *CE = llvm::dyn_cast<CXXConstructExpr>(Mutation)) {
    Callee = CE->getConstructor();
    for (const Expr *Arg : CE->arguments())
      PassedAsArgument |= sameExpr(Arg, Access);
  }
  if (!Callee || (!PassedAsArgument && !PassedAsObject))
    return false;
  const FunctionDecl *Def = definitionOf(Callee);
  if (!Def)
    return PassedAsArgument; // no body: an argument is only maybe written
  // A body in our own code: followed by findWrites, which finds the real
  // write (or none).
  return !inSystemHeader(Def, SM);
}

// Whether MD, a non-const member function, has a const overload taking as
// many parameters: find(), begin(), at(), operator[] on a vector. Calling the
// non-const one on a non-const object is then only a choice of overload.
bool hasConstTwin(const CXXMethodDecl *MD) {
  if (!MD || MD->isConst() || !MD->getParent())
    return false;
  for (const NamedDecl *ND : MD->getParent()->lookup(MD->getDeclName())) {
    const NamedDecl *U = ND->getUnderlyingDecl();
    if (const auto *FT = llvm::dyn_cast<FunctionTemplateDecl>(U))
      U = FT->getTemplatedDecl();
    const auto *Other = llvm::dyn_cast<CXXMethodDecl>(U);
    if (Other && Other != MD && Other->isConst() &&
        Other->getNumParams() == MD->getNumParams())
      return true;
  }
  return false;
}

// A call on Access to a non-const member function that has no const twin:
// it exists to modify (a map's operator[], which inserts), whatever is done
// with its result. ExprMutationAnalyzer may call it a read when the result
// is only read.
const Stmt *mutatorCallOn(const Expr *Access, const ParentMap &PM) {
  // The access may be the call itself: an element reached with operator[].
  const Stmt *P = PM.getParent(Access);
  if (const auto *OC =
          llvm::dyn_cast<CXXOperatorCallExpr>(ignoreWrappers(Access));
      OC && OC->getNumArgs() > 0)
    P = OC, Access = OC->getArg(0);
  while (
      llvm::isa_and_nonnull<ImplicitCastExpr, ParenExpr, MemberExpr>(P) &&
      !(llvm::isa<MemberExpr>(P) &&
        llvm::isa<CXXMethodDecl>(llvm::cast<MemberExpr>(P)->getMemberDecl())))
    P = PM.getParent(P);
  if (const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(P))
    P = PM.getParent(ME);
  const CXXMethodDecl *MD = nullptr;
  const Expr *Object = nullptr;
  if (const auto *MC = llvm::dyn_cast_or_null<CXXMemberCallExpr>(P)) {
    MD = MC->getMethodDecl();
    Object = MC->getImplicitObjectArgument();
  } else if (const auto *OC = llvm::dyn_cast_or_null<CXXOperatorCallExpr>(P);
             OC && OC->getNumArgs() > 0) {
    MD = llvm::dyn_cast_or_null<CXXMethodDecl>(OC->getDirectCallee());
    Object = OC->getArg(0);
  }
  if (!MD || MD->isConst() || MD->isStatic() || !sameExpr(Object, Access) ||
      llvm::isa<CXXConversionDecl>(MD) || hasConstTwin(MD))
    return nullptr;
  // Assignment operators are ExprMutationAnalyzer's business.
  if (MD->isCopyAssignmentOperator() || MD->isMoveAssignmentOperator())
    return nullptr;
  return P;
}

// Whether the type is an iterator or a handle: a class with operator* or
// operator->.
bool isHandleClass(QualType T) {
  const auto *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD || !RD->hasDefinition())
    return false;
  for (const CXXMethodDecl *M : RD->methods())
    if (M->getOverloadedOperator() == OO_Star ||
        M->getOverloadedOperator() == OO_Arrow)
      return true;
  return false;
}

// Whether something is written through the value E (an iterator, a pointer
// or a reference that an accessor returned): *E = x, E->f = x, or the same
// through a local variable E initialises.
bool writtenThrough(const Expr *E, BodyContext &BC, unsigned Depth = 0) {
  ExprMutationAnalyzer &A = BC.mutations();
  const ParentMap &PM = BC.parents();
  QualType T = E->getType();
  if (E->isGLValue() && !T.isConstQualified() && !isHandleClass(T) &&
      !T->isPointerType())
    return A.findMutation(E) != nullptr;
  if (T->isPointerType())
    return !T->getPointeeType().isConstQualified() &&
           A.findPointeeMutation(E) != nullptr;
  if (!isHandleClass(T))
    return false; // a value: a count, a bool, a const_iterator's copy
  if (Depth > 2)
    return true;
  // Climb to what uses the handle.
  const Stmt *P = PM.getParent(E);
  while (P && (llvm::isa<ImplicitCastExpr, ParenExpr, MaterializeTemporaryExpr,
                         CXXBindTemporaryExpr, ExprWithCleanups>(P) ||
               (llvm::isa<CXXConstructExpr>(P) &&
                llvm::cast<CXXConstructExpr>(P)->getNumArgs() == 1)))
    P = PM.getParent(P);
  if (!P)
    return false;
  if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(P)) {
    switch (OC->getOperator()) {
    case OO_Arrow: {
      // it->second = x: the member reached through the handle is written.
      const Stmt *Up = PM.getParent(OC);
      while (llvm::isa_and_nonnull<ImplicitCastExpr, ParenExpr>(Up))
        Up = PM.getParent(Up);
      if (const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(Up))
        return A.findMutation(ME) != nullptr ||
               writtenThrough(OC, BC, Depth + 1);
      return writtenThrough(OC, BC, Depth + 1);
    }
    case OO_Star:
    case OO_Subscript:
      return writtenThrough(OC, BC, Depth + 1);
    case OO_EqualEqual:
    case OO_ExclaimEqual:
    case OO_Less:
    case OO_LessEqual:
    case OO_Greater:
    case OO_GreaterEqual:
    case OO_PlusPlus:
    case OO_MinusMinus:
    case OO_Minus:
      return false;
    default:
      return true;
    }
  }
  if (const auto *DS = llvm::dyn_cast<DeclStmt>(P)) {
    // auto it = m.find(k): what is done with it.
    const auto *V = DS->isSingleDecl()
                        ? llvm::dyn_cast<VarDecl>(DS->getSingleDecl())
                        : nullptr;
    if (!V || V->getType()->isReferenceType())
      return true;
    for (const BodyIndex::Use &U : BC.index().usesOf(V))
      if (writtenThrough(U.Ref, BC, Depth + 1))
        return true;
    return false;
  }
  if (llvm::isa<CXXMemberCallExpr>(P) || llvm::isa<CallExpr>(P))
    return true; // handed on: we do not follow it
  return false;
}

// Whether the mutation that ExprMutationAnalyzer reports for Access is in
// fact a read: a call to a non-const accessor that has a const twin (find,
// begin, at, a vector's operator[]) whose result is not written through, or
// taking Access's address into a local pointer (the pointer's own uses are
// looked at as leaves of their own).
bool onlyReads(const Stmt *Mutation, const Expr *Access, BodyContext &BC) {
  const CXXMethodDecl *MD = nullptr;
  const Expr *Object = nullptr;
  if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Mutation)) {
    MD = MC->getMethodDecl();
    Object = MC->getImplicitObjectArgument();
  } else if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Mutation);
             OC && OC->getNumArgs() > 0) {
    MD = llvm::dyn_cast_or_null<CXXMethodDecl>(OC->getDirectCallee());
    Object = OC->getArg(0);
  }
  if (MD && sameExpr(Object, Access))
    return hasConstTwin(MD) && !writtenThrough(llvm::cast<Expr>(Mutation), BC);
  // &x stored in a local pointer: `Config *p = &cfg;`.
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Mutation);
      UO && UO->getOpcode() == UO_AddrOf &&
      sameExpr(UO->getSubExpr(), Access)) {
    const Stmt *P = BC.parents().getParent(UO);
    while (llvm::isa_and_nonnull<ImplicitCastExpr, ParenExpr>(P))
      P = BC.parents().getParent(P);
    if (llvm::isa_and_nonnull<DeclStmt>(P))
      return true;
    if (const auto *BO = llvm::dyn_cast_or_null<BinaryOperator>(P);
        BO && BO->getOpcode() == BO_Assign)
      if (const auto *DRE =
              llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(BO->getLHS())))
        if (const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl()))
          return V->hasLocalStorage();
  }
  return false;
}

// Whether the local pointer that Access names was last pointed, before
// Access and on every path, at something that is not Target's: `p =
// &scratch;` before `p->count++`.
bool repointedBefore(const Expr *Access, BodyContext &BC,
                     const ObjectResolver &R, const Frame &Fr) {
  // The pointer the access goes through: p in p, p->n, p->a.b.
  const Expr *Base = ignoreWrappers(Access);
  while (const auto *ME = llvm::dyn_cast<MemberExpr>(Base)) {
    Base = ignoreWrappers(ME->getBase());
    if (ME->isArrow())
      break;
  }
  const auto *DRE = llvm::dyn_cast<DeclRefExpr>(Base);
  const auto *V = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!V || !V->hasLocalStorage() || !V->getType()->isPointerType())
    return false;
  const BinaryOperator *Last = nullptr;
  for (const BodyIndex::Use &U : BC.index().usesOf(V)) {
    const auto *BO =
        llvm::dyn_cast_or_null<BinaryOperator>(BC.parents().getParent(U.Ref));
    if (!BO || BO->getOpcode() != BO_Assign ||
        ignoreWrappers(BO->getLHS()) != U.Ref)
      continue;
    if (precedesOnEveryPath(BO, DRE, BC.parents()))
      Last = BO; // uses come in source order: the last one wins
  }
  return Last && !R.pointee(Last->getRHS(), Fr);
}

void findWritesImpl(const Frame &Fr, AnalysisContext &Analysis,
                    llvm::SmallVectorImpl<Write> &Out, unsigned Depth,
                    unsigned MaxDepth,
                    llvm::SmallPtrSetImpl<const FunctionDecl *> &Active,
                    const std::optional<HeldLock> &Inherited,
                    const Stmt *RootCall) {
  const Stmt *Body = Fr.body();
  if (!Body)
    return;
  Leaves Collector = collectLeaves(Body);
  if (Collector.Refs.empty() && Collector.Calls.empty())
    return;

  const SourceManager &SM = Analysis.ast().getSourceManager();
  ObjectResolver Resolver;
  BodyContext &BC = Analysis.body(Body);
  const ParentMap &PM = BC.parents();
  ExprMutationAnalyzer *Analyzer = nullptr;
  llvm::SmallPtrSet<const Expr *, 16> Seen;
  // The lock that orders a write at S: one taken in this body, else the one
  // held where this body was called. A reader lock orders no write.
  auto LockAt = [&](const Stmt *S) -> std::optional<HeldLock> {
    std::optional<HeldLock> L = BC.locks().heldAt(S, Fr, Resolver);
    if (!L)
      L = Inherited;
    if (L && L->Shared)
      return std::nullopt;
    return L;
  };

  for (const Expr *Leaf : Collector.Refs) {
    const Expr *Access = accessTop(Leaf, PM);
    if (!Seen.insert(Access).second)
      continue;
    const bool AccessIsPointer = isPointerLike(Access->getType());
    std::optional<ObjectRef> Obj = Resolver.object(Access, Fr);
    std::optional<ObjectRef> Pointee =
        AccessIsPointer ? Resolver.pointee(Access, Fr) : std::nullopt;
    if (!Obj && !Pointee)
      continue;
    if (!Analyzer)
      Analyzer = &BC.mutations();

    auto Record = [&](const ObjectRef &Target, const Stmt *Mutation) {
      if (!Mutation || isOpaqueOrFollowedCall(Mutation, Access, SM) ||
          onlyReads(Mutation, Access, BC))
        return;
      Write W;
      W.Target = Target;
      W.At = Mutation;
      W.Access = Access;
      W.Lock = LockAt(Mutation);
      W.Root = RootCall ? RootCall : Mutation;
      Out.push_back(std::move(W));
    };
    QualType Type = Access->getType();
    QualType PointeeType =
        Type->isPointerType() ? Type->getPointeeType() : QualType();
    if (Obj && !isAtomicType(Type) && !isSynchronizationType(Type) &&
        !repointedBefore(Access, BC, Resolver, Fr)) {
      const Stmt *M = Analyzer->findMutation(Access);
      Record(*Obj, M ? M : mutatorCallOn(Access, PM));
    }
    if (Pointee && !isAtomicType(PointeeType) &&
        !isSynchronizationType(PointeeType) &&
        !repointedBefore(Access, BC, Resolver, Fr))
      Record(*Pointee, Analyzer->findPointeeMutation(Access));
  }

  if (Depth >= MaxDepth)
    return;
  // Follow calls into functions of our own code: the helper that fills the
  // object, the member function that sets a field.
  for (const CallExpr *Call : Collector.Calls) {
    const FunctionDecl *Def = userDefinedCallee(Call, SM);
    if (!Def || Active.count(Def))
      continue;
    llvm::SmallVector<const Expr *, 4> Args;
    Frame Callee = callFrame(Fr, Call, Def, Args);
    Active.insert(Def);
    // The lock held at the call is held in the callee: a helper that writes
    // under its caller's lock_guard.
    std::optional<HeldLock> AtCall = BC.locks().heldAt(Call, Fr, Resolver);
    findWritesImpl(Callee, Analysis, Out, Depth + 1, MaxDepth, Active,
                   AtCall ? AtCall : Inherited, RootCall ? RootCall : Call);
    Active.erase(Def);
  }
}

} // namespace

void findWrites(const Frame &Fr, AnalysisContext &Analysis,
                llvm::SmallVectorImpl<Write> &Out, unsigned MaxDepth) {
  llvm::SmallPtrSet<const FunctionDecl *, 4> Active;
  findWritesImpl(Fr, Analysis, Out, 0, MaxDepth, Active, std::nullopt, nullptr);
}

} // namespace clang::tidy::defer_race
