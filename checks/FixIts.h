//===--- FixIts.h - Rewrites offered by the checks ------------------------===//
//
// Each function returns an empty list when its rewrite would not be safe:
// inside a macro expansion, on a type that cannot be copied, on a thread that
// never finishes. An empty list means "offer no fix", never a partial one.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_FIXITS_H
#define DEFER_RACE_CHECKS_FIXITS_H

#include "AnalysisContext.h"
#include "ConcurrentReads.h"
#include "DanglingCaptures.h"
#include "JoinHazards.h"
#include "Spawns.h"
#include "Writes.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/LangOptions.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::defer_race {

using FixIts = llvm::SmallVector<FixItHint, 4>;

/// A join offered for a detached thread, or why none is.
struct JoinFix {
  FixIts Fixes;
  /// Set when joining could block forever (joinRisk()): Fixes is empty.
  JoinRisk Risk;
};

/// `.detach()` becomes `.join()`; `pthread_detach(t)` becomes
/// `pthread_join(t, nullptr)`; executor work waits for a future. Only when
/// waiting for the thread, which runs Code, where the guard Guard runs
/// cannot block forever (joinRisk()).
JoinFix joinInsteadOfDetach(const DetachedSpawn &S, const Stmt *Code,
                            const VarDecl *Guard, AnalysisContext &Analysis);

/// One capture to turn from by-reference into by-copy (or by-move).
struct CaptureChange {
  const VarDecl *Var = nullptr; ///< null for `this`
  bool Move = false;            ///< `v = std::move(v)` instead of `v`
};

/// Rewrites L's captures as asked, and makes L mutable when Mutable is set
/// and it is not already.
FixIts captureByCopy(const LambdaExpr *L, llvm::ArrayRef<CaptureChange> Changes,
                     bool Mutable, ASTContext &Ctx);

/// Declares `const auto <V>_snapshot = V;` just before the statement that
/// holds Anchor, and makes each of Uses (references to V after it, in the
/// same block) name the snapshot instead. Empty unless V is a variable of a
/// copyable type and every use is in scope of the new declaration.
FixIts snapshotBefore(const Stmt *Anchor, const VarDecl *V,
                      llvm::ArrayRef<const DeclRefExpr *> Uses,
                      const Stmt *FunctionBody, AnalysisContext &Analysis);

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

/// For a dangling capture: capture the variable by copy (by move when it is
/// not used again and the spawn is not in a loop), or pass it instead of
/// std::ref(v) when the callable does not want a non-const reference.
FixIts danglingCaptureFix(const DetachedSpawn &S, const DanglingCapture &D,
                          AnalysisContext &Analysis);

/// Serialize a copy taken just before the call that leaves the writer: when
/// the writer starts at a call in the function's body and every read of the
/// same variable by this serializer follows it in the same block.
/// Empty, with StaleSnapshot set, when the callee may write the object
/// before it returns: a snapshot taken before the call would lose it.
FixIts snapshotFix(const Conflict &C, AnalysisContext &Analysis,
                   bool &StaleSnapshot);

/// Whether a value of type T can be copied (moved) into a lambda capture.
bool isCopyConstructible(QualType T);
bool isMoveConstructible(QualType T);

/// Whether any location of R comes from a macro expansion.
bool inMacro(SourceRange R);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_FIXITS_H
