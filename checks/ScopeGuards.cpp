//===--- ScopeGuards.cpp - Is this a scope-exit guard? --------------------===//

#include "ScopeGuards.h"
#include "Expressions.h"
#include "Vocabulary.h"

#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/SmallPtrSet.h"

namespace clang::tidy::defer_race {
namespace {

// Whether field F is a member of RD, of the template RD was instantiated
// from, or of one of RD's bases.
bool belongsTo(const FieldDecl *F, const CXXRecordDecl *RD) {
  const auto *Parent = llvm::dyn_cast<CXXRecordDecl>(F->getParent());
  if (!Parent || !RD)
    return false;
  Parent = Parent->getCanonicalDecl();
  if (Parent == RD->getCanonicalDecl())
    return true;
  if (const CXXRecordDecl *Pattern = RD->getTemplateInstantiationPattern())
    if (Parent == Pattern->getCanonicalDecl())
      return true;
  return RD->hasDefinition() && RD->isDerivedFrom(Parent);
}

const FieldDecl *memberField(const Expr *E) {
  const auto *ME = llvm::dyn_cast_or_null<MemberExpr>(ignoreWrappers(E));
  return ME ? llvm::dyn_cast<FieldDecl>(ME->getMemberDecl()) : nullptr;
}

// The first lambda in E, not looking inside lambda bodies.
const LambdaExpr *findLambda(const Stmt *S, unsigned Depth = 0) {
  if (!S || Depth > 8)
    return nullptr;
  if (const auto *L = llvm::dyn_cast<LambdaExpr>(S))
    return L;
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(S)) {
    // auto Cleanup = [&] {...}; auto G = gsl::finally(Cleanup);
    const auto *V = llvm::dyn_cast<VarDecl>(DRE->getDecl());
    if (V && V->hasLocalStorage() && V->getInit())
      return llvm::dyn_cast<LambdaExpr>(ignoreWrappers(V->getInit()));
    return nullptr;
  }
  for (const Stmt *Child : S->children())
    if (const LambdaExpr *L = findLambda(Child, Depth + 1))
      return L;
  return nullptr;
}

// A function passed by name as the guard's callable: finally(&cleanup).
const FunctionDecl *findFunctionArgument(const Expr *E, unsigned Depth = 0) {
  E = ignoreWrappers(E);
  if (!E || Depth > 6)
    return nullptr;
  if (!llvm::isa<CallExpr, CXXConstructExpr>(E))
    return nullptr;
  llvm::ArrayRef<const Expr *> Args = argumentsOf(E);
  for (const Expr *Arg : Args) {
    const Expr *A = ignoreWrappers(Arg);
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(A);
        UO && UO->getOpcode() == UO_AddrOf)
      A = ignoreWrappers(UO->getSubExpr());
    if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(A))
      if (const auto *FD = llvm::dyn_cast<FunctionDecl>(DRE->getDecl()))
        return FD;
    if (const FunctionDecl *FD = findFunctionArgument(A, Depth + 1))
      return FD;
  }
  return nullptr;
}

// The callable handed to a guard's constructor or factory when it is
// neither a lambda nor a function in sight: the first argument that can be
// called (a std::function variable, a factory's result, a function object).
const Expr *findCallableArgument(const Expr *Init) {
  for (const Expr *A : argumentsOf(ignoreWrappers(Init)))
    if (A && !llvm::isa<CXXDefaultArgExpr>(A) && hasCallableType(A))
      return A;
  return nullptr;
}

// Scans a destructor (and the member functions it calls) for the call that
// runs the stored callable.
class DestructorScanner : public RecursiveASTVisitor<DestructorScanner> {
public:
  explicit DestructorScanner(const CXXRecordDecl *RD) : RD(RD) {}

  bool StoredCallable = false;
  const CallExpr *StaticBodyCall = nullptr;

  void scan(const FunctionDecl *FD, unsigned Depth) {
    const FunctionDecl *Def = definitionOf(FD);
    if (!Def && FD)
      if (const FunctionDecl *Pattern = FD->getTemplateInstantiationPattern())
        Def = definitionOf(Pattern);
    if (!Def || Depth > 2 || !Visited.insert(Def).second)
      return;
    unsigned Saved = CurrentDepth;
    CurrentDepth = Depth;
    TraverseStmt(Def->getBody());
    CurrentDepth = Saved;
  }

  bool TraverseLambdaExpr(LambdaExpr *) { return true; }

