//===--- Paths.cpp - Facts: does a statement run at all? ------------------===//

#include "Paths.h"
#include "Expressions.h"

#include "clang/AST/ExprCXX.h"

namespace clang::tidy::defer_race {

namespace {

// The one parameter of Root that E reads, if E reads nothing else that is
// not a constant.
const ParmVarDecl *soleParameter(const Expr *E, const FunctionDecl *Root,
                                 unsigned Depth = 0) {
  if (!E || Depth > 8 || E->isValueDependent() || E->isTypeDependent())
    return nullptr;
  E = E->IgnoreParenImpCasts();
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E)) {
    const auto *P = llvm::dyn_cast<ParmVarDecl>(DRE->getDecl());
    return P && P->getDeclContext() == Root ? P : nullptr;
  }
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E))
    return UO->getOpcode() == UO_LNot
               ? soleParameter(UO->getSubExpr(), Root, Depth + 1)
               : nullptr;
  if (const auto *BO = llvm::dyn_cast<BinaryOperator>(E)) {
    if (!BO->isEqualityOp())
      return nullptr;
    const ASTContext &Ctx = Root->getASTContext();
    if (BO->getRHS()->isEvaluatable(Ctx))
      return soleParameter(BO->getLHS(), Root, Depth + 1);
    if (BO->getLHS()->isEvaluatable(Ctx))
      return soleParameter(BO->getRHS(), Root, Depth + 1);
  }
  return nullptr;
}

// The value of E when parameter P holds Value; nullopt when it is not a
// constant then.
std::optional<llvm::APSInt> evaluateWith(const Expr *E, const ParmVarDecl *P,
                                         const llvm::APSInt &Value,
                                         const ASTContext &Ctx,
                                         unsigned Depth = 0) {
  if (!E || Depth > 8 || E->isValueDependent() || E->isTypeDependent())
    return std::nullopt;
  E = E->IgnoreParenImpCasts();
  if (const auto *DRE = llvm::dyn_cast<DeclRefExpr>(E);
      DRE && DRE->getDecl() == P)
    return Value;
  if (const auto *UO = llvm::dyn_cast<UnaryOperator>(E);
      UO && UO->getOpcode() == UO_LNot) {
    std::optional<llvm::APSInt> V =
        evaluateWith(UO->getSubExpr(), P, Value, Ctx, Depth + 1);
    if (!V)
      return std::nullopt;
    return llvm::APSInt::get(V->isZero() ? 1 : 0);
  }
  if (const auto *BO = llvm::dyn_cast<BinaryOperator>(E);
      BO && BO->isEqualityOp()) {
    std::optional<llvm::APSInt> L =
        evaluateWith(BO->getLHS(), P, Value, Ctx, Depth + 1);
    std::optional<llvm::APSInt> R =
        evaluateWith(BO->getRHS(), P, Value, Ctx, Depth + 1);
    if (!L || !R)
      return std::nullopt;
    bool Equal = llvm::APSInt::isSameValue(*L, *R);
    return llvm::APSInt::get((BO->getOpcode() == BO_EQ) == Equal ? 1 : 0);
  }
  Expr::EvalResult Result;
  if (E->EvaluateAsInt(Result, Ctx))
    return Result.Val.getInt();
  return std::nullopt;
}

// Whether the branch is ruled out when P holds Value. Unknown is no.
bool rulesOut(const BranchCondition &C, const llvm::APSInt &Value,
              const ASTContext &Ctx) {
  std::optional<llvm::APSInt> V = evaluateWith(C.Cond, C.Param, Value, Ctx);
  if (!V)
    return false;
  if (!C.Case)
    return V->isZero() == C.NeedTrue;
  Expr::EvalResult Label;
  if (!C.Case->getLHS() || C.Case->getRHS() ||
      C.Case->getLHS()->isValueDependent() ||
      !C.Case->getLHS()->EvaluateAsInt(Label, Ctx))
    return false;
  return !llvm::APSInt::isSameValue(*V, Label.Val.getInt());
}

} // namespace

bool reachable(const Stmt *S, const Stmt *Body, const FunctionDecl *Root,
               AnalysisContext &Analysis,
               llvm::SmallVectorImpl<BranchCondition> &Out) {
  if (!S || !Body)
    return true;
  const ASTContext &Ctx = Analysis.ast();
  const ParentMap &PM = Analysis.body(Body).parents();
  const Stmt *Child = S;
  for (const Stmt *P = PM.getParent(S); P; Child = P, P = PM.getParent(P)) {
    if (const auto *If = llvm::dyn_cast<IfStmt>(P)) {
      if (Child != If->getThen() && Child != If->getElse())
        continue;
      BranchCondition C;
      C.Cond = If->getCond();
      C.NeedTrue = Child == If->getThen();
      bool Value = false;
      if (!If->getConditionVariable() && C.Cond &&
          !C.Cond->isValueDependent() &&
          C.Cond->EvaluateAsBooleanCondition(Value, Ctx)) {
        if (Value != C.NeedTrue)
          return false; // the branch is never taken
        continue;
      }
      C.Param = Root ? soleParameter(C.Cond, Root) : nullptr;
      if (C.Param)
        Out.push_back(C);
    } else if (const auto *Case = llvm::dyn_cast<CaseStmt>(P)) {
      // The case label S is under, in the switch around it.
      for (const Stmt *Q = PM.getParent(Case); Q; Q = PM.getParent(Q))
        if (const auto *Switch = llvm::dyn_cast<SwitchStmt>(Q)) {
          BranchCondition C;
          C.Cond = Switch->getCond();
          C.Case = Case;
          C.Param = Root && !Switch->getConditionVariable()
                        ? soleParameter(C.Cond, Root)
                        : nullptr;
          if (C.Param)
            Out.push_back(C);
          break;
        }
    }
    if (P == Body)
      break;
  }
  return true;
}

bool everyCallRulesOut(const FunctionDecl *F,
                       llvm::ArrayRef<BranchCondition> Conditions,
                       AnalysisContext &Analysis) {
  llvm::ArrayRef<CallSite> Sites = Analysis.callersOf(F);
  if (Conditions.empty() || Sites.empty())
    return false;
  const ASTContext &Ctx = Analysis.ast();
  for (const CallSite &Site : Sites) {
    bool RuledOut = false;
    for (const BranchCondition &C : Conditions) {
      unsigned Index = C.Param->getFunctionScopeIndex();
      if (const auto *OC = llvm::dyn_cast<CXXOperatorCallExpr>(Site.Call);
          OC && llvm::isa_and_nonnull<CXXMethodDecl>(OC->getDirectCallee()))
        ++Index;
      if (Index >= Site.Call->getNumArgs())
        continue;
      // A default argument is evaluated like any other.
      const Expr *ArgExpr = Site.Call->getArg(Index);
      Expr::EvalResult Arg;
      if (!ArgExpr->isValueDependent() && !ArgExpr->isTypeDependent() &&
          ArgExpr->EvaluateAsInt(Arg, Ctx) &&
          rulesOut(C, Arg.Val.getInt(), Ctx)) {
        RuledOut = true;
        break;
      }
    }
    if (!RuledOut)
      return false;
  }
  return true;
}

} // namespace clang::tidy::defer_race
