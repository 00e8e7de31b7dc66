//===--- Compat.h - Every LLVM version difference, in one place -----------===//
//
// defer-race builds against LLVM 14, 15, 16, 19 and 22. Each place where
// their APIs differ is papered over here and nowhere else: no other file may
// test LLVM_VERSION_MAJOR. When the oldest supported version goes up, delete
// the shims it no longer needs.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_COMPAT_H
#define DEFER_RACE_CHECKS_COMPAT_H

#include "clang-tidy/utils/OptionsUtils.h"
#include "clang/AST/DeclCXX.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include <string>
#include <vector>

// LLVM 22 moved the registry into ClangTidyModule.h and made the old header
// warn.
#if LLVM_VERSION_MAJOR >= 22
#include "clang-tidy/ClangTidyModule.h"
#else
#include "clang-tidy/ClangTidyModule.h"
#include "clang-tidy/ClangTidyModuleRegistry.h"
#endif

namespace clang::tidy::defer_race::compat {

// StringRef::startswith/endswith became starts_with/ends_with in LLVM 16, and
// the old spellings were removed in LLVM 19.
inline bool startsWith(llvm::StringRef S, llvm::StringRef Prefix) {
#if LLVM_VERSION_MAJOR >= 16
  return S.starts_with(Prefix);
#else
  return S.startswith(Prefix);
#endif
}

inline bool endsWith(llvm::StringRef S, llvm::StringRef Suffix) {
#if LLVM_VERSION_MAJOR >= 16
  return S.ends_with(Suffix);
#else
  return S.endswith(Suffix);
#endif
}

// utils::options::parseStringList returned std::vector<std::string>, and
// serializeStringList took ArrayRef<std::string>, until LLVM 15; since then
// both use StringRef.
inline std::vector<std::string> parseStringList(llvm::StringRef Option) {
#if LLVM_VERSION_MAJOR >= 15
  std::vector<std::string> Out;
  for (llvm::StringRef Item : utils::options::parseStringList(Option))
    Out.push_back(Item.str());
  return Out;
#else
  return utils::options::parseStringList(Option);
#endif
}

inline std::string serializeStringList(const std::vector<std::string> &List) {
#if LLVM_VERSION_MAJOR >= 15
  std::vector<llvm::StringRef> Refs(List.begin(), List.end());
  return utils::options::serializeStringList(Refs);
#else
  return utils::options::serializeStringList(List);
#endif
}

// FunctionDecl::isPure became isPureVirtual in LLVM 18.
inline bool isPureVirtual(const CXXMethodDecl *MD) {
#if LLVM_VERSION_MAJOR >= 18
  return MD->isPureVirtual();
#else
  return MD->isPure();
#endif
}

} // namespace clang::tidy::defer_race::compat

#endif // DEFER_RACE_CHECKS_COMPAT_H
