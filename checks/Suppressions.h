//===--- Suppressions.h - NOLINT comments, as clang-tidy reads them -------===//
//
// A user who writes // NOLINT(defer-race-detached-mutation) on a detached
// spawn vouches for it: the thread is known to be safe. clang-tidy drops that
// warning itself, but the writer would still feed serialize-shared's findings
// and the exported summaries. The facts ask this module whether a spawn is
// silenced and leave it out, so that everything that depends on it goes too.
//
// It reads the comments the way clang-tidy does: NOLINT on the line,
// NOLINTNEXTLINE on the line before, and NOLINTBEGIN/NOLINTEND regions, each
// with an optional list of check globs ("*" matches anything).
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_SUPPRESSIONS_H
#define DEFER_RACE_CHECKS_SUPPRESSIONS_H

#include "clang/Basic/SourceLocation.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// The check whose NOLINT on a spawn silences the writer everywhere.
inline constexpr llvm::StringLiteral DetachedMutationName =
    "defer-race-detached-mutation";

class NolintIndex {
public:
  explicit NolintIndex(const SourceManager &SM) : SM(SM) {}

  /// Whether a diagnostic of Check at Loc (or, in a macro, at the place the
  /// macro is used) is silenced by a NOLINT comment.
  bool suppresses(SourceLocation Loc, llvm::StringRef Check);

private:
  struct Region {
    unsigned Begin, End; ///< offsets in the file
    std::string Checks;  ///< the glob list; empty for every check
  };
  bool suppressesAt(SourceLocation Loc, llvm::StringRef Check);
  const std::vector<Region> &regionsOf(FileID File);

  const SourceManager &SM;
  llvm::DenseMap<FileID, std::vector<Region>> Regions;
};

/// Whether a NOLINT check list ("a,b-*", or empty for every check) names
/// Check.
bool nolintListNames(llvm::StringRef List, llvm::StringRef Check);

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SUPPRESSIONS_H
