//===--- AnalysisContext.h - What is known about each function body -------===//
//
// Every question about a body (where a variable's scope ends, which calls
// name it, which lock is held before a statement, is this expression
// written, can this statement run after that one) is answered from one
// BodyContext per body: its index, parent map, lock index, mutation analyzer
// and CFG, each built the first time it is needed and at most once.
//
// Each check owns an AnalysisContext for the translation unit it runs on and
// passes it down explicitly, as upstream's const-correctness check does with
// its analyzers: there is no hidden or thread-local state.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_ANALYSISCONTEXT_H
#define DEFER_RACE_CHECKS_ANALYSISCONTEXT_H

#include "BodyIndex.h"
#include "Locks.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/ParentMap.h"
#include "clang/Analysis/Analyses/ExprMutationAnalyzer.h"
#include "clang/Analysis/CFG.h"
#include "llvm/ADT/DenseMap.h"
#include <memory>
#include <optional>

namespace clang::tidy::defer_race {

class PoolIndex;

/// One function or lambda body, and what has been built for it.
class BodyContext {
public:
  /// An element of the CFG: a block and an index into it.
  using Point = std::pair<const CFGBlock *, unsigned>;

  BodyContext(const Stmt *Body, const Decl *Owner, ASTContext &Ctx);
  ~BodyContext();

  const Stmt *body() const { return Body; }
  const BodyIndex &index();
  ParentMap &parents();
  const LockIndex &locks();
  ExprMutationAnalyzer &mutations();

  /// Where V's lifetime ends: the closing brace of its block, or the end of
  /// the statement that declares it (for, if, while, switch). Invalid if V is
  /// not declared in the body.
  SourceLocation endOfScope(const VarDecl *V);

  /// The body's CFG, with implicit destructors and every statement as an
  /// element. Null when it cannot be built.
  const CFG *cfg();
  /// The element of S, or of its nearest ancestor that is one.
  std::optional<Point> locate(const Stmt *S);
  /// Where the automatic variable V is destroyed.
  llvm::ArrayRef<Point> destructionsOf(const VarDecl *V);
  /// The element just after the declaration of V (a single-declaration
  /// statement).
  std::optional<Point> afterDeclarationOf(const VarDecl *V);

private:
  friend class AnalysisContext;
  const Stmt *Body;
  const Decl *Owner;
  ASTContext &Ctx;
  std::unique_ptr<BodyIndex> Index;
  std::unique_ptr<ParentMap> Parents;
  std::unique_ptr<LockIndex> Locks;
  std::unique_ptr<ExprMutationAnalyzer> Mutations;
  std::unique_ptr<CFG> Cfg;
  bool CfgTried = false;
  llvm::DenseMap<const Stmt *, Point> Where;
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<Point, 2>> Destructions;
  llvm::DenseMap<const VarDecl *, Point> DeclaredAt;
};

/// A call and the function whose body makes it.
struct CallSite {
  const CallExpr *Call = nullptr;
  const FunctionDecl *Caller = nullptr;
};

/// A construction and the function whose body makes it.
struct ConstructionSite {
  const CXXConstructExpr *Construct = nullptr;
  const FunctionDecl *Caller = nullptr;
};

/// A value stored into a member of a class of ours: an element of an
/// aggregate initialisation, the right side of an assignment, or a
/// constructor's member initializer, and the function that stores it (null
/// for a global's initializer).
struct FieldStore {
  const Expr *Value = nullptr;
  const FunctionDecl *Caller = nullptr;
};

/// The body contexts of one translation unit.
class AnalysisContext {
public:
  explicit AnalysisContext(ASTContext &Ctx);
  ~AnalysisContext();

  ASTContext &ast() const { return Ctx; }

  /// The context of Body. Owner is the function (or lambda call operator)
  /// whose body it is; it matters for the CFG of constructors and
  /// destructors. A null Body has an empty context.
  BodyContext &body(const Stmt *Body, const Decl *Owner = nullptr);

  /// Where the lifetime of the automatic variable V ends: the closing brace
  /// of its block (of the function body, for a parameter). Invalid when
  /// unknown.
  SourceLocation endOfScope(const VarDecl *V);

  /// The calls to F made in the translation unit's own code (not system
  /// headers), with the function making each. The index of every call is
  /// built once, the first time it is asked for.
  llvm::ArrayRef<CallSite> callersOf(const FunctionDecl *F);
  /// The constructions by CD in the translation unit's own code (same
  /// index).
  llvm::ArrayRef<ConstructionSite>
  constructionsOf(const CXXConstructorDecl *CD);
  /// The calls to std::make_unique<RD> and std::make_shared<RD> in the
  /// translation unit's own code (same index).
  llvm::ArrayRef<CallSite> factoryCallsOf(const CXXRecordDecl *RD);
  /// What the translation unit's own code stores into Field, a member that
  /// holds a callable (a std::function, a function pointer), not counting
  /// its default member initializer (same index).
  llvm::ArrayRef<FieldStore> storesInto(const FieldDecl *Field);

  /// Every call and construction of the translation unit's own code, by what it
  /// names (built by calls()).
  struct CallIndex {
    llvm::DenseMap<const FunctionDecl *, llvm::SmallVector<CallSite, 2>> Calls;
    llvm::DenseMap<const CXXConstructorDecl *,
                   llvm::SmallVector<ConstructionSite, 2>>
        Constructions;
    llvm::DenseMap<const CXXRecordDecl *, llvm::SmallVector<CallSite, 2>>
        Factories;
    llvm::DenseMap<const FieldDecl *, llvm::SmallVector<FieldStore, 1>> Stores;
  };

  /// The index itself, built the first time it is asked for.
  const CallIndex &calls();

  /// The home-made thread pools of the translation unit (Pools.h).
  PoolIndex &pools();

private:
  ASTContext &Ctx;
  llvm::DenseMap<const Stmt *, std::unique_ptr<BodyContext>> Bodies;

  std::unique_ptr<CallIndex> Callers;
  std::unique_ptr<PoolIndex> Pools;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_ANALYSISCONTEXT_H
