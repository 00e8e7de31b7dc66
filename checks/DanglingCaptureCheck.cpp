//===--- DanglingCaptureCheck.cpp - defer-race-dangling-capture -----------===//

#include "DanglingCaptureCheck.h"
#include "DanglingCaptures.h"
#include "Diagnostics.h"
#include "FixIts.h"
#include "Matchers.h"
#include "Vocabulary.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::defer_race {

static constexpr char SpawnCall[] = "spawn-call";
static constexpr char ThreadVar[] = "thread-var";

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
  auto Anchor =
      SpawnerNames.empty()
          ? callExpr(anyOf(Detach, Pthread, Executor))
          : callExpr(anyOf(
                Detach, Pthread, Executor,
                callExpr(callee(functionDecl(hasAnyName(SpawnerNames))))));
  Finder->addMatcher(
      traverse(Traversal, callExpr(unless(isExpansionInSystemHeader()), Anchor)
                              .bind(SpawnCall)),
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
    checkSpawn(*S);
}

void DanglingCaptureCheck::checkSpawn(const DetachedSpawn &S) {
  llvm::SmallVector<DanglingCapture, 2> Found;
  danglingCapturesOf(S, *Analysis, Found);
  // Fixes of two captures of one lambda would each rewrite its parameter
  // list: only the first warning carries one; the next is offered when the
  // check runs again on the fixed file.
  bool FixOffered = false;
  for (const DanglingCapture &Fd : Found) {
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