  bool VisitCallExpr(CallExpr *Call) {
    if (StoredCallable || StaticBodyCall)
      return false;
    // f_() where f_ is a functor or std::function member.
    if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Call)) {
      if (OC->getOperator() == OO_Call && OC->getNumArgs() > 0)
        if (const FieldDecl *F = memberField(OC->getArg(0)); F && owns(F)) {
          StoredCallable = true;
          return false;
        }
      return true;
    }
    // f_() on a function pointer member, or on a dependent member in a
    // template pattern.
    if (const FieldDecl *F = memberField(Call->getCallee()); F && owns(F)) {
      StoredCallable = true;
      return false;
    }
    const FunctionDecl *Callee = Call->getDirectCallee();
    if (!Callee)
      return true;
    // std::invoke(f_)
    if (Callee->getIdentifier() &&
        (Callee->getName() == "invoke" || Callee->getName() == "__invoke") &&
        Call->getNumArgs() > 0)
      if (const FieldDecl *F = memberField(Call->getArg(0)); F && owns(F)) {
        StoredCallable = true;
        return false;
      }
    const auto *MD = llvm::dyn_cast<CXXMethodDecl>(Callee);
    if (!MD)
      return true;
    const CXXRecordDecl *Owner = MD->getParent();
    bool Own = Owner->getCanonicalDecl() == RD->getCanonicalDecl() ||
               (RD->hasDefinition() && RD->isDerivedFrom(Owner));
    if (!Own) {
      // in_.fire(): a member object of ours whose own member calls the
      // callable it stores.
      if (const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(Call))
        if (const FieldDecl *F = memberField(MC->getImplicitObjectArgument());
            F && owns(F) && CurrentDepth < 2) {
          Members.insert(Owner->getCanonicalDecl());
          scan(MD, CurrentDepth + 1);
        }
      return !(StoredCallable || StaticBodyCall);
    }
    // BOOST_SCOPE_EXIT: ~guard() { boost_se_body(params...); }
    if (MD->isStatic() && definitionOf(MD)) {
      StaticBodyCall = Call;
      return false;
    }
    // folly: ~ScopeGuardImpl() { if (!dismissed_) execute(); }
    if (llvm::isa<CXXMemberCallExpr>(Call))
      scan(MD, CurrentDepth + 1);
    return !(StoredCallable || StaticBodyCall);
  }

private:
  // A field of the guard class, or of a member object it calls into.
  bool owns(const FieldDecl *F) const {
    if (belongsTo(F, RD))
      return true;
    for (const CXXRecordDecl *M : Members)
      if (belongsTo(F, M))
        return true;
    return false;
  }

  const CXXRecordDecl *RD;
  llvm::SmallPtrSet<const CXXRecordDecl *, 2> Members;
  unsigned CurrentDepth = 0;
  llvm::SmallPtrSet<const FunctionDecl *, 4> Visited;
};

class GuardCollector : public RecursiveASTVisitor<GuardCollector> {
public:
  GuardCollector(const ScopeGuardRecogniser &R,
                 llvm::SmallVectorImpl<GuardCallable> &Out)
      : R(R), Out(Out) {}
  bool TraverseLambdaExpr(LambdaExpr *) { return true; }
  bool TraverseCXXRecordDecl(CXXRecordDecl *) { return true; }
  bool VisitVarDecl(VarDecl *V) {
    if (std::optional<GuardCallable> G = R.guardOf(V))
      Out.push_back(std::move(*G));
    return true;
  }
  bool VisitCXXOperatorCallExpr(CXXOperatorCallExpr *E) {
    if (std::optional<GuardCallable> G = R.guardOfAssignment(E))
      Out.push_back(std::move(*G));
    return true;
  }

private:
  const ScopeGuardRecogniser &R;
  llvm::SmallVectorImpl<GuardCallable> &Out;
};

bool isDismissCall(const Stmt *S, const VarDecl *Guard) {
  const auto *MC = llvm::dyn_cast<CXXMemberCallExpr>(S);
  if (!MC || !MC->getMethodDecl() || !MC->getMethodDecl()->getIdentifier())
    return false;
  llvm::StringRef Name = MC->getMethodDecl()->getName();
  bool Dismiss = Name == "release" || Name == "dismiss" || Name == "Dismiss" ||
                 Name == "Cancel" || Name == "cancel";
  if (Name == "set_active" && MC->getNumArgs() == 1) {
    if (const auto *B =
            llvm::dyn_cast<CXXBoolLiteralExpr>(ignoreWrappers(MC->getArg(0))))
      Dismiss = !B->getValue();
  }
  if (!Dismiss)
    return false;
  const Expr *Obj = MC->getImplicitObjectArgument();
  if (const Expr *Inner = transparentCallArgument(Obj))
    Obj = Inner; // std::move(cleanup).Cancel()
  const auto *DRE = llvm::dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Obj));
  return DRE && DRE->getDecl() == Guard;
}

} // namespace

