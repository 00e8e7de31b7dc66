//===--- DetachedMutationCheck.cpp - defer-race-detached-mutation ---------===//

#include "DetachedMutationCheck.h"
#include "Compat.h"
#include "Diagnostics.h"
#include "Expressions.h"
#include "FixIts.h"
#include "Matchers.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::defer_race {

static constexpr char GuardVar[] = "guard-var";
static constexpr char GuardAssign[] = "guard-assignment";
static constexpr char PostCall[] = "post-call";

DetachedMutationCheck::DetachedMutationCheck(llvm::StringRef Name,
                                             ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Common(*this, Options),
      PreferCopy(enumOption(*this, Options, "PreferredFix", PreferredFix::Join,
                            /*LocalOrGlobal=*/false) == PreferredFix::Copy),
      SuggestSpawners(Options.get("SuggestSpawners", false)),
      Guards(Common.ScopeGuards),
      Spawns(Common.DetachedSpawners, Common.ConcurrentExecutors) {}

void DetachedMutationCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Common.store(Options, Opts);
  Options.store(Opts, "PreferredFix",
                PreferCopy ? PreferredFix::Copy : PreferredFix::Join);
  Options.store(Opts, "SuggestSpawners", SuggestSpawners);
}

void DetachedMutationCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(traverse(Traversal, localClassVariable().bind(GuardVar)),
                     this);
  Finder->addMatcher(traverse(Traversal, lambdaAssignment().bind(GuardAssign)),
                     this);
  if (SuggestSpawners)
    Finder->addMatcher(
        traverse(Traversal,
                 callExpr(unless(isExpansionInSystemHeader()),
                          callee(functionDecl(unless(hasBody(stmt())))),
                          hasAnyArgument(expr(anyOf(
                              lambdaExpr(), hasDescendant(lambdaExpr())))))
                     .bind(PostCall)),
        this);
}

void DetachedMutationCheck::check(const MatchFinder::MatchResult &Result) {
  if (!Facts) {
    Analysis = std::make_unique<AnalysisContext>(*Result.Context);
    Facts = std::make_unique<DetachedWriterFacts>(
        Guards, Spawns, *Analysis,
        Common.importsSummaries() ? Common.SummaryDirectory : std::string());
  }
  if (const auto *Call = Result.Nodes.getNodeAs<CallExpr>(PostCall)) {
    suggestSpawner(Call);
    return;
  }
  std::optional<GuardCallable> G;
  if (const auto *V = Result.Nodes.getNodeAs<VarDecl>(GuardVar))
    G = Facts->guardOf(V);
  else if (const auto *A =
               Result.Nodes.getNodeAs<CXXOperatorCallExpr>(GuardAssign))
    G = Guards.guardOfAssignment(A);
  if (!G)
    return;
  for (const GuardWriter &W : Facts->writersOf(*G))
    report(*G, W, *Result.Context);
}

namespace {
// Verbs that name handing work to someone else.
bool namesPosting(llvm::StringRef Name) {
  static constexpr llvm::StringLiteral Verbs[] = {
      "submit",   "schedule", "post",    "add",   "enqueue",
      "runasync", "dispatch", "execute", "async", "defer"};
  std::string Lower = Name.lower();
  llvm::StringRef L(Lower);
  return llvm::any_of(Verbs, [&](llvm::StringRef V) {
    return compat::startsWith(L, V) || compat::endsWith(L, V);
  });
}

// A lambda that refers to something of the caller: a by-reference capture
// or `this`.
bool capturesByReference(const LambdaExpr *L) {
  return llvm::any_of(L->captures(), [](const LambdaCapture &C) {
    return C.capturesThis() ||
           (C.capturesVariable() && C.getCaptureKind() == LCK_ByRef);
  });
}
} // namespace

void DetachedMutationCheck::suggestSpawner(const CallExpr *Call) {
  const FunctionDecl *Callee = Call->getDirectCallee();
  if (!Callee || !Callee->getIdentifier() || definitionOf(Callee) ||
      !namesPosting(Callee->getName()) || Spawns.isSpawnApi(Callee) ||
      !Analysis)
    return;
  if (!llvm::any_of(Call->arguments(), [](const Expr *A) {
        // Through the conversion to a std::function or a task type.
        for (unsigned Steps = 0; A && Steps < 4; ++Steps) {
          A = ignoreWrappers(A);
          if (const auto *L = llvm::dyn_cast<LambdaExpr>(A))
            return capturesByReference(L);
          const auto *CE = llvm::dyn_cast<CXXConstructExpr>(A);
          A = CE && CE->getNumArgs() >= 1 ? CE->getArg(0) : nullptr;
        }
        return false;
      }))
    return;
  // Recognised anyway: a virtual submit with pool overriders, or a summary.
  if (Spawns.spawnAt(Call, *Analysis))
    return;
  const std::string Name = qualifiedName(Callee);
  if (!Suggested.insert(Name).second)
    return;
  diag(Call->getBeginLoc(),
       "'%0' is not defined in this translation unit; if it runs the "
       "callable on another thread without waiting, list it in "
       "DetachedSpawners so that defer-race checks the work it is given")
      << Name;
}

