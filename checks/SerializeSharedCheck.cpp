//===--- SerializeSharedCheck.cpp - defer-race-serialize-shared -----------===//

#include "SerializeSharedCheck.h"
#include "Diagnostics.h"
#include "FixIts.h"
#include "Matchers.h"

#include "clang/ASTMatchers/ASTMatchFinder.h"

using namespace clang::ast_matchers;

namespace clang::tidy::defer_race {

static constexpr char Function[] = "function";

SerializeSharedCheck::SerializeSharedCheck(llvm::StringRef Name,
                                           ClangTidyContext *Context)
    : ClangTidyCheck(Name, Context), Common(Options),
      SerializerFunctions(
          splitList(std::string(Options.get("SerializerFunctions", "")))),
      Guards(Common.ScopeGuards), Spawns(Common.DetachedSpawners, Common.ConcurrentExecutors),
      Serializers(SerializerFunctions) {}

void SerializeSharedCheck::storeOptions(ClangTidyOptions::OptionMap &Opts) {
  Common.store(Options, Opts);
  Options.store(Opts, "SerializerFunctions", joinList(SerializerFunctions));
}

void SerializeSharedCheck::registerMatchers(MatchFinder *Finder) {
  Finder->addMatcher(traverse(Traversal,
                              userFunctionDefinition().bind(Function)),
                     this);
}

void SerializeSharedCheck::check(const MatchFinder::MatchResult &Result) {
  const auto *F = Result.Nodes.getNodeAs<FunctionDecl>(Function);
  if (!F || F->isDependentContext())
    return;
  if (!Facts) {
    Facts = std::make_unique<DetachedWriterFacts>(Guards, Spawns,
                                                  *Result.Context);
    Finder = std::make_unique<ConcurrentReadFinder>(*Facts, Serializers);
  }
  llvm::SmallVector<Conflict, 2> Conflicts;
  Finder->conflictsIn(F, Conflicts);
  for (const Conflict &C : Conflicts)
    report(C, *Result.Context);
}

// Serialize a copy taken just before the call that leaves the writer: when
// the writer starts at a call in the function's body and every read of the
// same variable by this serializer follows it in the same block.
static FixIts snapshotFix(const Conflict &C, ASTContext &Ctx) {
  const WriterStart &W = *C.W;
  const ObjectRef &Root = C.R.Object;
  if (!W.Call || W.Pos.InGuard || !Root.Var || Root.Kind == ObjectRef::This ||
      (!Root.Path.empty() && Root.Path.front() == nullptr))
    return {};
  llvm::SmallVector<const DeclRefExpr *, 4> Uses;
  for (const Read &R : C.Reads) {
    if (!R.Object.sameRoot(Root))
      continue;
    const auto *Use = llvm::dyn_cast_or_null<DeclRefExpr>(accessRoot(R.Access));
    if (R.Pos.InGuard || !Use || Use->getDecl() != Root.Var)
      return {};
    if (!llvm::is_contained(Uses, Use))
      Uses.push_back(Use);
  }
  return snapshotBefore(W.Call, Root.Var, Uses, C.Function->getBody(), Ctx);
}

void SerializeSharedCheck::report(const Conflict &C, ASTContext &Ctx) {
  const WriterStart &W = *C.W;
  const std::string Read = C.R.Object.describe();
  const std::string Written = W.Target.describe();
  diag(C.Serializer.loc(),
       "serializing '%0' while a detached thread may still be writing "
       "%select{'%2'|it}1")
      << Read << (Read == Written) << Written;
  {
    FixIts Snapshot = snapshotFix(C, Ctx);
    auto N = diag(C.R.Access->getBeginLoc(),
                  "'%0' is read here%select{|; serializing a snapshot taken "
                  "before the call instead removes the race}1",
                  DiagnosticIDs::Note)
             << Read << !Snapshot.empty();
    for (const FixItHint &Fix : Snapshot)
      N << Fix;
  }
  if (W.Call)
    diag(W.Call->getBeginLoc(),
         "after this call to %0, a detached thread may still be writing '%1'",
         DiagnosticIDs::Note)
        << W.Call->getDirectCallee() << Written;
  if (W.OwnGuard)
    noteGuard(*this, *W.OwnGuard);
  else if (W.GuardLoc.isValid())
    diag(W.GuardLoc, "the thread is started by the scope-exit guard "
                     "registered here",
         DiagnosticIDs::Note);
  if (const GuardWriter *Origin = W.Origin) {
    FixIts Join = Origin->Via.empty() ? joinInsteadOfDetach(Origin->Spawn, Ctx)
                                      : FixIts();
    auto N = diag(Origin->Spawn.loc(),
                  "%0%select{|; joining it instead removes the race|; waiting "
                  "for it instead removes the race}1",
                  DiagnosticIDs::Note)
             << spawnSite(Origin->Spawn)
             << (Join.empty() ? 0
                 : Origin->Spawn.Kind == SpawnKind::Executor ? 2
                                                             : 1);
    for (const FixItHint &Fix : Join)
      N << Fix;
  }
  if (W.WriteAt)
    diag(W.WriteAt->getBeginLoc(), "the detached thread writes '%0' here",
         DiagnosticIDs::Note)
        << W.WriteDesc;
}

} // namespace clang::tidy::defer_race
