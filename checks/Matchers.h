//===--- Matchers.h - The small matchers the checks are built from --------===//

#ifndef DEFER_RACE_CHECKS_MATCHERS_H
#define DEFER_RACE_CHECKS_MATCHERS_H

#include "clang/ASTMatchers/ASTMatchers.h"

namespace clang::tidy::defer_race {

/// A local variable of class type in user code: a scope-exit guard candidate,
/// or a boost::thread whose destructor may detach it.
inline auto localClassVariable() {
  using namespace ast_matchers;
  return varDecl(hasLocalStorage(), unless(parmVarDecl()),
                 unless(isExpansionInSystemHeader()),
                 anyOf(hasType(hasUnqualifiedDesugaredType(recordType())),
                       hasAttr(attr::Cleanup)));
}

/// `g = [&] {...}`: a callable assigned to a local after its declaration;
/// the guard recogniser decides whether the local is a guard.
inline auto lambdaAssignment() {
  using namespace ast_matchers;
  return cxxOperatorCallExpr(
      hasOverloadedOperatorName("="), unless(isExpansionInSystemHeader()),
      hasArgument(0, declRefExpr(to(varDecl(hasLocalStorage())))));
}

/// A function definition in user code, including template instantiations
/// but not lambda bodies (they are analysed with the function around them).
inline auto userFunctionDefinition() {
  using namespace ast_matchers;
  return functionDecl(isDefinition(), unless(isExpansionInSystemHeader()),
                      unless(isImplicit()),
                      unless(cxxMethodDecl(ofClass(cxxRecordDecl(isLambda())))),
                      hasBody(compoundStmt()));
}

/// A call of a function of user code (not a system header) that passes a
/// callable: a candidate submit to a thread pool of ours (Pools.h).
inline auto callPassingCallable() {
  using namespace ast_matchers;
  return callExpr(
      callee(functionDecl(unless(isExpansionInSystemHeader()))),
      hasAnyArgument(ignoringParenImpCasts(anyOf(
          lambdaExpr(), cxxBindTemporaryExpr(), materializeTemporaryExpr(),
          declRefExpr(to(functionDecl())),
          unaryOperator(hasOperatorName("&"),
                        hasUnaryOperand(declRefExpr(to(functionDecl()))))))));
}

/// The traversal all defer-race matchers use. Template instantiations are
/// where dependent code gets types we can reason about, and temporaries and
/// implicit destructors are where guards and threads live, so the checks
/// match as the AST is, not as it is spelled. Primary templates are
/// visited too, and skipped by the recognisers when their types are
/// dependent.
constexpr TraversalKind Traversal = TK_AsIs;

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_MATCHERS_H
