//===--- SerializeSharedCheck.cpp - defer-race-serialize-shared -----------===//

#include "SerializeSharedCheck.h"
#include "Diagnostics.h"
#include "FixIts.h"
#include "Matchers.h"
#include "Suppressions.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::defer_race {

static constexpr char Function[] = "function";

SerializeSharedCheck::SerializeSharedCheck(llvm::StringRef Name,
                                           ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Common(*this, Options),
      SerializerFunctions(splitList(
          std::string(Options.getLocalOrGlobal("SerializerFunctions", "")))),
      Guards(Common.ScopeGuards),
      Spawns(Common.DetachedSpawners, Common.ConcurrentExecutors),
      Serializers(SerializerFunctions),
      JoinOnNote(!Context->isCheckEnabled(DetachedMutationName)) {}

void SerializeSharedCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Common.store(Options, Opts);
  Options.store(Opts, "SerializerFunctions", joinList(SerializerFunctions));
}

void SerializeSharedCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(
      traverse(Traversal, userFunctionDefinition().bind(Function)), this);
}

void SerializeSharedCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *F = Result.Nodes.getNodeAs<FunctionDecl>(Function);
  if (!F || F->isDependentContext())
    return;
  if (!Facts) {
    Analysis = std::make_unique<AnalysisContext>(*Result.Context);
    Facts = std::make_unique<DetachedWriterFacts>(
        Guards, Spawns, *Analysis,
        Common.importsSummaries() ? Common.SummaryDirectory : std::string());
    Finder = std::make_unique<ConcurrentReadFinder>(*Facts, Serializers);
  }
  if (Common.exportsSummaries()) {
    FunctionRecord R = Facts->record(F);
    if (!R.USR.empty() && (!R.Leaves.empty() || !R.Spawns.empty() ||
                           !R.Calls.empty() || R.RunsDetached))
      Exported.push_back(std::move(R));
  }
  llvm::SmallVector<Conflict, 2> Conflicts;
  Finder->conflictsIn(F, Conflicts);
  for (const Conflict &C : Conflicts)
    report(C);
}

void SerializeSharedCheck::onEndOfTranslationUnit() {
  if (Common.exportsSummaries()) {
    // Written even when empty: it replaces what an older run of this
    // translation unit exported.
    std::string Error;
    if (!SummaryStore::write(Common.SummaryDirectory, getCurrentMainFile(),
                             Exported, Error))
      llvm::errs() << "defer-race: error: " << Error << "\n";
  }
  Exported.clear();
  Finder.reset();
  Facts.reset();
  Analysis.reset();
}

void SerializeSharedCheck::report(const Conflict &C) {
  const WriterStart &W = *C.W;
  const std::string Read = C.R.Object.describe();
  const std::string Written = W.Target.describe();
  diag(C.Serializer.loc(),
       "serializing '%0' while a detached thread may still be writing "
       "%select{'%2'|it}1")
      << Read << (Read == Written) << Written;
  bool SnapshotOffered = false;
  {
    bool Stale = false;
    FixIts Snapshot = snapshotFix(C, *Analysis, Stale);
    SnapshotOffered = !Snapshot.empty();
    auto N = diag(C.R.Access->getBeginLoc(),
                  "'%0' is read here%select{|; serializing a snapshot taken "
                  "before the call instead removes the race|; no snapshot "
                  "fix: %2 may write it before it returns}1",
                  DiagnosticIDs::Note)
             << Read << (Snapshot.empty() ? (Stale ? 2 : 0) : 1)
             << (W.Call ? calleeName(W.Call) : DeclarationName());
    for (const FixItHint &Fix : Snapshot)
      N << Fix;
  }
  if (W.Call)
    diag(W.Call->getBeginLoc(),
         "after this call to %0, a detached thread may still be writing '%1'",
         DiagnosticIDs::Note)
        << calleeName(W.Call) << Written;
  if (W.OwnGuard)
    noteGuard(*this, *W.OwnGuard, *Analysis);
  else if (W.GuardLoc.isValid() && !W.ImportedWrite)
    diag(W.GuardLoc,
         "the thread is started by the scope-exit guard "
         "registered here",
         DiagnosticIDs::Note);
  if (const GuardWriter *Origin = W.Origin; Origin && Origin->Spawn.Start) {
    JoinFix Join = Origin->Via.empty()
                       ? joinInsteadOfDetach(Origin->Spawn, Origin->Code,
                                             W.Guard, *Analysis)
                       : JoinFix();
    {
      // Emitted before the next note: LLVM 14 cannot have two in flight.
      auto N = diag(Origin->Spawn.loc(),
                    "%0%select{|; joining it instead removes the race|; "
                    "waiting for it instead removes the race}1",
                    DiagnosticIDs::Note)
               << spawnSite(Origin->Spawn)
               << (Join.Fixes.empty()                          ? 0
                   : Origin->Spawn.Kind == SpawnKind::Executor ? 2
                                                               : 1);
      if (JoinOnNote)
        for (const FixItHint &Fix : Join.Fixes)
          N << Fix;
    }
    if (Origin->Via.empty())
      noteJoinRisk(*this, Join.Risk, Origin->Spawn, SnapshotOffered);
  }
  if (W.ImportedWrite) {
    // Known from another translation unit's summary.
    noteImported(*this, W.Call ? W.Call->getBeginLoc() : C.Serializer.loc(),
                 *W.ImportedFrom, *W.ImportedWrite);
  } else if (W.WriteAt) {
    diag(W.WriteAt->getBeginLoc(), "the detached thread writes '%0' here",
         DiagnosticIDs::Note)
        << W.WriteDesc;
  }
}

} // namespace clang::tidy::defer_race
