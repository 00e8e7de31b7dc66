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
                 hasType(hasUnqualifiedDesugaredType(recordType())));
}

/// `g = [&] {...}`: a callable assigned to a guard after its declaration.
inline auto lambdaAssignment() {
  using namespace ast_matchers;
  return cxxOperatorCallExpr(hasOverloadedOperatorName("="),
                             unless(isExpansionInSystemHeader()),
                             hasArgument(1, lambdaExpr()));
}

/// A call in user code; the recognisers decide what it is.
inline auto userCall() {
  using namespace ast_matchers;
  return callExpr(unless(isExpansionInSystemHeader()));
}

/// A function definition in user code.
inline auto userFunctionDefinition() {
  using namespace ast_matchers;
  return functionDecl(isDefinition(), unless(isExpansionInSystemHeader()),
                      hasBody(compoundStmt()));
}

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_MATCHERS_H
