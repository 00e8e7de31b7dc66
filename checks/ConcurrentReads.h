//===--- ConcurrentReads.h - Facts: reads a detached writer may overlap ---===//
//
// For one function F: which serializer calls read an object while a detached
// writer may still be writing it. Writers start
//   - at a call whose callee leaves one behind (its summary), or
//   - when one of F's own scope-exit guards runs and spawns one.
// Reads happen where an object, or something initialised from it, is handed
// to a serializer. A read races with a writer when it can execute after the
// writer started (CFG reachability, loops included; guards run at the end of
// their scope, in reverse order), they touch overlapping fields, and they do
// not both hold the same mutex.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_CONCURRENTREADS_H
#define DEFER_RACE_CHECKS_CONCURRENTREADS_H

#include "DetachedWriters.h"
#include "Locks.h"
#include "Serializers.h"

#include "llvm/ADT/DenseMap.h"
#include <map>
#include <memory>

namespace clang::tidy::defer_race {

/// Where something happens in F: in F's body, or inside the callable of one
/// of F's scope-exit guards (which runs when the guard's scope ends).
struct Position {
  const Stmt *S = nullptr;
  const GuardCallable *InGuard = nullptr;
};

/// A point after which a detached thread may be writing Target.
struct WriterStart {
  ObjectRef Target;               ///< relative to F
  std::optional<ObjectRef> Mutex; ///< held by the writer, relative to F
  bool Locked = false;
  /// Published before a signal the caller can wait for (LeftWrite).
  bool Published = false;
  Position Pos;
  /// The call in F that leaves the writer behind; null for F's own guards.
  const CallExpr *Call = nullptr;
  /// Where the thread comes from.
  const GuardCallable *OwnGuard = nullptr; ///< F's own guard, if so
  const GuardWriter *Origin = nullptr;     ///< the spawn, wherever it is
  const VarDecl *Guard = nullptr;          ///< the guard that spawns, if seen
  const Stmt *WriteAt = nullptr;
  std::string WriteDesc;
  SourceLocation GuardLoc;
  /// Waiting on a future kept here (std::async) ends the writer.
  std::optional<ObjectRef> Storage;
  /// From another translation unit's summary.
  const FunctionRecord *ImportedFrom = nullptr;
  const PortableWrite *ImportedWrite = nullptr;
};

/// A read of an object, on its way into a serializer.
struct Read {
  ObjectRef Object;
  const Expr *Access = nullptr;
  Position Pos;
  std::optional<HeldLock> Lock;
};

struct Conflict {
  SerializerCall Serializer;
  Read R;                         ///< the first read that races
  const WriterStart *W = nullptr; ///< the writer it races with
  const FunctionDecl *Function = nullptr;
  llvm::SmallVector<Read, 4> Reads; ///< everything the serializer reads
};

class ConcurrentReadFinder {
public:
  ConcurrentReadFinder(DetachedWriterFacts &Facts,
                       const SerializerRecogniser &Serializers);
  ~ConcurrentReadFinder();

  /// The serializer calls of F that read what a detached writer may still
  /// be writing, with the first such read and writer for each.
  void conflictsIn(const FunctionDecl *F, llvm::SmallVectorImpl<Conflict> &Out);

private:
  struct Derivation {
    const Expr *Source;
    Position Pos;
  };

  /// The body of F (G null) or of G's callable.
  BodyContext &contextOf(const GuardCallable *G);
  const Frame &frameOf(const GuardCallable *G);
  void collectWriters(const FunctionDecl *F);
  void collectDerivations(const Stmt *Body, const GuardCallable *G);
  void readsOf(const Expr *E, Position Pos, unsigned Depth,
               llvm::SmallVectorImpl<Read> &Out);
  /// Whether Reader can run after Writer. With Storage, paths through a
  /// wait on a future kept there do not count.
  bool mayRunAfter(const Position &Writer, const Position &Reader,
                   const ObjectRef *Storage = nullptr);
  bool isWaitOn(const Stmt *S, const ObjectRef &Storage,
                const GuardCallable *G);

  DetachedWriterFacts &Facts;
  const SerializerRecogniser &Serializers;
  const FunctionDecl *F = nullptr;
  std::unique_ptr<Frame> Root;
  std::map<const GuardCallable *, std::unique_ptr<Frame>> GuardFrames;
  /// Writer starts of the function being analysed; conflicts point at them.
  std::vector<std::unique_ptr<WriterStart>> Writers;
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<Derivation, 2>> Derived;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_CONCURRENTREADS_H
