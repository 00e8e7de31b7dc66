//===--- Paths.h - Facts: does a statement run at all? --------------------===//
//
// A spawn that sits in a branch that cannot be taken does not happen: the
// discarded branch of `if constexpr`, a branch behind a condition the
// compiler can evaluate (`if (kDetach)` with a constexpr false), or a branch
// that depends on a parameter of the function (`if (async)`, `switch
// (mode)`) when every call in the translation unit passes a constant that
// rules it out (`annotate(r, /*async=*/false)`, a default argument included).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_PATHS_H
#define DEFER_RACE_CHECKS_PATHS_H

#include "AnalysisContext.h"

#include "clang/AST/Stmt.h"
#include "llvm/ADT/SmallVector.h"

namespace clang::tidy::defer_race {

/// A branch S must take to run: the condition of an if (or the case of a
/// switch) around it, and the outcome needed.
struct BranchCondition {
  const Expr *Cond = nullptr;         ///< an if's condition, or a switch's
  bool NeedTrue = true;               ///< if: the branch S is in
  const CaseStmt *Case = nullptr;     ///< switch: the case S is under
  const ParmVarDecl *Param = nullptr; ///< the parameter it depends on
};

/// The conditions on the way from Body down to S, inside Body only. Returns
/// false when one of them is a constant that rules S out: S never runs.
/// Conditions that depend on one parameter of Root are added to Out.
bool reachable(const Stmt *S, const Stmt *Body, const FunctionDecl *Root,
               AnalysisContext &Analysis,
               llvm::SmallVectorImpl<BranchCondition> &Out);

/// Whether every call of F in the translation unit passes, for the
/// parameter of each condition, a constant that rules the branch out. False
/// when F has no caller here: it may be called with anything.
bool everyCallRulesOut(const FunctionDecl *F,
                       llvm::ArrayRef<BranchCondition> Conditions,
                       AnalysisContext &Analysis);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_PATHS_H
