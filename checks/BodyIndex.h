//===--- BodyIndex.h - One walk over a function body, many questions -----===//
//
// Many questions the analysis asks are about one variable in one function:
// where it is declared, where it is named again, which calls mention it,
// which lambdas enclose a lambda. Answered by walking the whole body each
// time, a function with N guards costs N walks of a body of size N:
// quadratic. A BodyIndex answers them all from one walk. It is one part of
// the body's BodyContext (AnalysisContext.h), built the first time the body
// is asked about.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_BODYINDEX_H
#define DEFER_RACE_CHECKS_BODYINDEX_H

#include "clang/AST/ExprCXX.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include <optional>

namespace clang::tidy::defer_race {

class BodyIndex {
public:
  explicit BodyIndex(const Stmt *Body);

  /// A call in the body that names a declaration as its object or as an
  /// argument (x.f(), f(x), f(&x), f(std::move(x))).
  struct CallRef {
    const CallExpr *Call;
    /// Not inside a nested lambda or local class: runs as part of the body.
    bool Direct;
  };
  /// A reference to a declaration, and the innermost lambda of the body
  /// around it (null when none).
  struct Use {
    const DeclRefExpr *Ref;
    const LambdaExpr *InLambda;
  };

  /// The declaration statement of a variable declared in the body.
  const DeclStmt *declStmtOf(const VarDecl *V) const;

  /// Calls naming D, in source order (nested lambdas and classes included,
  /// marked not Direct).
  llvm::ArrayRef<CallRef> callsMentioning(const Decl *D) const;
  /// Direct member calls named Method whose object is rooted at D, looking
  /// through accessors: d.get_future().wait() is a "wait" call on d.
  llvm::ArrayRef<const CXXMemberCallExpr *>
  memberCallsOn(const Decl *D, llvm::StringRef Method) const;

  /// References to D, in source order.
  llvm::ArrayRef<Use> usesOf(const Decl *D) const;
  /// Whether L is a lambda written in the body.
  bool contains(const LambdaExpr *L) const;
  /// The lambda of the body directly enclosing L, or null.
  const LambdaExpr *enclosingLambda(const LambdaExpr *L) const;

  /// Whether the body declares or names something called Name.
  bool namesAnything(llvm::StringRef Name) const;

private:
  class Builder;

  const Stmt *Body;
  llvm::DenseMap<const VarDecl *, const DeclStmt *> Decls;
  llvm::DenseMap<const Decl *, llvm::SmallVector<CallRef, 2>> Calls;
  llvm::DenseMap<std::pair<const Decl *, llvm::StringRef>,
                 llvm::SmallVector<const CXXMemberCallExpr *, 1>>
      MemberCalls;
  llvm::DenseMap<const Decl *, llvm::SmallVector<Use, 2>> Uses;
  llvm::DenseMap<const LambdaExpr *, const LambdaExpr *> Lambdas;
  mutable std::optional<llvm::StringSet<>> Names;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_BODYINDEX_H
