//===--- DeferRaceTidy.cpp - clang-tidy with the defer-race checks built in
//-===//
//
// defer-race-tidy is upstream clang-tidy's driver, clangTidyMain() from
// libclangTidyMain.a, linked with every upstream check module and with the
// defer-race module from plugin.cpp. It takes every clang-tidy flag and needs
// no --load, so it also serves where a plugin cannot be loaded: a statically
// linked clang-tidy, or an installed clang-tidy of another LLVM version.
//
//===----------------------------------------------------------------------===//

#include "clang-tidy/tool/ClangTidyMain.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <string>
#include <vector>

// Defined next to the module registration in plugin.cpp. Reading it here
// keeps the registration in the link even when plugin.cpp comes from an
// archive.
extern volatile int DeferRaceModuleAnchorSource;
static const int DeferRaceModuleAnchorDestination = DeferRaceModuleAnchorSource;

namespace {

// LibTooling looks for clang's builtin headers in <executable>/../lib/clang.
// That holds for /usr/lib/llvm-N/bin/clang-tidy, but not for this binary in a
// build tree, an install prefix or a Bazel sandbox. There, point the compiler
// at the resource directory of the clang this binary was built against, as
// the first compiler argument: a -resource-dir in the compile command still
// wins.
bool needsResourceDir(const char *Argv0) {
  static int Anchor;
  std::string Exe = llvm::sys::fs::getMainExecutable(Argv0, &Anchor);
  if (Exe.empty())
    return true;
  llvm::SmallString<256> Dir(
      llvm::sys::path::parent_path(llvm::sys::path::parent_path(Exe)));
  llvm::sys::path::append(Dir, "lib", "clang");
  return !llvm::sys::fs::is_directory(Dir) &&
         llvm::sys::fs::is_directory(DEFER_RACE_CLANG_RESOURCE_DIR);
}

} // namespace

int main(int Argc, const char **Argv) {
  (void)DeferRaceModuleAnchorDestination;
  if (Argc < 1 || !needsResourceDir(Argv[0]))
    return clang::tidy::clangTidyMain(Argc, Argv);

  static const char ResourceDirArg[] =
      "--extra-arg-before=-resource-dir=" DEFER_RACE_CLANG_RESOURCE_DIR;
  std::vector<const char *> Args(Argv, Argv + Argc);
  Args.insert(Args.begin() + 1, ResourceDirArg);
  Args.push_back(nullptr); // argv[argc] is a null pointer, as for main().
  return clang::tidy::clangTidyMain(static_cast<int>(Args.size() - 1),
                                    Args.data());
}
