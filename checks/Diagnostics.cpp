//===--- Diagnostics.cpp - Notes that tell the story of a finding ---------===//

#include "Diagnostics.h"
#include "Expressions.h"

#include "clang/AST/DeclCXX.h"
#include "clang/Basic/SourceManager.h"

namespace clang::tidy::defer_race {

std::string ownerName(const FunctionDecl *F) {
  if (!F)
    return "the enclosing function";
  if (const auto *MD = llvm::dyn_cast<CXXMethodDecl>(F)) {
    if (MD->getParent()->isLambda())
      return "the enclosing lambda";
    return "'" + MD->getParent()->getNameAsString() +
           "::" + MD->getNameAsString() + "'";
  }
  return "'" + F->getNameAsString() + "'";
}

void noteGuard(ClangTidyCheck &Check, const GuardCallable &G,
               AnalysisContext &Analysis) {
  const FunctionDecl *Owner = G.owner();
  const auto *Body =
      Owner ? llvm::dyn_cast_or_null<CompoundStmt>(Owner->getBody()) : nullptr;
  SourceLocation End = Analysis.endOfScope(G.Guard);
  bool AtReturn = Body && End.isValid() && End == Body->getRBracLoc();
  Check.diag(G.Loc,
             "scope-exit guard registered here runs %select{at the end of "
             "its block|when %1 returns}0",
             DiagnosticIDs::Note)
      << AtReturn << ownerName(Owner);
}

SourceLocation callBegin(const CallExpr *Call) {
  if (const auto *Op = llvm::dyn_cast<CXXOperatorCallExpr>(Call);
      Op && Op->getOperator() == OO_Call && Op->getNumArgs() > 0)
    return Op->getArg(0)->getBeginLoc();
  return Call->getBeginLoc();
}

DeclarationName calleeName(const CallExpr *Call) {
  const FunctionDecl *FD = Call ? Call->getDirectCallee() : nullptr;
  // A call through an object (a std::function, a function pointer) is named
  // after the variable or member that holds it.
  const Expr *Object = nullptr;
  if (const auto *Op = llvm::dyn_cast_or_null<CXXOperatorCallExpr>(Call);
      Op && Op->getOperator() == OO_Call && Op->getNumArgs() > 0)
    Object = Op->getArg(0);
  else if (Call && !FD)
    Object = Call->getCallee();
  if (const auto *ND = llvm::dyn_cast_or_null<NamedDecl>(namedObject(Object));
      ND && !llvm::isa<FunctionDecl>(ND))
    return ND->getDeclName();
  return FD ? FD->getDeclName() : DeclarationName();
}

void noteCallChain(ClangTidyCheck &Check,
                   llvm::ArrayRef<const CallExpr *> Calls) {
  for (size_t I = 1; I < Calls.size(); ++I)
    Check.diag(callBegin(Calls[I]), "%0 calls %1 here", DiagnosticIDs::Note)
        << calleeName(Calls[I - 1]) << calleeName(Calls[I]);
}

std::string spawnSite(const DetachedSpawn &S) {
  switch (S.Kind) {
  case SpawnKind::Spawner:
    return "'" + S.What + "' runs the callable on another thread here";
  case SpawnKind::Executor:
    return "'" + S.What + "' starts the work on another thread here";
  case SpawnKind::Async:
    return "std::async starts the task here; its future is kept beyond the "
           "guard";
  default:
    return S.What + " detached here";
  }
}

void noteImported(ClangTidyCheck &Check, SourceLocation Loc,
                  const FunctionRecord &From, const PortableWrite &Write) {
  Check.diag(Loc,
             "'%0' (defined in %1) leads to it: %2; the thread writes '%3' at "
             "%4",
             DiagnosticIDs::Note)
      << From.Name << From.File << Write.Spawn << Write.Written << Write.Write;
}

void noteSpawn(ClangTidyCheck &Check, const DetachedSpawn &S, bool AtWarning,
               AnalysisContext &Analysis) {
  const SourceManager &SM = Analysis.ast().getSourceManager();
  if (!AtWarning)
    Check.diag(S.loc(), "%0", DiagnosticIDs::Note) << spawnSite(S);
  if (S.Detach && S.Start &&
      SM.getExpansionLineNumber(S.Start->getBeginLoc()) !=
          SM.getExpansionLineNumber(S.loc()))
    Check.diag(S.Start->getBeginLoc(), "%0 started here", DiagnosticIDs::Note)
        << S.What;
  if (!S.Detach && S.Kind == SpawnKind::BoostThread && S.ThreadVar) {
    SourceLocation End = Analysis.endOfScope(S.ThreadVar);
    if (End.isValid())
      Check.diag(End,
                 "%0 is never joined; its destructor detaches the thread "
                 "here",
                 DiagnosticIDs::Note)
          << S.ThreadVar;
  }
}

void noteJoinRisk(ClangTidyCheck &Check, const JoinRisk &Risk,
                  const DetachedSpawn &S, bool OtherFix) {
  if (!Risk)
    return;
  int Why = 0;
  switch (Risk.Hazard) {
  case JoinHazard::Endless:
    Why = 1;
    break;
  case JoinHazard::Polls:
    Why = 2;
    break;
  case JoinHazard::Waits:
    Why = 3;
    break;
  case JoinHazard::HeldLock:
    Why = Risk.Holder ? 4 : 5;
    break;
  default:
    break;
  }
  SourceLocation Loc = Risk.Where ? Risk.Where->getBeginLoc() : S.loc();
  if (Loc.isInvalid())
    Loc = S.loc();
  Check.diag(Loc,
             "%select{no fix|no join}3: waiting for the %select{thread|work}0 "
             "where the guard "
             "runs could block forever: %select{its code is not in sight|it "
             "loops here without end|it loops here until other code changes "
             "what it reads|it waits here for a signal that other code gives|"
             "it takes a lock here that %2 may still hold when the guard "
             "runs|it takes a lock here that may still be held when the "
             "guard runs}1",
             DiagnosticIDs::Note)
      << (S.Kind == SpawnKind::Executor) << Why << ownerName(Risk.Holder)
      << OtherFix;
}

} // namespace clang::tidy::defer_race
