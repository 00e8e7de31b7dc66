//===--- Writes.cpp - Facts: what a callable writes -----------------------===//

#include "Writes.h"
#include "Expressions.h"
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
      if (!Mutation || isOpaqueOrFollowedCall(Mutation, Access, SM))
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
    if (Obj && !isAtomicType(Type) && !isSynchronizationType(Type))
      Record(*Obj, Analyzer->findMutation(Access));
    if (Pointee && !isAtomicType(PointeeType) &&
        !isSynchronizationType(PointeeType))
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
  findWritesImpl(Fr, Analysis, Out, 0, MaxDepth, Active, std::nullopt,
                 nullptr);
}

} // namespace clang::tidy::defer_race
