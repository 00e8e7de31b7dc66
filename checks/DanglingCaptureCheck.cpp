//===--- DanglingCaptureCheck.cpp - defer-race-dangling-capture -----------===//

#include "DanglingCaptureCheck.h"
#include "DanglingCaptures.h"
#include "Diagnostics.h"
#include "Escapes.h"
#include "Expressions.h"
#include "FixIts.h"
#include "Matchers.h"
#include "Vocabulary.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::defer_race {

static constexpr char SpawnCall[] = "spawn-call";
static constexpr char ThreadVar[] = "thread-var";
static constexpr char HeldThread[] = "held-thread";

DanglingCaptureCheck::DanglingCaptureCheck(llvm::StringRef Name,
                                           ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Common(*this, Options),
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
  auto Executor =
      callExpr(callee(functionDecl(hasAnyName(std::vector<llvm::StringRef>(
          executorFunctionNames().begin(), executorFunctionNames().end())))));
  std::vector<llvm::StringRef> SpawnerNames(Common.DetachedSpawners.begin(),
                                            Common.DetachedSpawners.end());
  // Calls that pass a callable to a function of ours: it may be a pool
  // (Pools.h).
  auto Anchor =
      SpawnerNames.empty()
          ? callExpr(anyOf(Detach, Pthread, Executor, callPassingCallable()))
          : callExpr(anyOf(
                Detach, Pthread, Executor, callPassingCallable(),
                callExpr(callee(functionDecl(hasAnyName(SpawnerNames))))));
  Finder->addMatcher(
      traverse(Traversal, callExpr(unless(isExpansionInSystemHeader()), Anchor)
                              .bind(SpawnCall)),
      this);
  // Threads kept in a member of the object: `worker_ = std::thread(...)`,
  // `: worker_(...)`, `threads_.emplace_back(...)`.
  auto ThreadClass = cxxRecordDecl(isSameOrDerivedFrom(
      hasAnyName("::std::thread", "::std::jthread", "::boost::thread")));
  Finder->addMatcher(
      traverse(Traversal, cxxConstructExpr(unless(isExpansionInSystemHeader()),
                                           hasDeclaration(cxxConstructorDecl(
                                               ofClass(ThreadClass),
                                               unless(isCopyConstructor()),
                                               unless(isMoveConstructor()))))
                              .bind(HeldThread)),
      this);
  Finder->addMatcher(
      traverse(Traversal,
               cxxMemberCallExpr(
                   unless(isExpansionInSystemHeader()),
                   callee(cxxMethodDecl(hasAnyName("emplace_back", "emplace",
                                                   "push_back", "push"))),
                   on(memberExpr(hasObjectExpression(cxxThisExpr()))))
                   .bind(HeldThread)),
      this);
  Finder->addMatcher(
      traverse(
          Traversal,
          varDecl(localClassVariable(),
                  hasType(hasUnqualifiedDesugaredType(recordType(hasDeclaration(
                      cxxRecordDecl(hasName("::boost::thread")))))))
              .bind(ThreadVar)),
      this);
}

namespace {
// The body of the function or lambda that S is written in.
const Stmt *enclosingBody(const Stmt *S, ASTContext &Ctx) {
  const auto *FD =
      llvm::dyn_cast_or_null<FunctionDecl>(enclosingCallable(S, Ctx));
  return FD ? FD->getBody() : nullptr;
}
} // namespace

void DanglingCaptureCheck::check(const MatchFinder::MatchResult &Result) {
  if (!Analysis)
    Analysis = std::make_unique<AnalysisContext>(*Result.Context);
  if (const auto *Held = Result.Nodes.getNodeAs<Expr>(HeldThread)) {
    if (std::optional<OutlivingThread> T =
            memberHeldThread(Held, Spawns, *Analysis))
      checkEscapes(*T, nullptr);
    return;
  }
  std::optional<DetachedSpawn> S;
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>(SpawnCall))
    S = Spawns.spawnAt(Call, *Analysis);
  else if (const auto *V = Result.Nodes.getNodeAs<VarDecl>(ThreadVar))
    S = Spawns.spawnAtDecl(V, *Analysis);
  // Work given to a pool of ours that the body making it waits for
  // afterwards (pool.Flush()) is done before that body returns: what its
  // parameters lend it stays alive. (Its own locals may still die first:
  // checkSpawn() looks at each one.)
  const bool WaitedInBody =
      S && S->Kind == SpawnKind::Spawner && S->Pool && S->Start &&
      poolWaitAfter(*S, S->Start, enclosingBody(S->Start, *Result.Context),
                    *Analysis);
  // Work completing a future may be waited for: we only see that inside a
  // scope-exit guard's callable, so stay silent here.
  if (S && S->Start && !S->FutureToken &&
      (S->Callable.valid() || S->Callable.Written)) {
    checkSpawn(*S);
    if (std::optional<OutlivingThread> T = detachedThread(*S, *Analysis);
        T && !WaitedInBody)
      checkEscapes(*T, &*S);
  }
}

