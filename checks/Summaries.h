//===--- Summaries.h - Function summaries across translation units --------===//
//
// clang-tidy sees one translation unit at a time, so a summary ("handle()
// leaves a detached writer on parameter 0, field wreqlog") dies with its
// translation unit. With the SummaryDirectory option, a first run exports
// the summaries of every function it analyses, and a second run imports them
// for callees defined elsewhere.
//
// On disk: one JSON file per translation unit, <directory>/<hash of the main
// file's path>.json, written to a temporary file and renamed into place, so
// parallel runs never tear or lose one. Each function records the file that
// defines it and that file's MD5; an import ignores functions whose file has
// changed since, so a function changed to join is not reported from an old
// summary. docs/cross-tu.md describes the format.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SUMMARIES_H
#define DEFER_RACE_CHECKS_SUMMARIES_H

#include "SharedObjects.h"

#include "clang/AST/Decl.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// One write left running, in a form that survives the translation unit:
/// the root (a parameter index, this, or a global's qualified name) and the
/// field names below it ("*" for a dereference).
struct PortableWrite {
  std::string Root;   ///< "param", "this" or "global"
  unsigned Index = 0; ///< for "param"
  std::string Global; ///< for "global": the qualified name
  std::vector<std::string> Path;
  bool Locked = false;
  /// Evidence, as text: what is written and where things happen.
  std::string Written;
  std::string Spawn; ///< "std::thread detached at handle.cpp:30:62"
  std::string Write; ///< "handle.cpp:30:26"
};

/// What a call passes to a parameter of a function defined elsewhere, in
/// portable form: the object an argument designates, and what it points to.
struct ArgBinding {
  int Param = 0; ///< -1 for the object of a member call
  std::optional<PortableWrite> Object, Pointee;
};

/// A call to a function that is not defined in the same translation unit:
/// summaries compose through it when they are imported.
struct CallEdge {
  std::string Callee; ///< its USR
  std::string Name;
  std::string At; ///< file:line:col of the call
  std::vector<ArgBinding> Args;
};

struct FunctionRecord {
  std::string USR;
  std::string Name;
  std::string File; ///< the file that defines the function
  std::string Hash; ///< MD5 of that file when the summary was made
  /// Writes still running when the function returns (its guards, or
  /// callees that leave writers).
  std::vector<PortableWrite> Leaves;
  /// Writes of detached threads the function starts itself: what a guard
  /// that calls it leaves behind.
  std::vector<PortableWrite> Spawns;
  /// Calls to functions defined elsewhere.
  std::vector<CallEdge> Calls;
  /// The function is a thread pool's submit (Pools.h): the callable given
  /// for this parameter runs later on a worker thread.
  std::optional<unsigned> RunsDetached;
  /// It returns a future or a handle that lets its caller wait.
  bool ReturnsHandle = false;
};

/// The USR of a declaration, the identity of a function across files.
std::string usrOf(const Decl *D);

/// Turns an object of function F into its portable form, or nothing for
/// locals.
std::optional<PortableWrite> portable(const ObjectRef &Object);

/// Turns a portable root and path back into an object of Callee, whose
/// declaration (not necessarily its definition) is in this translation unit.
std::optional<ObjectRef> fromPortable(const PortableWrite &W,
                                      const FunctionDecl *Callee);

class SummaryStore {
public:
  static constexpr int FormatVersion = 1;

  /// Every summary in Dir whose defining file is unchanged.
  static std::shared_ptr<const SummaryStore> load(llvm::StringRef Dir);

  const FunctionRecord *find(llvm::StringRef USR) const;
  size_t size() const { return Functions.size(); }

  /// The writes still running when the function returns, composed through
  /// its calls to other exported functions (up to a bound).
  const std::vector<PortableWrite> &leavesOf(llvm::StringRef USR) const;
  /// The writes of threads it starts, composed the same way.
  const std::vector<PortableWrite> &spawnsOf(llvm::StringRef USR) const;

  /// Writes the summaries of one translation unit, atomically.
  static bool write(llvm::StringRef Dir, llvm::StringRef MainFile,
                    const std::vector<FunctionRecord> &Functions,
                    std::string &Error);

  /// MD5 of a file's contents, as hex; empty if it cannot be read.
  static std::string fileHash(llvm::StringRef Path);

private:
  const std::vector<PortableWrite> &composed(llvm::StringRef USR, bool Spawns,
                                             unsigned Depth) const;

  llvm::StringMap<FunctionRecord> Functions;
  mutable llvm::StringMap<std::vector<PortableWrite>> Leaves, SpawnsOf;
  mutable llvm::StringMap<bool> InProgress;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SUMMARIES_H
