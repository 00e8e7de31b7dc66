//===--- Names.h - Matching declarations against configurable name lists --===//
//
// Recognisers compare declarations with lists of qualified names, most of
// them user-configurable. The rules are those of the hasName() matcher:
//   "::absl::Cleanup"  matches exactly that fully qualified name;
//   "absl::Cleanup"    also matches any name that ends in "::absl::Cleanup";
//   "Cleanup"          matches any declaration named Cleanup.
// Inline namespaces are transparent: Debian's abseil declares
// absl::lts_20220623::Cleanup, and "absl::Cleanup" matches it.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_NAMES_H
#define DEFER_RACE_CHECKS_NAMES_H

#include "clang/AST/Decl.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// The qualified name of D, without inline namespaces and without template
/// arguments: "absl::Cleanup", "std::thread", "Server::run".
std::string qualifiedName(const NamedDecl *D);

/// Splits a semicolon-separated option value, trimming blanks and dropping
/// empty entries: clang-tidy's utils::options::parseStringList.
std::vector<std::string> splitList(llvm::StringRef Value);

/// Joins a list back into an option value: serializeStringList.
std::string joinList(const std::vector<std::string> &Names);

/// A set of names with hasName() semantics, and a cache of answers per
/// declaration.
class NameList {
public:
  NameList() = default;
  explicit NameList(std::vector<std::string> Names);

  bool matches(const NamedDecl *D) const;
  bool matchesName(llvm::StringRef QualifiedName) const;
  bool empty() const { return Names.empty(); }

private:
  std::vector<std::string> Names;
  mutable llvm::DenseMap<const NamedDecl *, bool> Cache;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_NAMES_H
