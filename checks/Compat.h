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

#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"

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

} // namespace clang::tidy::defer_race::compat

#endif // DEFER_RACE_CHECKS_COMPAT_H
