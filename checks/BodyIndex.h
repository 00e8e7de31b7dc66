//===--- BodyIndex.h - One walk over a function body, many questions -----===//
//
// Many questions the analysis asks are about one variable in one function:
// where its scope ends, where it is named again, which calls mention it,
// which lambdas enclose a lambda, which lock is held before a statement.
// Answered by walking the whole body each time, a function with N guards
// costs N walks of a body of size N: quadratic. A BodyIndex answers them all
// from one walk, made the first time the body is asked about.
//
// Indexes live in a BodyIndexCache that each check owns for one translation
// unit. A check activates its cache while it runs (BodyIndexCache::Scope), so
// that the free functions of the recognisers find it without passing it
// through every call. Outside any scope (no check does that), an index is
// built afresh for each question and kept as long as the thread: correct,
// only slower.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_BODYINDEX_H
#define DEFER_RACE_CHECKS_BODYINDEX_H

#include "Locks.h"

#include "clang/AST/ExprCXX.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/Stmt.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringSet.h"
#include <memory>
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

  ParentMap &parents() const;

  /// The declaration statement of a variable declared in the body.
  const DeclStmt *declStmtOf(const VarDecl *V) const;
  /// Where V's lifetime ends: the closing brace of its block, or the end of
  /// the statement that declares it (for, if, while, switch). Invalid if V is
  /// not declared in the body.
  SourceLocation endOfScope(const VarDecl *V) const;

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

  /// The innermost lock taken in the block CS before its statement Child,
  /// looking only at CS's own statements.
  std::optional<LockState> lockBefore(const CompoundStmt *CS,
                                      const Stmt *Child) const;

private:
  class Builder;
  struct BlockLocks {
    llvm::DenseMap<const Stmt *, unsigned> Position;
    std::vector<LockState> Top; ///< Top[k]: innermost lock before stmt k
  };

  const Stmt *Body;
  llvm::DenseMap<const VarDecl *, const DeclStmt *> Decls;
  llvm::DenseMap<const Decl *, llvm::SmallVector<CallRef, 2>> Calls;
  llvm::DenseMap<std::pair<const Decl *, llvm::StringRef>,
                 llvm::SmallVector<const CXXMemberCallExpr *, 1>>
      MemberCalls;
  llvm::DenseMap<const Decl *, llvm::SmallVector<Use, 2>> Uses;
  llvm::DenseMap<const LambdaExpr *, const LambdaExpr *> Lambdas;
  mutable std::unique_ptr<ParentMap> Parents;
  mutable std::optional<llvm::StringSet<>> Names;
  mutable llvm::DenseMap<const CompoundStmt *, std::unique_ptr<BlockLocks>>
      Locks;
};

/// The indexes of one translation unit, one per body asked about.
class BodyIndexCache {
public:
  const BodyIndex &get(const Stmt *Body);
  void clear() { Indexes.clear(); }

  /// Makes a cache the one bodyIndex() uses on this thread while it lives.
  class Scope {
  public:
    explicit Scope(BodyIndexCache &C);
    ~Scope();
    Scope(const Scope &) = delete;
    Scope &operator=(const Scope &) = delete;

  private:
    BodyIndexCache *Previous;
  };

private:
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyIndex>> Indexes;
};

/// The index of Body, from the active cache. A null Body has an empty index.
const BodyIndex &bodyIndex(const Stmt *Body);

/// Where the lifetime of the automatic variable V ends: the closing brace of
/// its block (of the function body, for a parameter). Invalid when unknown.
SourceLocation endOfScope(const VarDecl *V);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_BODYINDEX_H