const std::vector<std::string> &ScopeGuardRecogniser::builtinNames() {
  static const std::vector<std::string> Names = {
      "::absl::Cleanup",
      "::gsl::final_action",
      "::llvm::scope_exit",
      "::llvm::detail::scope_exit",
      "::folly::detail::ScopeGuardImpl",
      "::folly::detail::ScopeGuardForNewException",
      "::folly::ScopeGuardImpl",
      "::std::experimental::scope_exit",
      "::std::experimental::scope_fail",
      "::std::experimental::scope_success",
      "::boost::scope::scope_exit",
      "::boost::scope::scope_fail",
      "::boost::scope::scope_success",
      "::boost::scope::defer_guard",
      "::boost::scope_exit::aux::guard",
      "::QScopeGuard",
  };
  return Names;
}

ScopeGuardRecogniser::ScopeGuardRecogniser(std::vector<std::string> Extra) {
  std::vector<std::string> All = builtinNames();
  All.insert(All.end(), Extra.begin(), Extra.end());
  Names = NameList(std::move(All));
}

const Stmt *GuardCallable::body() const {
  return callableBody(Lambda, Function);
}

const FunctionDecl *GuardCallable::owner() const {
  return Guard ? llvm::dyn_cast<FunctionDecl>(Guard->getDeclContext())
               : nullptr;
}

const ScopeGuardRecogniser::DtorInfo &
ScopeGuardRecogniser::destructorOf(const CXXRecordDecl *RD) const {
  RD = RD->getCanonicalDecl();
  auto It = Destructors.find(RD);
  if (It != Destructors.end())
    return It->second;
  DtorInfo Info;
  const CXXRecordDecl *Def = RD->getDefinition();
  const CXXDestructorDecl *Dtor = Def ? Def->getDestructor() : nullptr;
  if (Dtor && Dtor->isUserProvided()) {
    DestructorScanner Scanner(Def);
    Scanner.scan(Dtor, 0);
    if (Scanner.StaticBodyCall) {
      Info.Kind = DtorKind::StaticBody;
      Info.BodyCall = Scanner.StaticBodyCall;
    } else if (Scanner.StoredCallable) {
      Info.Kind = DtorKind::StoredCallable;
    }
  }
  return Destructors[RD] = Info;
}

bool ScopeGuardRecogniser::isGuardType(QualType T) const {
  if (T.isNull() || T->isDependentType())
    return false;
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  if (!RD)
    return false;
  return Names.matches(RD) || destructorOf(RD).Kind != DtorKind::None;
}

bool ScopeGuardRecogniser::isFactoryCall(const Expr *Init) const {
  const auto *Call = llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(Init));
  if (!Call || llvm::isa<CXXMemberCallExpr>(Call) ||
      llvm::isa<CXXOperatorCallExpr>(Call))
    return false;
  return Names.matches(Call->getDirectCallee());
}

std::optional<GuardCallable>
ScopeGuardRecogniser::guardOf(const VarDecl *V) const {
  if (!V || !V->hasLocalStorage() || llvm::isa<ParmVarDecl>(V) ||
      V->isInitCapture())
    return std::nullopt;
  QualType T = V->getType();
  if (T.isNull() || T->isDependentType())
    return std::nullopt;
  if (V->hasAttr<CleanupAttr>())
    return cleanupGuard(V);
  if (std::optional<GuardCallable> G = smartPointerGuard(V))
    return G;
  const CXXRecordDecl *RD = T.getNonReferenceType()->getAsCXXRecordDecl();
  bool Named = RD && Names.matches(RD);
  const DtorInfo *Dtor = RD ? &destructorOf(RD) : nullptr;
  if (Dtor && Dtor->Kind == DtorKind::StaticBody)
    return staticBodyGuard(V, Dtor->BodyCall);
  bool Stored = Dtor && Dtor->Kind == DtorKind::StoredCallable;
  if (!Named && !Stored && !isFactoryCall(V->getInit()))
    return guardMadeByCall(V, false);
  GuardCallable G;
  G.Guard = V;
  G.Loc = V->getBeginLoc();
  G.Lambda = findLambda(V->getInit());
  if (!G.Lambda)
    G.Function = definitionOf(findFunctionArgument(V->getInit()));
  if (!G.Lambda && !G.Function)
    G.Written = findCallableArgument(V->getInit());
  if (!G.Lambda && !G.Function && !G.Written)
    return guardMadeByCall(V, true);
  return G;
}

