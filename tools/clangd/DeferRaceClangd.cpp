//===--- DeferRaceClangd.cpp - clangd with the defer-race checks ----------===//
//
// The main of defer-race-clangd: clangd's own clangdMain (libclangdMain.a)
// in a binary that also holds the defer-race clang-tidy module (plugin.cpp,
// compiled into this executable, registers it). The checks are enabled the
// way any clang-tidy check is enabled in clangd: a .clang-tidy file, or
// Diagnostics: ClangTidy: Add: in a .clangd file.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/StringRef.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

namespace clang::clangd {
// Defined in libclangdMain.a (clangd/tool/ClangdMain.cpp), whose header is
// not installed.
int clangdMain(int Argc, char *Argv[]);
} // namespace clang::clangd

// clangd runs a clang-tidy check only when its table of measured checks
// calls it fast, unless the user relaxes Diagnostics.ClangTidy.FastCheckFilter.
// That table cannot know checks from outside LLVM, so the defer-race checks
// would be dropped without a word. The link wraps clangd's lookup
// (-Wl,--wrap, see CMakeLists.txt): the defer-race checks are answered here,
// every other check by clangd's table as before. They qualify: the analysis
// only does real work for guard callables that reach a thread spawn.
std::optional<bool> clangdIsFastTidyCheck(llvm::StringRef Check) __asm__(
    "__real__ZN5clang6clangd15isFastTidyCheckEN4llvm9StringRefE");

// External: the linker's --wrap binds clangd's calls to this symbol.
// NOLINTNEXTLINE(misc-use-internal-linkage)
std::optional<bool> deferRaceIsFastTidyCheck(llvm::StringRef Check) __asm__(
    "__wrap__ZN5clang6clangd15isFastTidyCheckEN4llvm9StringRefE");

std::optional<bool> deferRaceIsFastTidyCheck(llvm::StringRef Check) {
  if (Check.starts_with("defer-race-"))
    return true;
  return clangdIsFastTidyCheck(Check);
}

int main(int Argc, char *Argv[]) {
  // clangd prints its version with a printer of its own, which leaves out
  // the extra lines that plugin.cpp adds for clang-tidy: name defer-race
  // first, then clangd says its own.
  for (int I = 1; I < Argc; ++I) {
    llvm::StringRef Arg(Argv[I]);
    if (Arg == "--version" || Arg == "-version") {
      llvm::outs()
          << "defer-race-clangd: defer-race version " DEFER_RACE_VERSION
             " (checks built for LLVM " LLVM_VERSION_STRING ")\n";
      llvm::outs().flush();
      break;
    }
  }
  return clang::clangd::clangdMain(Argc, Argv);
}
