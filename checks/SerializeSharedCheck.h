//===--- SerializeSharedCheck.h - defer-race-serialize-shared -------------===//

#ifndef DEFER_RACE_CHECKS_SERIALIZESHAREDCHECK_H
#define DEFER_RACE_CHECKS_SERIALIZESHAREDCHECK_H

#include "AnalysisContext.h"
#include "CheckOptions.h"
#include "ConcurrentReads.h"
#include "DetachedWriters.h"
#include "Serializers.h"

#include "clang-tidy/ClangTidyCheck.h"
#include <memory>

namespace clang::tidy::defer_race {

/// Finds serializer calls that read an object, directly or through what was
/// copied from it, while a detached thread left behind by a scope-exit guard
/// may still be writing it.
///
/// For the user-facing documentation see:
/// docs/checks/serialize-shared.md
class SerializeSharedCheck : public ClangTidyCheck {
public:
  SerializeSharedCheck(llvm::StringRef Name, ClangTidyContext *Context);
  void registerMatchers(ast_matchers::MatchFinder *Finder) override;
  void check(const ast_matchers::MatchFinder::MatchResult &Result) override;
  void storeOptions(ClangTidyOptions::OptionMap &Opts) override;
  bool isLanguageVersionSupported(const LangOptions &LangOpts) const override {
    return LangOpts.CPlusPlus11;
  }
  void onEndOfTranslationUnit() override;

private:
  void report(const Conflict &C);

  const CommonOptions Common;
  const std::vector<std::string> SerializerFunctions;
  const ScopeGuardRecogniser Guards;
  const SpawnRecogniser Spawns;
  const SerializerRecogniser Serializers;
  /// Whether the join of a guard's own thread rides on this check's note.
  /// Not when defer-race-detached-mutation runs too: its warning carries the
  /// same join, and clang-tidy --fix-notes would drop both as overlapping
  /// (or insert the executor's wait twice).
  const bool JoinOnNote;
  /// What is known about the bodies of the current translation unit.
  std::unique_ptr<AnalysisContext> Analysis;
  std::unique_ptr<DetachedWriterFacts> Facts;
  std::unique_ptr<ConcurrentReadFinder> Finder;
  /// Summaries this translation unit exports (SummaryMode: export).
  std::vector<FunctionRecord> Exported;
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_SERIALIZESHAREDCHECK_H
