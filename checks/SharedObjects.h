//===--- SharedObjects.h - Which object does an expression denote? --------===//
//
// The facts every check needs are about objects, not expressions: "the thread
// writes res.wreqlog", where res is the first parameter of handle(). This file
// turns expressions inside nested callables (a thread lambda inside a
// scope-exit lambda inside handle(), or a start routine reached through
// pthread_create) into such objects, and finds what a callable writes and
// under which lock.
//
// A Frame is one callable activation: a lambda, or a function whose arguments
// are known expressions of its parent frame. The root frame is the function
// that owns the objects we talk about (the function declaring the guard, or
// the function calling a serializer).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SHAREDOBJECTS_H
#define DEFER_RACE_CHECKS_SHAREDOBJECTS_H

#include "BodyIndex.h"
#include "Names.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>
#include <string>

namespace clang {
class ParentMap;
namespace tidy::defer_race {

/// An object reachable from the root frame: a root and a path of fields and
/// dereferences below it.
struct ObjectRef {
  enum RootKind {
    Param,  ///< a parameter of the root function (its referent or pointee)
    This,   ///< *this of the root method
    Global, ///< a variable with static storage duration
    Local,  ///< an automatic variable of the root function
  };
  RootKind Kind = Local;
  const VarDecl *Var = nullptr; ///< Param, Global, Local
  unsigned ParamIndex = 0;      ///< Param
  /// Fields below the root; a null entry is a dereference.
  llvm::SmallVector<const FieldDecl *, 2> Path;

  bool sameRoot(const ObjectRef &Other) const;
  /// Equal for two objects exactly when sameRoot() holds: a key to group
  /// objects by root.
  std::pair<const void *, unsigned> rootKey() const;
  /// Same root, and one path is a prefix of the other: writing one may change
  /// what reading the other sees.
  bool overlaps(const ObjectRef &Other) const;
  bool operator==(const ObjectRef &Other) const;
  /// Spelled as the user would: "res.wreqlog", "this->log_", "p->name".
  std::string describe() const;
  /// The root variable alone: "res", "this", "g_cache".
  std::string rootName() const;
};

/// One activation of a callable, and how it sees its parent's objects.
struct Frame {
  const Frame *Parent = nullptr;
  /// The function whose body runs. For a lambda frame, its call operator.
  const FunctionDecl *Function = nullptr;
  /// Set for lambda frames: captures say how parent objects are seen.
  const LambdaExpr *Lambda = nullptr;
  /// Arguments bound to Function's parameters, as expressions of Parent.
  llvm::ArrayRef<const Expr *> Args;
  /// Object bound to `this` for a member function, an expression of Parent.
  const Expr *Object = nullptr;
  bool ObjectIsPointer = false;