void DanglingCaptureCheck::checkEscapes(const OutlivingThread &T,
                                        const DetachedSpawn *S) {
  llvm::SmallVector<Escape, 2> Escapes;
  escapesOf(T, *Analysis, Escapes);
  for (const Escape &E : Escapes) {
    llvm::SmallVector<EscapingArgument, 2> Lent;
    escapingArguments(E, *Analysis, Lent);
    for (const EscapingArgument &A : Lent) {
      if (!Reported.insert(A.Loc.getRawEncoding()).second)
        continue;
      int Subject = A.As == EscapingArgument::Capture ? 4
                    : A.Dies ? (A.As == EscapingArgument::Object ? 1 : 0)
                             : (A.As == EscapingArgument::Object ? 3 : 2);
      diag(A.Loc,
           "%select{'%1' passed to %2|'%1' (the object of %2)|the temporary "
           "passed to %2|the temporary object of %2|'%1' captured by the "
           "callable passed to %2}0 %select{goes out of scope|is destroyed at "
           "the end of the full-expression}3 while %select{a detached thread "
           "it starts|the thread it keeps in '%5'}4 may still use it")
          << Subject << (A.Dies ? A.Dies->getName() : llvm::StringRef())
          << A.Callee->getDeclName() << (A.Dies ? 0 : 1) << (T.Holder ? 1 : 0)
          << (T.Holder ? T.Holder->getName() : "");
      if (A.Dies) {
        diag(A.Dies->getLocation(), "'%0' declared here", DiagnosticIDs::Note)
            << A.Dies->getName();
        SourceLocation End = Analysis->endOfScope(A.Dies);
        if (End.isValid())
          diag(End, "'%0' goes out of scope here", DiagnosticIDs::Note)
              << A.Dies->getName();
      }
      for (const Expr *Site : A.Forwarded) {
        const FunctionDecl *Callee = nullptr;
        if (const auto *Call = llvm::dyn_cast<CallExpr>(Site))
          Callee = Call->getDirectCallee();
        else if (const auto *Construct = llvm::dyn_cast<CXXConstructExpr>(Site))
          Callee = Construct->getConstructor();
        if (Callee)
          diag(Site->getBeginLoc(), "passed on to %0 here", DiagnosticIDs::Note)
              << Callee->getDeclName();
      }
      const FunctionDecl *Starter = A.Root.Function;
      if (A.Root.Param == Escape::ThisObject)
        diag(A.Root.Use, "the thread uses 'this' of %0 here",
             DiagnosticIDs::Note)
            << Starter->getDeclName();
      else
        diag(A.Root.Use, "the thread uses parameter '%0' of %1 here",
             DiagnosticIDs::Note)
            << Starter->getParamDecl(A.Root.Param)->getName()
            << Starter->getDeclName();
      if (S)
        noteSpawn(*this, *S, /*AtWarning=*/false, *Analysis);
      else
        diag(T.Start->getBeginLoc(),
             "the thread starts here and is kept in '%0' after %1 returns",
             DiagnosticIDs::Note)
            << T.Holder->getName() << Starter->getDeclName();
    }
  }
}

void DanglingCaptureCheck::checkSpawn(const DetachedSpawn &S) {
  llvm::SmallVector<DanglingCapture, 2> Found;
  danglingCapturesOf(S, *Analysis, Found);
  // Fixes of two captures of one lambda would each rewrite its parameter
  // list: only the first warning carries one; the next is offered when the
  // check runs again on the fixed file.
  bool FixOffered = false;
  for (const DanglingCapture &Fd : Found) {
    // Seen already as a callable lent to a function that spawns it.
    if (!Reported.insert(Fd.Loc.getRawEncoding()).second)
      continue;
    {
      int Subject = S.Kind == SpawnKind::Executor  ? 1
                    : S.Kind == SpawnKind::Spawner ? 2
                                                   : 0;
      auto D = diag(Fd.Loc, "%select{detached thread|work posted with '%4'|"
                            "callable passed to '%4'}3 %select{captures '%1' "
                            "by reference|uses pointer '%2' to '%1'|receives a "
                            "reference to '%1'|receives a pointer to '%1'|"
                            "uses reference '%2' to '%1'|uses view '%2' of "
                            "'%1'}0; '%1' goes out of "
                            "scope while %select{the thread|the work|it}3 may "
                            "still use it")
               << static_cast<int>(Fd.How) << shownName(Fd)
               << (Fd.Pointer ? Fd.Pointer->getNameAsString() : std::string())
               << Subject << S.What;
      if (!FixOffered) {
        FixIts Fix = danglingCaptureFix(S, Fd, *Analysis);
        FixOffered = !Fix.empty();
        for (const FixItHint &F : Fix)
          D << F;
      }
    }
    diag(Fd.Named ? Fd.Named->getLocation() : Fd.Var->getLocation(),
         "'%0' declared here", DiagnosticIDs::Note)
        << shownName(Fd);
    SourceLocation End = Analysis->endOfScope(Fd.Var);
    if (End.isValid())
      diag(End, "'%0' goes out of scope here", DiagnosticIDs::Note)
          << shownName(Fd);
    noteSpawn(*this, S, /*AtWarning=*/false, *Analysis);
  }
}

} // namespace clang::tidy::defer_race
