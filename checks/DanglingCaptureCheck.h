//===--- DanglingCaptureCheck.h - defer-race-dangling-capture -------------===//

#ifndef DEFER_RACE_CHECKS_DANGLINGCAPTURECHECK_H
#define DEFER_RACE_CHECKS_DANGLINGCAPTURECHECK_H

#include "AnalysisContext.h"
#include "CheckOptions.h"
#include "Spawns.h"

#include "clang-tidy/ClangTidyCheck.h"

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
  void onEndOfTranslationUnit() override { Analysis.reset(); }

private:
  void checkSpawn(const DetachedSpawn &S);

  const CommonOptions Common;
  const SpawnRecogniser Spawns;
  /// What is known about the bodies of the current translation unit.
  std::unique_ptr<AnalysisContext> Analysis;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DANGLINGCAPTURECHECK_H