std::optional<GuardCallable>
ScopeGuardRecogniser::guardMadeByCall(const VarDecl *V, bool GuardType) const {
  // auto g = makeAuditGuard(res); Handle h = openJournal(j);
  // CommitGuard c = writer.beginBatch(): a function of ours returns the
  // guard. Known factories (gsl::finally) are read where they are called.
  const auto *Call =
      llvm::dyn_cast_or_null<CallExpr>(ignoreWrappers(V->getInit()));
  if (!Call || llvm::isa<CXXOperatorCallExpr>(Call) || isFactoryCall(Call) ||
      V->getType()->isReferenceType())
    return std::nullopt;
  const FunctionDecl *Callee = definitionOf(Call->getDirectCallee());
  if (!Callee || inSystemHeader(Callee, V->getASTContext().getSourceManager()))
    return std::nullopt;
  // A function that returns a guard variable of its own: that guard is
  // analysed there, as one handed to the caller.
  bool ReturnsLocal = false;
  forEachStmt(Callee->getBody(), bounds::WalkNodes, [&](const Stmt *S) {
    const auto *Ret = llvm::dyn_cast<ReturnStmt>(S);
    const Expr *Value = Ret ? Ret->getRetValue() : nullptr;
    Value = ignoreWrappers(Value);
    if (const auto *Copy = llvm::dyn_cast_or_null<CXXConstructExpr>(Value);
        Copy && Copy->getNumArgs() == 1 && Copy->getConstructor() &&
        Copy->getConstructor()->isCopyOrMoveConstructor())
      Value = ignoreWrappers(Copy->getArg(0));
    if (const Expr *Moved = Value ? transparentCallArgument(Value) : nullptr)
      Value = Moved;
    const auto *DRE =
        llvm::dyn_cast_or_null<DeclRefExpr>(ignoreWrappers(Value));
    const auto *Local = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
    ReturnsLocal = Local && Local->hasLocalStorage();
    return ReturnsLocal;
  });
  if (ReturnsLocal)
    return std::nullopt;
  if (!GuardType) {
    // A smart pointer whose deleter is a function object of ours, or a
    // function pointer or std::function that the factory fills in.
    const auto *Spec = llvm::dyn_cast_or_null<ClassTemplateSpecializationDecl>(
        V->getType()->getAsCXXRecordDecl());
    if (!Spec || qualifiedName(Spec) != "std::unique_ptr" ||
        Spec->getTemplateArgs().size() < 2 ||
        Spec->getTemplateArgs()[1].getKind() != TemplateArgument::Type)
      return std::nullopt;
    QualType Deleter = Spec->getTemplateArgs()[1].getAsType();
    const CXXRecordDecl *D = Deleter->getAsCXXRecordDecl();
    bool Ours = D && !inSystemHeader(D, V->getASTContext().getSourceManager());
    bool Filled = Deleter->isFunctionPointerType() ||
                  (D && !Ours && isCallableType(Deleter));
    if (!Ours && !Filled)
      return std::nullopt;
  }
  GuardCallable G;
  G.Guard = V;
  G.Loc = V->getBeginLoc();
  G.Written = Call;
  G.MadeByCall = true;
  return G;
}

