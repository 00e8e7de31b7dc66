//===--- SharedObjects.h - Which object does an expression denote? --------===//
//
// The facts every check needs are about objects, not expressions: "the thread
// writes res.wreqlog", where res is the first parameter of handle(). This file
// is the object model: it turns expressions inside nested callables (a thread
// lambda inside a scope-exit lambda inside handle(), or a start routine
// reached through pthread_create) into such objects.
//
// A Frame is one callable activation: a lambda, or a function whose arguments
// are known expressions of its parent frame. The root frame is the function
// that owns the objects we talk about (the function declaring the guard, or
// the function calling a serializer).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SHAREDOBJECTS_H
#define DEFER_RACE_CHECKS_SHAREDOBJECTS_H

#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

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
  /// A lambda that Parent runs. For a generic lambda, Function is the
  /// instantiation of its call operator that the program uses.
  static Frame lambda(const Frame &Parent, const LambdaExpr *L);
  /// A callable that Parent runs: a lambda, whose captures say how it sees
  /// Parent's objects, or a function whose parameters are bound to Args and,
  /// for a member function, whose `this` is Object.
  static Frame callable(const Frame &Parent, const LambdaExpr *L,
                        const FunctionDecl *F,
                        llvm::ArrayRef<const Expr *> Args,
                        const Expr *Object = nullptr,
                        bool ObjectIsPointer = false);
  const Stmt *body() const;
  bool isRoot() const { return Parent == nullptr; }
  const Frame &rootFrame() const {
    const Frame *F = this;
    while (F->Parent)
      F = F->Parent;
    return *F;
  }
};

/// Resolves expressions to objects of the root frame.
class ObjectResolver {
public:
  /// The object that the glvalue E designates, if it is reachable from the
  /// root frame.
  std::optional<ObjectRef> object(const Expr *E, const Frame &Fr) const;
  /// The object that the pointer-like E points to.
  std::optional<ObjectRef> pointee(const Expr *E, const Frame &Fr) const;
  /// What the reference (or, with Pointee, pointer) member Field of the
  /// object Base designates (Arrow: points to) was initialised to refer to,
  /// when we see that object made.
  std::optional<ObjectRef> memberReferent(const Expr *Base, bool Arrow,
                                          const FieldDecl *Field,
                                          const Frame &Fr, bool Pointee,
                                          unsigned Depth = 0) const;

private:
  std::optional<ObjectRef> object(const Expr *E, const Frame &Fr,
                                  unsigned Depth) const;
  std::optional<ObjectRef> pointee(const Expr *E, const Frame &Fr,
                                   unsigned Depth) const;
  std::optional<ObjectRef> variable(const VarDecl *V, const Frame &Fr,
                                    bool Pointee, unsigned Depth) const;
  std::optional<ObjectRef> thisObject(const Frame &Fr, unsigned Depth) const;
  /// What a reference or pointer member of an object whose making we see was
  /// initialised to refer to.
  std::optional<ObjectRef> memberReferent(const MemberExpr *ME, const Frame &Fr,
                                          bool Pointee, unsigned Depth) const;
};

/// The frame of a call to Def, a function with a body, made in Parent.
/// ArgsStorage keeps the argument list alive as long as the frame.
Frame callFrame(const Frame &Parent, const CallExpr *Call,
                const FunctionDecl *Def,
                llvm::SmallVectorImpl<const Expr *> &ArgsStorage);

/// An expression and the frame in which it is evaluated.
struct Located {
  const Expr *E = nullptr;
  const Frame *Fr = nullptr;
};

/// Frames made while following a value into the functions that made it. They
/// live as long as the arena; nothing is allocated until a frame is made.
class FrameArena {
public:
  /// The frame of Call, a call to Def made in Parent.
  const Frame &call(const Frame &Parent, const CallExpr *Call,
                    const FunctionDecl *Def);
  /// The frame of the constructor that CE runs in Parent.
  const Frame &construction(const Frame &Parent, const CXXConstructExpr *CE,
                            const FunctionDecl *Ctor);
  /// Keeps F, whose Parent must outlive the arena.
  const Frame &keep(const Frame &F);
  /// Keeps a list of arguments for a frame.
  llvm::ArrayRef<const Expr *> keep(llvm::ArrayRef<const Expr *> Args);

private:
  std::vector<std::unique_ptr<Frame>> Frames;
  std::vector<std::unique_ptr<llvm::SmallVector<const Expr *, 4>>> ArgLists;
};

/// Where the value of E was made. Follows copies and moves, a local
/// variable to its initializer, a parameter to its argument, a field to the
/// initializer that the object's constructor or aggregate initialisation gave
/// it, and a call to a function of ours to the value it returns. Stops at
/// anything else, and after a bounded number of steps.
Located origin(const Expr *E, const Frame &Fr, FrameArena &Arena);

/// The expression that made the object E designates (Arrow: the object E
/// points to): a construction, an aggregate initialisation, a new-expression,
/// or a make_unique/make_shared call. Otherwise, as far as origin() goes.
Located constructionOf(const Expr *E, bool Arrow, const Frame &Fr,
                       FrameArena &Arena);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SHAREDOBJECTS_H
