//===--- Diagnostics.h - Notes that tell the story of a finding -----------===//
//
// Every defer-race warning is followed by notes on the same path:
// guard -> (helper calls) -> spawn -> write, and read -> serialize. The
// checks share these helpers so that the story reads the same everywhere.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_DIAGNOSTICS_H
#define DEFER_RACE_CHECKS_DIAGNOSTICS_H

#include "FixIts.h"
#include "ScopeGuards.h"
#include "Spawns.h"
#include "Writes.h"

#include "clang-tidy/ClangTidyCheck.h"

namespace clang::tidy::defer_race {

/// How to name a function in a message: "'handle'", "'Server::flush'", or
/// "the enclosing lambda".
std::string ownerName(const FunctionDecl *F);

/// "scope-exit guard registered here runs when 'handle' returns".
void noteGuard(ClangTidyCheck &Check, const GuardCallable &G,
               AnalysisContext &Analysis);

/// "'startWriter' calls 'spawnWriter' here", for each step after the first.
void noteCallChain(ClangTidyCheck &Check,
                   llvm::ArrayRef<const CallExpr *> Calls);

/// "std::thread detached here", "'boost::asio::post' starts the work on
/// another thread here", ...: what happens at S.loc().
std::string spawnSite(const DetachedSpawn &S);

/// Where the thread starts and where it is detached, when the warning does
/// not already point there.
void noteSpawn(ClangTidyCheck &Check, const DetachedSpawn &S, bool AtWarning,
               AnalysisContext &Analysis);

/// The copy-capture alternative for a thread lambda that writes through
/// by-reference captures.
struct CopyFix {
  FixIts Fixes;
  SourceLocation Loc; ///< the first capture to change
  std::string What;   ///< "res", "res, log", "this"
};

/// Captures everything the writes go through by copy, and makes the lambda
/// mutable. Empty when any write does not go through a by-reference capture
/// of L itself, or a captured type cannot be copied.
CopyFix copyCapturesFix(const LambdaExpr *L, llvm::ArrayRef<Write> Writes,
                        ASTContext &Ctx);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DIAGNOSTICS_H