std::optional<GuardCallable>
ScopeGuardRecogniser::smartPointerGuard(const VarDecl *V) const {
  // std::shared_ptr<void> g(p, deleter) and std::unique_ptr<T, D> g(p[, d]):
  // the deleter runs on p when g dies (for unique_ptr, only if p is not
  // null; for shared_ptr, when the last copy dies).
  const auto *Spec = llvm::dyn_cast_or_null<ClassTemplateSpecializationDecl>(
      V->getType().getNonReferenceType()->getAsCXXRecordDecl());
  if (!Spec || V->getType()->isReferenceType())
    return std::nullopt;
  std::string Name = qualifiedName(Spec);
  bool Unique = Name == "std::unique_ptr";
  if (!Unique && Name != "std::shared_ptr" && Name != "boost::shared_ptr")
    return std::nullopt;
  const auto *CE =
      llvm::dyn_cast_or_null<CXXConstructExpr>(ignoreWrappers(V->getInit()));
  if (!CE || CE->getNumArgs() == 0 ||
      llvm::isa<CXXDefaultArgExpr>(CE->getArg(0)))
    return std::nullopt;
  const Expr *Pointer = CE->getArg(0);
  if (Unique && Pointer->isNullPointerConstant(
                    V->getASTContext(), Expr::NPC_ValueDependentIsNotNull))
    return std::nullopt;
  GuardCallable G;
  G.Guard = V;
  G.Loc = V->getBeginLoc();
  G.BoundArgs.push_back(Pointer);
  if (CE->getNumArgs() >= 2 && !llvm::isa<CXXDefaultArgExpr>(CE->getArg(1))) {
    const Expr *Deleter = CE->getArg(1);
    G.Lambda = findLambda(Deleter);
    if (!G.Lambda)
      G.Written = Deleter;
    return G;
  }
  // unique_ptr<T, D> g(p): a default-constructed function object D.
  const TemplateArgumentList &Args = Spec->getTemplateArgs();
  if (!Unique || Args.size() < 2 || Args[1].getKind() != TemplateArgument::Type)
    return std::nullopt;
  const CXXRecordDecl *D = Args[1].getAsType()->getAsCXXRecordDecl();
  if (!D || inSystemHeader(D, V->getASTContext().getSourceManager()))
    return std::nullopt; // std::default_delete
  G.Function = functionObjectOperator(D);
  if (!G.Function)
    return std::nullopt;
  return G;
}

std::optional<GuardCallable>
ScopeGuardRecogniser::cleanupGuard(const VarDecl *V) const {
  // int *p __attribute__((cleanup(fn))): fn(&p) runs when p goes out of
  // scope, in C and C++.
  const auto *A = V->getAttr<CleanupAttr>();
  const FunctionDecl *Fn = A ? definitionOf(A->getFunctionDecl()) : nullptr;
  if (!Fn)
    return std::nullopt;
  GuardCallable G;
  G.Guard = V;
  G.Loc = A->getLocation().isValid() ? A->getLocation() : V->getBeginLoc();
  G.Function = Fn;
  G.BoundArgs.push_back(addressOf(V));
  return G;
}

std::optional<GuardCallable> ScopeGuardRecogniser::guardOfAssignment(
    const CXXOperatorCallExpr *Assign) const {
  if (!Assign || Assign->getOperator() != OO_Equal || Assign->getNumArgs() != 2)
    return std::nullopt;
  const auto *DRE =
      llvm::dyn_cast<DeclRefExpr>(ignoreWrappers(Assign->getArg(0)));
  const auto *V = DRE ? llvm::dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
  if (!V || !V->hasLocalStorage() || !isGuardType(V->getType()))
    return std::nullopt;
  const LambdaExpr *L = findLambda(Assign->getArg(1));
  if (!L)
    return std::nullopt;
  GuardCallable G;
  G.Guard = V;
  G.Lambda = L;
  G.Loc = Assign->getBeginLoc();
  return G;
}