void DetachedMutationCheck::report(const GuardCallable &G,
                                   const GuardWriter &GW, ASTContext &Ctx) {
  // The first write that the caller can still see, made without a lock.
  // Writes to automatic variables dangle: defer-race-dangling-capture.
  // A write that no handshake publishes comes first: it races with every
  // caller.
  const Write *Shown = nullptr;
  for (const Write &W : GW.Writes)
    if (W.Target.Kind != ObjectRef::Local && (!W.Lock || W.ReadUnlocked) &&
        (!Shown || (Shown->Published && !W.Published)))
      Shown = &W;
  if (!Shown)
    return;

  const bool Direct = GW.Via.empty();
  JoinFix JoinOffer =
      Direct ? joinInsteadOfDetach(GW.Spawn, GW.Code, G.Guard, *Analysis)
             : JoinFix();
  const FixIts &Join = JoinOffer.Fixes;
  CopyFix Copy = Direct
                     ? copyCapturesFix(GW.Spawn.Callable.Lambda, GW.Writes, Ctx)
                     : CopyFix();
  const std::string Object = Shown->Target.describe();

  {
    auto D = Direct
                 ? diag(GW.Spawn.loc(),
                        "%select{thread detached|callable passed to '%2'|work "
                        "posted with '%2'|std::async task whose future is "
                        "kept}3 in a scope-exit guard may still be writing "
                        "'%0' after %1 returns")
                 : diag(callBegin(GW.Via.front()),
                        "call to %2 in a scope-exit guard leaves a detached "
                        "thread writing '%0' after %1 returns");
    D << Object << ownerName(G.owner());
    if (Direct) {
      int Form = 0;
      switch (GW.Spawn.Kind) {
      case SpawnKind::Spawner:
        Form = 1;
        break;
      case SpawnKind::Executor:
        Form = 2;
        break;
      case SpawnKind::Async:
        Form = 3;
        break;
      default:
        break;
      }
      D << GW.Spawn.What << Form;
    } else
      D << calleeName(GW.Via.front());
    for (const FixItHint &F : PreferCopy ? Copy.Fixes : Join)
      D << F;
  }
  noteGuard(*this, G, *Analysis);
  noteCallChain(*this, GW.Via);
  for (const auto &[Call, Value] : GW.Stored)
    diag(Value->getBeginLoc(), "%0 may hold this callable, stored here",
         DiagnosticIDs::Note)
        << calleeName(Call);
  if (GW.ImportedFrom) {
    // The helper is defined in another translation unit.
    noteImported(*this, GW.Via.back()->getBeginLoc(), *GW.ImportedFrom,
                 *GW.ImportedWrite);
    return;
  }
  noteSpawn(*this, GW.Spawn, /*AtWarning=*/Direct, *Analysis);
  diag(Shown->At->getBeginLoc(), "the detached thread writes '%0' here",
       DiagnosticIDs::Note)
      << Object;

  if (JoinOffer.Risk)
    noteJoinRisk(*this, JoinOffer.Risk, GW.Spawn,
                 /*OtherFix=*/PreferCopy && !Copy.Fixes.empty());

  // The other fix, on a note, for editors to offer as an alternative. Batch
  // tools (clang-apply-replacements, --fix-notes) apply a note's fix when the
  // warning has none, so in the default mode the copy is attached only next
  // to a join: a copy changes what the caller sees of the thread's writes.
  if (PreferCopy && !Join.empty()) {
    auto N = diag(GW.Spawn.loc(),
                  "%select{join the thread instead of detaching it|wait for "
                  "the work to finish instead}0",
                  DiagnosticIDs::Note)
             << (GW.Spawn.Kind == SpawnKind::Executor);
    for (const FixItHint &F : Join)
      N << F;
  } else if (!PreferCopy && !Copy.Fixes.empty()) {
    auto N = diag(Copy.Loc,
                  "%select{capture '%0' by copy so that the thread writes its "
                  "own copy|capturing '%0' by copy would let the thread write "
                  "its own copy, but the caller would no longer see what it "
                  "writes (PreferredFix: copy offers it)}1",
                  DiagnosticIDs::Note)
             << Copy.What << Join.empty();
    if (!Join.empty())
      for (const FixItHint &F : Copy.Fixes)
        N << F;
  }
}

} // namespace clang::tidy::defer_race
