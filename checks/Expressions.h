//===--- Expressions.h - Small questions about expressions and calls ------===//
//
// Helpers that every layer uses: strip the wrappers that never change which
// object an expression denotes, climb from a variable reference to the
// access that contains it, walk the calls of a body. They know nothing of
// guards, threads or objects of a frame.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_EXPRESSIONS_H
#define DEFER_RACE_CHECKS_EXPRESSIONS_H

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace clang {
class ParentMap;
class SourceManager;
namespace tidy::defer_race {

/// The definition of FD, if this translation unit has its body.
const FunctionDecl *definitionOf(const FunctionDecl *FD);

/// The body a callable runs: the lambda's, else the definition of Function.
/// Whether E can be called: a function, a function or member function
/// pointer, a lambda, or an object of a class with an operator().
bool hasCallableType(const Expr *E);
bool isCallableType(QualType T);

/// The one operator() with a body of a function object class (not a
/// lambda); null when there is none or several.
const CXXMethodDecl *functionObjectOperator(const CXXRecordDecl *RD);

/// Expressions the source does not spell but the analysis needs to bind a
/// parameter or an object to: `V` and `&V`. They live in V's ASTContext and
/// are never part of the tree.
Expr *referenceTo(const VarDecl *V);
const Expr *addressOf(const VarDecl *V);

/// The object that a member function handed to std::thread, std::bind or an
/// executor runs on, given the argument after the member function pointer:
/// a pointer (IsPointer) or std::ref(obj). Null for an object passed by
/// value, which the callee decay-copies.
const Expr *boundObject(const Expr *Arg, bool &IsPointer);

/// The call operator a lambda runs: for a generic lambda, the first
/// instantiation with a body, else the template's pattern.
const CXXMethodDecl *callOperatorOf(const LambdaExpr *L);

/// The body a lambda or a function runs (see callOperatorOf()).
const Stmt *callableBody(const LambdaExpr *Lambda,
                         const FunctionDecl *Function);

/// The body of the function or lambda that declares V.
const Stmt *owningBody(const VarDecl *V);

/// Whether D is declared in a system header.
bool inSystemHeader(const Decl *D, const SourceManager &SM);

/// Strips what never changes which object an expression denotes: parens,
/// implicit casts, temporaries, full-expression cleanups.
const Expr *ignoreWrappers(const Expr *E);

/// What names the object E denotes, across functions: its variable or
/// member, or the accessor that returns it (QThreadPool::globalInstance()),
/// also through `&`. Null for anything else.
const Decl *namedObject(const Expr *E);

/// The arguments of a call, a construction or an initializer list, as
/// written; empty for anything else.
llvm::ArrayRef<const Expr *> argumentsOf(const Expr *E);

/// Whether A and B are the same expression once wrappers are stripped.
bool sameExpr(const Expr *A, const Expr *B);

/// std::ref(x), std::cref(x), std::move(x), std::forward<T>(x),
/// std::as_const(x): returns x. Otherwise null.
const Expr *transparentCallArgument(const Expr *E);

/// Whether E is std::ref(x) or std::cref(x) (or Boost's).
bool isReferenceWrapperCall(const Expr *E);

/// Whether E is an explicit cast to a pointer type.
bool isPointerCast(const Expr *E);

/// Climbs from a leaf (a variable reference or `this`) to the largest glvalue
/// that is part of the object it names: res -> res.wreqlog, p -> p->name,
/// sp -> sp->items[0]. When the climb stops at a call of a member function,
/// Getter receives the field a const getter returns (`return field_;`), and
/// ThroughArrow whether it was called through `->`.
const Expr *accessTop(const Expr *Leaf, const ParentMap &PM,
                      const FieldDecl **Getter = nullptr,
                      bool *ThroughArrow = nullptr);

/// The variable reference or `this` at the bottom of an access path:
/// res.log[0] -> res, p->name -> p, this->x -> this. Null if there is none.
const Expr *accessRoot(const Expr *Access);

/// What a statement names and calls, not looking inside nested lambdas or
/// local classes (they run at other times).
struct Leaves {
  /// References to variables, and `this`, in source order.
  llvm::SmallVector<const Expr *, 16> Refs;
  /// Calls, in source order.
  llvm::SmallVector<const CallExpr *, 8> Calls;
};
Leaves collectLeaves(const Stmt *S);

/// The local variable at the root of an access, when a write into it can
/// make it carry data from elsewhere: j["log"], msg.mutable_fields()->at(k).
const VarDecl *carrierLocal(const Expr *E);

/// Every place in Body (not in nested lambdas or classes) where data flows
/// into a local variable: its initializer, `v = x`, `j["k"] = x`,
/// `v.push_back(x)`, `to_json(j, x)`, a range-for over x. Fn gets the local,
/// the source expression and the statement.
using DerivationFn =
    llvm::function_ref<void(const VarDecl *, const Expr *, const Stmt *)>;
void forEachDerivation(const Stmt *Body, DerivationFn Fn);

/// Calls Fn on every call in S, in source order, not looking inside nested
/// lambdas or local classes. Stops early when Fn returns true.
void forEachCall(const Stmt *S, llvm::function_ref<bool(const CallExpr *)> Fn);

/// Calls Fn on S and every statement below it, in source order (pre-order),
/// not entering lambdas, and at most MaxNodes of them. Stops early when Fn
/// returns true.
void forEachStmt(const Stmt *S, unsigned MaxNodes,
                 llvm::function_ref<bool(const Stmt *)> Fn);

/// The position of Child among the statements of Block, if it is one.
std::optional<unsigned> positionIn(const CompoundStmt *Block,
                                   const Stmt *Child);

/// What S is written in, through ASTContext's parent map: the nearest
/// function, lambda (its call operator) or local class above it; null when
/// none is found in 256 steps.
const Decl *enclosingCallable(const Stmt *S, ASTContext &Ctx);

/// The function with a body that Call runs, if it is visible and not in a
/// system header.
const FunctionDecl *userDefinedCallee(const CallExpr *Call,
                                      const SourceManager &SM);

} // namespace tidy::defer_race
} // namespace clang

#endif // DEFER_RACE_CHECKS_EXPRESSIONS_H
