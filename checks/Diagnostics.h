//===--- Diagnostics.h - Notes that tell the story of a finding -----------===//
//
// Every defer-race warning is followed by notes on the same path:
// guard -> (helper calls) -> spawn -> write, and read -> serialize. The
// checks share these helpers so that the story reads the same everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_DIAGNOSTICS_H
#define DEFER_RACE_CHECKS_DIAGNOSTICS_H

#include "AnalysisContext.h"
#include "JoinHazards.h"
#include "ScopeGuards.h"
#include "Spawns.h"
#include "Summaries.h"

#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::defer_race {

/// How to name a function in a message: "'handle'", "'Server::flush'", or
/// "the enclosing lambda".
std::string ownerName(const FunctionDecl *F);

/// "scope-exit guard registered here runs when 'handle' returns".
void noteGuard(ClangTidyCheck &Check, const GuardCallable &G,
               AnalysisContext &Analysis);

/// Where a call starts, the same on every LLVM version: for a call through
/// an object (f(x) on a std::function or a lambda), where the object is
/// named, not the parenthesis newer versions point at.
SourceLocation callBegin(const CallExpr *Call);

/// "'startWriter' calls 'spawnWriter' here", for each step after the first.
/// The name of the function Call calls, without template arguments (an
/// instantiation's arguments would name lambdas by file and line).
DeclarationName calleeName(const CallExpr *Call);

void noteCallChain(ClangTidyCheck &Check,
                   llvm::ArrayRef<const CallExpr *> Calls);

/// "std::thread detached here", "'boost::asio::post' starts the work on
/// another thread here", ...: what happens at S.loc().
std::string spawnSite(const DetachedSpawn &S);

/// "'spawnWriter' (defined in helper.cpp) leads to it: ...": the spawn and
/// the write of a helper known only from another translation unit's
/// exported summary.
void noteImported(ClangTidyCheck &Check, SourceLocation Loc,
                  const FunctionRecord &From, const PortableWrite &Write);

/// Where the thread starts and where it is detached, when the warning does
/// not already point there.
void noteSpawn(ClangTidyCheck &Check, const DetachedSpawn &S, bool AtWarning,
               AnalysisContext &Analysis);

/// Why no join is offered: "no fix: waiting for the thread where the guard
/// runs could block forever: it waits here for a signal ...", at the hazard
/// (or at the spawn when its code is not in sight). "no join" instead of "no
/// fix" when the finding carries another fix (OtherFix).
void noteJoinRisk(ClangTidyCheck &Check, const JoinRisk &Risk,
                  const DetachedSpawn &S, bool OtherFix);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DIAGNOSTICS_H
