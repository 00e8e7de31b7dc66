//===--- DanglingCaptureCheck.cpp - defer-race-dangling-capture -----------===//

#include "DanglingCaptureCheck.h"
#include "Expressions.h"
#include "Diagnostics.h"
#include "FixIts.h"
#include "Matchers.h"

#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/ASTMatchers/ASTMatchFinder.h"
#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/SmallPtrSet.h"

using namespace clang::ast_matchers;

namespace clang::tidy::defer_race {

static constexpr char SpawnCall[] = "spawn-call";
static constexpr char ThreadVar[] = "thread-var";

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

// Whether the spawning function waits for something the thread also uses
// (a promise, a latch, a condition variable) after starting it. Then the
// thread may well be done before the scope ends: we cannot tell, so we stay
// silent.
bool waitsForThread(const DetachedSpawn &S, const Stmt *ThreadBody,
                    const Stmt *OwnerBody, AnalysisContext &Analysis) {
  const SourceManager &SM = Analysis.ast().getSourceManager();
  llvm::SmallPtrSet<const Decl *, 8> Shared;
  struct Collect : RecursiveASTVisitor<Collect> {
    llvm::SmallPtrSetImpl<const Decl *> &Out;
    explicit Collect(llvm::SmallPtrSetImpl<const Decl *> &Out) : Out(Out) {}
    bool VisitDeclRefExpr(DeclRefExpr *E) {
      Out.insert(E->getDecl());
      return true;
    }
  } Collector(Shared);
  Collector.TraverseStmt(const_cast<Stmt *>(ThreadBody));
  for (const Expr *Arg : S.Callable.Args)
    if (Arg)
      Collector.TraverseStmt(const_cast<Expr *>(Arg));
  if (!OwnerBody)
    return false;
  // A wait on something the thread also uses, after the thread starts:
  // done.get_future().wait(), latch.arrive_and_wait(), t.join().
  static const llvm::StringRef WaitNames[] = {
      "wait", "wait_for", "wait_until", "get", "join", "arrive_and_wait",
      "acquire", "try_acquire_for"};
  const BodyIndex &Index = Analysis.body(OwnerBody).index();
  SourceLocation After = S.Start->getEndLoc();
  for (const Decl *D : Shared)
    for (llvm::StringRef Name : WaitNames)
      for (const CXXMemberCallExpr *Call : Index.memberCallsOn(D, Name))
        if (SM.isBeforeInTranslationUnit(After, Call->getBeginLoc()))
          return true;
  return false;
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

DanglingCaptureCheck::DanglingCaptureCheck(llvm::StringRef Name,
                                           ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Common(Options),
      Spawns(Common.DetachedSpawners, Common.ConcurrentExecutors) {}

void DanglingCaptureCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Options.store(Opts, "DetachedSpawners", joinList(Common.DetachedSpawners));
  Options.store(Opts, "ConcurrentExecutors",
                joinList(Common.ConcurrentExecutors));
}

void DanglingCaptureCheck::registerMatchers(MatchFinder *Finder) {
  auto Detach = cxxMemberCallExpr(callee(cxxMethodDecl(hasName("detach"))));
  auto Pthread = callExpr(
      callee(functionDecl(hasAnyName("::pthread_detach", "::pthread_create"))));
  auto Executor = callExpr(callee(functionDecl(
      hasAnyName("::boost::asio::post", "::boost::asio::dispatch",
                 "::boost::asio::defer", "::boost::asio::co_spawn"))));
  std::vector<llvm::StringRef> SpawnerNames(Common.DetachedSpawners.begin(),
                                            Common.DetachedSpawners.end());
  auto Anchor =
      SpawnerNames.empty()
          ? callExpr(anyOf(Detach, Pthread, Executor))
          : callExpr(anyOf(Detach, Pthread, Executor,
                           callExpr(callee(functionDecl(
                               hasAnyName(SpawnerNames))))));
  Finder->addMatcher(
      traverse(Traversal,
               callExpr(unless(isExpansionInSystemHeader()), Anchor)
                   .bind(SpawnCall)),
      this);
  Finder->addMatcher(
      traverse(Traversal,
               varDecl(localClassVariable(),
                       hasType(hasUnqualifiedDesugaredType(recordType(
                           hasDeclaration(cxxRecordDecl(
                               hasName("::boost::thread")))))))
                   .bind(ThreadVar)),
      this);
}

void DanglingCaptureCheck::check(const MatchFinder::MatchResult &Result) {
  if (!Analysis)
    Analysis = std::make_unique<AnalysisContext>(*Result.Context);
  std::optional<DetachedSpawn> S;
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>(SpawnCall))
    S = Spawns.spawnAt(Call, *Analysis);
  else if (const auto *V = Result.Nodes.getNodeAs<VarDecl>(ThreadVar))
    S = Spawns.spawnAtDecl(V, *Analysis);
  // Work completing a future may be waited for: we only see that inside a
  // scope-exit guard's callable, so stay silent here.
  if (S && S->Callable.valid() && S->Start && !S->FutureToken)
    checkSpawn(*S, *Result.Context);
}

void DanglingCaptureCheck::checkSpawn(const DetachedSpawn &S, ASTContext &Ctx) {
  const SourceManager &SM = Ctx.getSourceManager();
  enum Kind {
    ByReference,
    ThroughPointer,
    RefArgument,
    PointerArgument,
    ThroughReference
  };
  struct Finding {
    Kind How;
    const VarDecl *Var;        // the automatic variable that dies
    const VarDecl *Pointer;    // the captured pointer, for ThroughPointer
    SourceLocation Loc;
    const LambdaCapture *Capture = nullptr;
    const Expr *Arg = nullptr;
    unsigned ArgIndex = 0;
  };
  llvm::SmallVector<Finding, 2> Findings;
  const ThreadCallable &C = S.Callable;
  const Stmt *ThreadBody = C.body();

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
            Dies && capturedByReferenceAllTheWay(V, L, *Analysis))
          Findings.push_back({Dies == V ? ByReference : ThroughReference, Dies,
                              Dies == V ? nullptr : V, Loc, &Cap});
        continue;
      }
      if (const VarDecl *Dies = automaticPointee(V))
        Findings.push_back({ThroughPointer, Dies, V, Loc, &Cap});
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
        Findings.push_back({RefArgument, Dies, nullptr, Arg->getBeginLoc(),
                            nullptr, Arg, I});
      continue;
    }
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(ignoreWrappers(Arg));
        UO && UO->getOpcode() == UO_AddrOf)
      if (const VarDecl *Dies = automaticObject(UO->getSubExpr(), 0))
        Findings.push_back({PointerArgument, Dies, nullptr,
                            Arg->getBeginLoc(), nullptr, Arg, I});
  }
  if (C.Object) {
    const Expr *Obj = ignoreWrappers(C.Object);
    if (const auto *UO = llvm::dyn_cast<UnaryOperator>(Obj);
        UO && UO->getOpcode() == UO_AddrOf)
      if (const VarDecl *Dies = automaticObject(UO->getSubExpr(), 0))
        Findings.push_back({PointerArgument, Dies, nullptr,
                            C.Object->getBeginLoc(), nullptr, C.Object, 0});
  }

  for (const Finding &Fd : Findings) {
    if (waitsForThread(S, ThreadBody, owningBody(Fd.Var), *Analysis))
      continue;
    FixIts Fixes;
    if (Fd.How == ByReference && Fd.Capture &&
        Fd.Capture->getCapturedVar() == Fd.Var) {
      QualType T = Fd.Var->getType();
      bool CanCopy = isCopyConstructible(T);
      bool CanMove = Ctx.getLangOpts().CPlusPlus14 && isMoveConstructible(T) &&
                     !T.isTriviallyCopyableType(Ctx) &&
                     !usedAfter(Fd.Var, S, *Analysis) &&
                     !spawnedInLoopAroundNothing(Fd.Var, S, *Analysis);
      if (CanCopy || CanMove) {
        bool Writes =
            Analysis->body(C.Lambda->getBody()).mutations().isMutated(Fd.Var);
        CaptureChange Change{Fd.Var, /*Move=*/CanMove};
        Fixes = captureByCopy(C.Lambda, Change, Writes, Ctx);
      }
    } else if (Fd.How == RefArgument && isCopyConstructible(Fd.Var->getType()) &&
               !inMacro(Fd.Arg->getSourceRange())) {
      // std::ref(n) -> n, unless the callable wants a non-const reference.
      const FunctionDecl *Target =
          C.Lambda ? C.Lambda->getCallOperator() : C.Function;
      if (Target && Fd.ArgIndex < Target->getNumParams()) {
        QualType P = Target->getParamDecl(Fd.ArgIndex)->getType();
        bool NeedsRef = P->isLValueReferenceType() &&
                        !P.getNonReferenceType().isConstQualified();
        const Expr *Inner = transparentCallArgument(Fd.Arg);
        if (!NeedsRef && Inner && !inMacro(Inner->getSourceRange()))
          Fixes.push_back(FixItHint::CreateReplacement(
              Fd.Arg->getSourceRange(),
              Lexer::getSourceText(
                  CharSourceRange::getTokenRange(Inner->getSourceRange()), SM,
                  Ctx.getLangOpts())));
      }
    }

    {
      int Subject = S.Kind == SpawnKind::Executor  ? 1
                    : S.Kind == SpawnKind::Spawner ? 2
                                                   : 0;
      auto D = diag(Fd.Loc, "%select{detached thread|work posted with '%4'|"
                            "callable passed to '%4'}3 %select{captures '%1' "
                            "by reference|uses pointer '%2' to '%1'|receives a "
                            "reference to '%1'|receives a pointer to '%1'|"
                            "uses reference '%2' to '%1'}0; '%1' goes out of "
                            "scope while %select{the thread|the work|it}3 may "
                            "still use it")
               << static_cast<int>(Fd.How) << Fd.Var->getNameAsString()
               << (Fd.Pointer ? Fd.Pointer->getNameAsString() : std::string())
               << Subject << S.What;
      for (const FixItHint &F : Fixes)
        D << F;
    }
    diag(Fd.Var->getLocation(), "'%0' declared here", DiagnosticIDs::Note)
        << Fd.Var->getNameAsString();
    SourceLocation End = Analysis->endOfScope(Fd.Var);
    if (End.isValid())
      diag(End, "'%0' goes out of scope here", DiagnosticIDs::Note)
          << Fd.Var->getNameAsString();
    noteSpawn(*this, S, /*AtWarning=*/false, *Analysis);
  }
}

} // namespace clang::tidy::defer_race