std::optional<GuardCallable>
ScopeGuardRecogniser::staticBodyGuard(const VarDecl *V,
                                      const CallExpr *BodyCall) const {
  // BOOST_SCOPE_EXIT(&res, k) { ... } BOOST_SCOPE_EXIT_END expands to
  //   struct params_t { member<Response&, tag> p0; member<int, tag> p1; }
  //       params = { { deref(&res, tag) }, { deref(k, tag) } };
  //   struct guard_t { params_t *params_;
  //     ~guard_t() { body(params_->p0.value, params_->p1.value); }
  //     static void body(Response &res, int k) { ... } } guard(&params);
  // The body's parameters are bound to res and k.
  const FunctionDecl *Body = definitionOf(BodyCall->getDirectCallee());
  const auto *Owner = llvm::dyn_cast<FunctionDecl>(V->getDeclContext());
  if (!Body || !Owner)
    return std::nullopt;
  GuardCallable G;
  G.Guard = V;
  G.Function = Body;
  G.Loc = Body->getBeginLoc();
  for (const Expr *Arg : BodyCall->arguments()) {
    const Expr *Bound = nullptr;
    // Find the params_t field along the member chain of the argument.
    for (const Expr *E = ignoreWrappers(Arg); E && !Bound;) {
      const auto *ME = llvm::dyn_cast<MemberExpr>(E);
      if (!ME)
        break;
      const auto *Field = llvm::dyn_cast<FieldDecl>(ME->getMemberDecl());
      E = ignoreWrappers(ME->getBase());
      if (!Field)
        continue;
      for (const Decl *D : Owner->decls()) {
        const auto *Params = llvm::dyn_cast<VarDecl>(D);
        if (!Params || !Params->getInit())
          continue;
        const CXXRecordDecl *PT = Params->getType()->getAsCXXRecordDecl();
        if (!PT ||
            PT->getCanonicalDecl() != Field->getParent()->getCanonicalDecl())
          continue;
        const auto *ILE =
            llvm::dyn_cast<InitListExpr>(ignoreWrappers(Params->getInit()));
        if (!ILE || Field->getFieldIndex() >= ILE->getNumInits())
          continue;
        // { deref(&res, tag) }: the first argument of the first call.
        const Stmt *Init = ILE->getInit(Field->getFieldIndex());
        llvm::SmallVector<const Stmt *, 8> Work{Init};
        while (!Work.empty() && !Bound) {
          const Stmt *S = Work.pop_back_val();
          if (!S)
            continue;
          // BOOST_SCOPE_EXIT(this_): the field holds `this` itself.
          if (llvm::isa<CXXThisExpr>(S)) {
            Bound = llvm::cast<Expr>(S);
            break;
          }
          if (const auto *Call = llvm::dyn_cast<CallExpr>(S);
              Call && Call->getNumArgs() > 0) {
            const Expr *Captured = ignoreWrappers(Call->getArg(0));
            if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Captured);
                UO && UO->getOpcode() == UO_AddrOf)
              Captured = UO->getSubExpr();
            Bound = Captured;
            break;
          }
          for (const Stmt *Child : S->children())
            Work.push_back(Child);
        }
        break;
      }
    }
    G.BoundArgs.push_back(Bound);
  }
  return G;
}

void ScopeGuardRecogniser::guardsIn(
    const Stmt *Body, llvm::SmallVectorImpl<GuardCallable> &Out) const {
  if (!Body)
    return;
  GuardCollector Collector(*this, Out);
  Collector.TraverseStmt(const_cast<Stmt *>(Body));
}

bool ScopeGuardRecogniser::isDismissedOnEveryPath(
    const GuardCallable &G, AnalysisContext &Analysis) const {
  const FunctionDecl *Owner = G.owner();
  const Stmt *Body = Owner ? Owner->getBody() : nullptr;
  if (!Body)
    return false;
  BodyContext &BC = Analysis.body(Body, Owner);
  bool Dismissed = false;
  for (const BodyIndex::CallRef &C : BC.index().callsMentioning(G.Guard))
    Dismissed |= isDismissCall(C.Call, G.Guard);
  if (!Dismissed)
    return false; // the common case: no CFG needed

  // Where the guard is declared.
  std::optional<BodyContext::Point> Start = BC.afterDeclarationOf(G.Guard);
  if (!Start)
    return false;
  const CFGBlock *StartBlock = Start->first;
  unsigned StartIndex = Start->second;

  // Search for a path to the guard's destruction that avoids every dismissal.
  llvm::SmallPtrSet<const CFGBlock *, 16> Visited;
  llvm::SmallVector<std::pair<const CFGBlock *, unsigned>, 16> Work;
  Work.push_back({StartBlock, StartIndex});
  while (!Work.empty()) {
    auto [B, From] = Work.pop_back_val();
    bool Blocked = false;
    for (unsigned I = From; I < B->size(); ++I) {
      CFGElement E = (*B)[I];
      if (auto S = E.getAs<CFGStmt>()) {
        if (isDismissCall(S->getStmt(), G.Guard)) {
          Blocked = true;
          break;
        }
      } else if (auto D = E.getAs<CFGAutomaticObjDtor>()) {
        if (D->getVarDecl() == G.Guard)
          return false; // runs on this path
      }
    }
    if (Blocked)
      continue;
    for (const CFGBlock *Succ : B->succs())
      if (Succ && Visited.insert(Succ).second)
        Work.push_back({Succ, 0});
  }
  return true;
}

} // namespace clang::tidy::defer_race