  static Frame root(const FunctionDecl *F) {
    Frame Fr;
    Fr.Function = F;
    return Fr;
  }
  static Frame lambda(const Frame &Parent, const LambdaExpr *L) {
    Frame Fr;
    Fr.Parent = &Parent;
    Fr.Lambda = L;
    Fr.Function = L->getCallOperator();
    return Fr;
  }
  const Stmt *body() const;
  bool isRoot() const { return Parent == nullptr; }
  const Frame &rootFrame() const {
    const Frame *F = this;
    while (F->Parent)
      F = F->Parent;
    return *F;
  }
};

/// The definition of FD, if this translation unit has its body.
const FunctionDecl *definitionOf(const FunctionDecl *FD);

/// Whether A and B are the same expression once wrappers are stripped.
bool sameExpr(const Expr *A, const Expr *B);

/// Climbs from a leaf (a variable reference or `this`) to the largest glvalue
/// that is part of the object it names: res -> res.wreqlog, p -> p->name,
/// sp -> sp->items[0]. When the climb stops at a call of a member function,
/// Getter receives the field a const getter returns (`return field_;`), and
/// ThroughArrow whether it was called through `->`.
const Expr *accessTop(const Expr *Leaf, const ParentMap &PM,
                      const FieldDecl **Getter = nullptr,
                      bool *ThroughArrow = nullptr);

/// Strips what never changes which object an expression denotes: parens,
/// implicit casts, temporaries, full-expression cleanups.
const Expr *ignoreWrappers(const Expr *E);

/// std::ref(x), std::cref(x), std::move(x), std::forward<T>(x),
/// std::as_const(x): returns x. Otherwise null.
const Expr *transparentCallArgument(const Expr *E);

/// Whether objects of this type are pointers for our purposes: raw pointers,
/// std::shared_ptr/unique_ptr, boost::shared_ptr, std::reference_wrapper.
bool isPointerLike(QualType T);

/// std::atomic, std::atomic_flag, std::atomic_ref, boost::atomic.
bool isAtomicType(QualType T);

/// Types that are made to be used from several threads at once: mutexes,
/// condition variables, latches, barriers, semaphores, once_flag, promises.
/// Calling their non-const members is not a data race.
bool isSynchronizationType(QualType T);

/// Resolves expressions to objects of the root frame.
class ObjectResolver {
public:
  /// The object that the glvalue E designates, if it is reachable from the
  /// root frame.
  std::optional<ObjectRef> object(const Expr *E, const Frame &Fr) const;
  /// The object that the pointer-like E points to.
  std::optional<ObjectRef> pointee(const Expr *E, const Frame &Fr) const;

private:
  std::optional<ObjectRef> object(const Expr *E, const Frame &Fr,
                                  unsigned Depth) const;
  std::optional<ObjectRef> pointee(const Expr *E, const Frame &Fr,
                                   unsigned Depth) const;
  std::optional<ObjectRef> variable(const VarDecl *V, const Frame &Fr,
                                    bool Pointee, unsigned Depth) const;
  std::optional<ObjectRef> thisObject(const Frame &Fr, unsigned Depth) const;
};

/// A lock held around a statement.
struct HeldLock {
  const Expr *MutexExpr = nullptr;  ///< the mutex as written
  std::optional<ObjectRef> Mutex;   ///< the mutex, when it is reachable
  const Stmt *Guard = nullptr;      ///< the lock_guard declaration or lock()
};

/// Finds the innermost lock held at S, looking only inside Body: a lock_guard,
/// unique_lock, scoped_lock or similar declared before S in an enclosing
/// block, or a mutex locked and not yet unlocked there.
std::optional<HeldLock> findHeldLock(const Stmt *S, const Stmt *Body,
                                     const Frame &Fr,
                                     const ObjectResolver &R);

/// Updates Held with what the statement S of a block does to locks: a
/// lock_guard-like declaration, a mutex's lock() or unlock().
void scanForLocks(const Stmt *S, llvm::SmallVectorImpl<LockState> &Held);

/// One write made by a callable.
struct Write {
  ObjectRef Target;        ///< relative to the root frame
  const Stmt *At = nullptr;     ///< the mutating statement
  const Expr *Access = nullptr; ///< the accessed glvalue, e.g. res.wreqlog
  std::optional<HeldLock> Lock; ///< lock held while writing
};

/// Finds the writes that a callable running in frame Fr makes to objects of
/// the root frame. Writes to atomics, and passing an object to a function
/// whose body is not visible, do not count. Calls to functions defined in the
/// translation unit are followed up to MaxDepth levels.
void findWrites(const Frame &Fr, ASTContext &Ctx,
                llvm::SmallVectorImpl<Write> &Out, unsigned MaxDepth = 2);

/// The variable reference or `this` at the bottom of an access path:
/// res.log[0] -> res, p->name -> p, this->x -> this. Null if there is none.
const Expr *accessRoot(const Expr *Access);

/// The frame of a call to Def, a function with a body, made in Parent.
/// ArgsStorage keeps the argument list alive as long as the frame.
Frame callFrame(const Frame &Parent, const CallExpr *Call,
                const FunctionDecl *Def,
                llvm::SmallVectorImpl<const Expr *> &ArgsStorage);

/// The function with a body that Call runs, if it is visible and not in a
/// system header.
const FunctionDecl *userDefinedCallee(const CallExpr *Call,
                                      const SourceManager &SM);

/// Calls Fn on every call in S, in source order, not looking inside nested
/// lambdas or local classes. Stops early when Fn returns true.
void forEachCall(const Stmt *S,
                 llvm::function_ref<bool(const CallExpr *)> Fn);

/// Source range of the innermost braces enclosing the declaration of the
/// automatic variable V: where its lifetime ends. Invalid when unknown.
SourceLocation endOfScope(const VarDecl *V);

/// The body of the function or lambda that declares V.
const Stmt *owningBody(const VarDecl *V);

} // namespace tidy::defer_race
} // namespace clang

#endif // DEFER_RACE_CHECKS_SHAREDOBJECTS_H
