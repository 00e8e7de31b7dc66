//===--- DetachedMutationCheck.h - defer-race-detached-mutation -----------===//

#ifndef DEFER_RACE_CHECKS_DETACHEDMUTATIONCHECK_H
#define DEFER_RACE_CHECKS_DETACHEDMUTATIONCHECK_H

#include "AnalysisContext.h"
#include "CheckOptions.h"
#include "DetachedWriters.h"

#include "clang-tidy/ClangTidyCheck.h"
#include "llvm/ADT/StringSet.h"
#include <memory>

namespace clang::tidy::defer_race {

/// Finds scope-exit guards whose callable starts a thread that is not joined
/// and that writes an object the caller can still see: a reference or pointer
/// parameter, *this, a global.
///
/// For the user-facing documentation see:
/// docs/checks/detached-mutation.md
class DetachedMutationCheck : public ClangTidyCheck {
public:
  DetachedMutationCheck(llvm::StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  /// C++11 and later, and C, where __attribute__((cleanup)) makes guards.
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11 || !LangOpts.CPlusPlus;
  }
  void onEndOfTranslationUnit() override {
    Facts.reset();
    Analysis.reset();
  }

private:
  void report(const GuardCallable &G, const GuardWriter &W, ASTContext &Ctx);
  /// SuggestSpawners: a call that hands a lambda capturing by reference to
  /// a function whose name suggests posting work and whose code is not in
  /// sight.
  void suggestSpawner(const CallExpr *Call);

  const CommonOptions Common;
  const bool PreferCopy;
  const bool SuggestSpawners;
  /// The functions already suggested in this run.
  llvm::StringSet<> Suggested;
  const ScopeGuardRecogniser Guards;
  const SpawnRecogniser Spawns;
  /// What is known about the bodies of the current translation unit.
  std::unique_ptr<AnalysisContext> Analysis;
  std::unique_ptr<DetachedWriterFacts> Facts;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_DETACHEDMUTATIONCHECK_H
