//===--- DanglingCaptureCheck.h - defer-race-dangling-capture -------------===//

#ifndef DEFER_RACE_CHECKS_DANGLINGCAPTURECHECK_H
#define DEFER_RACE_CHECKS_DANGLINGCAPTURECHECK_H

#include "AnalysisContext.h"
#include "CheckOptions.h"
#include "Escapes.h"
#include "Spawns.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/DenseSet.h"

namespace clang::tidy::defer_race {

/// Finds detached threads whose callable refers to an automatic variable of
/// a scope that ends while the thread may still run: by-reference captures,
/// captured pointers to such variables, std::ref arguments.
///
/// For the user-facing documentation see:
/// docs/checks/dangling-capture.md
class DanglingCaptureCheck : public ClangTidyCheck {
public:
  DanglingCaptureCheck(llvm::StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void onEndOfTranslationUnit() override {
    Analysis.reset();
    Reported.clear();
  }

private:
  void checkSpawn(const DetachedSpawn &S);
  /// Calls that lend a short-lived object to T, which outlives them.
  /// S is T's spawn, when T is detached.
  void checkEscapes(const OutlivingThread &T, const DetachedSpawn *S);

  const CommonOptions Common;
  const SpawnRecogniser Spawns;
  /// What is known about the bodies of the current translation unit.
  std::unique_ptr<AnalysisContext> Analysis;
  /// Where a warning was given, so that a capture seen both at a spawner
  /// call and through the spawner's body is reported once.
  llvm::DenseSet<SourceLocation::UIntTy> Reported;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DANGLINGCAPTURECHECK_H
