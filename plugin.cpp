//===--- plugin.cpp - The defer-race clang-tidy module --------------------===//
//
// Registers the defer-race checks with clang-tidy. Built as
// defer-race-<LLVM major>.so and normally loaded through defer-race.so, which
// picks the build that matches the clang-tidy loading it.
//
//===----------------------------------------------------------------------===//

#include "Compat.h"
#include "DanglingCaptureCheck.h"
#include "DetachedMutationCheck.h"
#include "HostLLVM.h"
#include "SerializeSharedCheck.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

namespace clang::tidy::defer_race {
namespace {

class DeferRaceModule : public ClangTidyModule {
public:
  void addCheckFactories(ClangTidyCheckFactories &Factories) override {
    Factories.registerCheck<DanglingCaptureCheck>(
        "defer-race-dangling-capture");
    Factories.registerCheck<DetachedMutationCheck>(
        "defer-race-detached-mutation");
    Factories.registerCheck<SerializeSharedCheck>(
        "defer-race-serialize-shared");
  }
};

} // namespace
} // namespace clang::tidy::defer_race

namespace {

// Runs before the registration below. If this library was loaded by a
// clang-tidy of another LLVM version (directly, not through defer-race.so),
// say so now instead of failing with a symbol lookup error mid-run.
__attribute__((constructor(101))) void checkHostVersion() {
  std::string Evidence;
  int Host = defer_race::hostLLVMMajor(&Evidence);
  if (Host != 0 && Host != LLVM_VERSION_MAJOR)
    defer_race::failLoad(
        "this clang-tidy is LLVM " + std::to_string(Host) + " (" + Evidence +
        "), but this defer-race plugin was built for LLVM " +
        std::to_string(LLVM_VERSION_MAJOR) +
        "; load defer-race.so, which "
        "picks the right build, or build for LLVM " +
        std::to_string(Host) +
        " (cmake -DDEFER_RACE_LLVM=" + std::to_string(Host) + ")");
}

// `clang-tidy --load=defer-race.so --version` and `defer-race-tidy --version`
// name defer-race's version after clang-tidy's own lines.
__attribute__((constructor(102))) void addVersionLine() {
  llvm::cl::AddExtraVersionPrinter([](llvm::raw_ostream &OS) {
    OS << "defer-race version " DEFER_RACE_VERSION
          " (checks built for LLVM " LLVM_VERSION_STRING ")\n";
  });
}

// The registry's own way to add a module, as every upstream module does.
// NOLINTBEGIN(bugprone-throwing-static-initialization)
clang::tidy::ClangTidyModuleRegistry::Add<
    clang::tidy::defer_race::DeferRaceModule>
    Registration("defer-race-module",
                 "Scope-exit guards that leave detached threads writing "
                 "shared state.");
// NOLINTEND(bugprone-throwing-static-initialization)

} // namespace

// Referenced by tools that link the checks statically, so that the linker
// keeps the registration above.
// NOLINTNEXTLINE(misc-use-internal-linkage)
volatile int DeferRaceModuleAnchorSource = 0;
