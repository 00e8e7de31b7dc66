//===--- ScopeGuards.h - Is this a scope-exit guard, and what does it run? ===//
//
// Recognises local variables whose destruction runs user code:
//   absl::Cleanup, gsl::final_action (gsl::finally), llvm::scope_exit
//   (llvm::make_scope_exit), folly's SCOPE_EXIT/SCOPE_FAIL/SCOPE_SUCCESS and
//   makeGuard, std::experimental::scope_exit, Boost.Scope's scope_exit and
//   BOOST_SCOPE_DEFER, BOOST_SCOPE_EXIT in both modes, Qt's qScopeGuard,
//   home-made guards (a class whose destructor calls a callable it stores,
//   itself or through a member object), smart pointers whose deleter is
//   ours (std::shared_ptr<void>(p, d), std::unique_ptr<T, D>),
//   __attribute__((cleanup(fn))), and names added with the ScopeGuards
//   option (classes or factories). A local whose destructor itself spawns
//   is a guard too; DetachedWriterFacts::guardOf() knows it, since it needs
//   to know what reaches a spawn.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SCOPEGUARDS_H
#define DEFER_RACE_CHECKS_SCOPEGUARDS_H

#include "AnalysisContext.h"
#include "Names.h"

#include "clang/AST/DeclCXX.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// What a guard runs when its scope ends.
struct GuardCallable {
  const VarDecl *Guard = nullptr;         ///< the guard variable
  const LambdaExpr *Lambda = nullptr;     ///< the callable, when a lambda
  const FunctionDecl *Function = nullptr; ///< the callable, when a function
  /// For a function callable: its arguments, as expressions of the function
  /// that declares the guard (BOOST_SCOPE_EXIT's captures, a smart pointer's
  /// pointer for its deleter, &variable for a cleanup attribute).
  llvm::SmallVector<const Expr *, 4> BoundArgs;
  /// The object a member function callable runs on (a destructor's object),
  /// as an expression of the function that declares the guard.
  const Expr *Object = nullptr;
  /// The callable as written, when it is neither a lambda nor a function in
  /// sight here (a std::function variable, a factory's result, a function
  /// object): the analysis follows it through frames (callableFrame()).
  const Expr *Written = nullptr;
  /// Written is a call that makes the guard object itself (auto g =
  /// makeGuard(res)): what runs is the callable of the guard it returns
  /// (guardObjectFrame()).
  bool MadeByCall = false;
  /// Where the guard is registered, as the user wrote it.
  SourceLocation Loc;

  const Stmt *body() const;
  /// The function (or lambda call operator) that declares the guard.
  const FunctionDecl *owner() const;
};

class ScopeGuardRecogniser {
public:
  /// Extra names: classes whose objects are guards, or factory functions
  /// whose result is one.
  explicit ScopeGuardRecogniser(std::vector<std::string> ExtraNames = {});

  /// The guards every build knows. The ScopeGuards option adds to these.
  static const std::vector<std::string> &builtinNames();

  /// Whether objects of type T run a callable when destroyed.
  bool isGuardType(QualType T) const;

  /// If V is a local scope-exit guard, what it runs.
  std::optional<GuardCallable> guardOf(const VarDecl *V) const;

  /// `g = [&] {...};` on a guard declared without a callable, as in
  /// BOOST_SCOPE_EXIT_ALL or a home-made guard holding a std::function.
  std::optional<GuardCallable>
  guardOfAssignment(const CXXOperatorCallExpr *Assign) const;

  /// Every guard registered directly in Body (not in nested lambdas).
  void guardsIn(const Stmt *Body,
                llvm::SmallVectorImpl<GuardCallable> &Out) const;

  /// Whether the guard is dismissed (release(), dismiss(), Cancel()) on every
  /// path from its declaration to the end of its scope, so it never runs.
  bool isDismissedOnEveryPath(const GuardCallable &G,
                              AnalysisContext &Analysis) const;

private:
  enum class DtorKind { None, StoredCallable, StaticBody };
  struct DtorInfo {
    DtorKind Kind = DtorKind::None;
    const CallExpr *BodyCall = nullptr; // StaticBody: the call in ~T()
  };
  const DtorInfo &destructorOf(const CXXRecordDecl *RD) const;
  std::optional<GuardCallable> smartPointerGuard(const VarDecl *V) const;
  std::optional<GuardCallable> guardMadeByCall(const VarDecl *V,
                                               bool GuardType) const;
  std::optional<GuardCallable> cleanupGuard(const VarDecl *V) const;
  std::optional<GuardCallable> staticBodyGuard(const VarDecl *V,
                                               const CallExpr *BodyCall) const;
  bool isFactoryCall(const Expr *Init) const;

  NameList Names;
  mutable llvm::DenseMap<const CXXRecordDecl *, DtorInfo> Destructors;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SCOPEGUARDS_H
