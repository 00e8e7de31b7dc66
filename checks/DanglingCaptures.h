//===--- DanglingCaptures.h - Facts: references a detached thread outlives ===//
//
// For a detached spawn: the automatic variables its callable refers to (by
// reference capture, through a captured pointer or reference, as a std::ref
// or pointer argument) whose scope may end while the thread still runs.
// Nothing is reported when the spawning function waits, after the spawn, on
// something the thread also uses (a promise, a latch, a join).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_DANGLINGCAPTURES_H
#define DEFER_RACE_CHECKS_DANGLINGCAPTURES_H

#include "AnalysisContext.h"
#include "Spawns.h"

#include "clang/AST/ExprCXX.h"
#include "llvm/ADT/SmallVector.h"
#include <string>

namespace clang::tidy::defer_race {

/// How the callable refers to the variable that dies. The order is that of
/// the %select in the check's message.
enum class DanglingKind {
  ByReference,      ///< [&n]
  ThroughPointer,   ///< [p] with int *p = &n
  RefArgument,      ///< std::thread(f, std::ref(n))
  PointerArgument,  ///< std::thread(f, &n)
  ThroughReference, ///< [&r] with int &r = n, or [&r = n]
  ThroughView,      ///< [v] with std::string_view v = s
};

struct DanglingCapture {
  DanglingKind How = DanglingKind::ByReference;
  const VarDecl *Var = nullptr; ///< the automatic variable that dies
  /// The name the source gives it, when that is not Var's: a structured
  /// binding of Var.
  const ValueDecl *Named = nullptr;
  const VarDecl *Pointer = nullptr; ///< the captured pointer or reference
  SourceLocation Loc;               ///< where the callable refers to it
  const LambdaCapture *Capture = nullptr;
  const Expr *Arg = nullptr; ///< RefArgument, PointerArgument
  unsigned ArgIndex = 0;     ///< the callable's parameter Arg binds to
};

/// The name to show for the variable that dies.
inline std::string shownName(const DanglingCapture &D) {
  return (D.Named ? static_cast<const NamedDecl *>(D.Named) : D.Var)
      ->getNameAsString();
}

/// The automatic variable that the lvalue E designates, seen through
/// references, member accesses, array elements and the elements of a
/// container or optional it owns: n, s.field, arr[2], v.front(). Null for
/// anything else (a reference parameter: its caller owns the object).
const VarDecl *automaticObject(const Expr *E, unsigned Depth = 0);

/// For a pointer variable initialised with the address of an automatic
/// variable (int *p = &n; int *p = arr;), that variable.
const VarDecl *automaticPointee(const VarDecl *P);

/// For a view (std::string_view, std::span, ...) made from an automatic
/// object (std::string_view v = s;), that object.
const VarDecl *automaticViewee(const Expr *Init);

/// The construction of the function object a thread runs, when it is made
/// in place: std::thread(Worker(&n)), pool.start(new Task(&n)).
const CXXConstructExpr *functorConstruction(const ThreadCallable &C);

/// Whether the class has a member of reference type.
bool hasReferenceMember(const CXXRecordDecl *RD);

/// The automatic variables that S's callable may outlive, in the order the
/// callable names them.
void danglingCapturesOf(const DetachedSpawn &S, AnalysisContext &Analysis,
                        llvm::SmallVectorImpl<DanglingCapture> &Out);

/// Whether V can be moved into the thread instead of referenced: it is not
/// named after the spawn outside the thread, and the spawn is not in a loop
/// that V's declaration is outside of.
bool movableIntoThread(const VarDecl *V, const DetachedSpawn &S,
                       AnalysisContext &Analysis);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DANGLINGCAPTURES_H
