//===--- CheckOptions.h - Options shared by the defer-race checks ---------===//
//
// ScopeGuards and DetachedSpawners extend the recognisers. Every check that
// uses a recogniser reads them the same way: the check's own option first,
// then a global one, so that one CheckOptions entry configures all checks.
// Enum-like options (SummaryMode, PreferredFix) are parsed by clang-tidy's
// OptionEnumMapping, so that a bad value gets clang-tidy's own warning.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_CHECKOPTIONS_H
#define DEFER_RACE_CHECKS_CHECKOPTIONS_H

#include "Names.h"

#include "clang-tidy/ClangTidyCheck.h"
#include <optional>
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

/// SummaryMode: what the two-phase mode does with SummaryDirectory.
enum class SummaryMode { Import, Export };
/// PreferredFix of detached-mutation: which fix goes on the warning.
enum class PreferredFix { Join, Copy };

} // namespace clang::tidy::defer_race

namespace clang::tidy {

// clang-tidy's own parsing of enum options: a value outside these gets
// clang-tidy's "invalid configuration value" warning, and --dump-config shows
// the spelling.
template <> struct OptionEnumMapping<defer_race::SummaryMode> {
  static llvm::ArrayRef<std::pair<defer_race::SummaryMode, llvm::StringRef>>
  getEnumMapping() {
    static constexpr std::pair<defer_race::SummaryMode, llvm::StringRef>
        Mapping[] = {{defer_race::SummaryMode::Import, "import"},
                     {defer_race::SummaryMode::Export, "export"}};
    return Mapping;
  }
};

template <> struct OptionEnumMapping<defer_race::PreferredFix> {
  static llvm::ArrayRef<std::pair<defer_race::PreferredFix, llvm::StringRef>>
  getEnumMapping() {
    static constexpr std::pair<defer_race::PreferredFix, llvm::StringRef>
        Mapping[] = {{defer_race::PreferredFix::Join, "join"},
                     {defer_race::PreferredFix::Copy, "copy"}};
    return Mapping;
  }
};

} // namespace clang::tidy

namespace clang::tidy::defer_race {

/// The spelling of an enum option's value.
template <typename T> llvm::StringRef spellingOf(T Value) {
  for (const auto &[E, Spelling] : OptionEnumMapping<T>::getEnumMapping())
    if (E == Value)
      return Spelling;
  return {};
}

/// Reads an enum option with clang-tidy's own parser: the check's option, and
/// with LocalOrGlobal the global one when the check has none. A value outside
/// the mapping gets clang-tidy's "invalid configuration value" warning; this
/// adds a note that lists the valid values, since clang-tidy only suggests the
/// nearest one.
template <typename T>
T enumOption(ClangTidyCheck &Check, const ClangTidyCheck::OptionsView &Options,
             llvm::StringRef Name, T Default, bool LocalOrGlobal) {
  std::optional<std::string> Given;
  if (auto Raw =
          LocalOrGlobal ? Options.getLocalOrGlobal(Name) : Options.get(Name))
    Given = std::string(*Raw);
  if (!Given)
    return Default;
  std::string Valid;
  bool Known = false;
  for (const auto &[E, Spelling] : OptionEnumMapping<T>::getEnumMapping()) {
    Known |= Spelling == *Given;
    Valid += (Valid.empty() ? "'" : ", '") + Spelling.str() + "'";
  }
  const T Value = LocalOrGlobal ? Options.getLocalOrGlobal(Name, Default)
                                : Options.get(Name, Default);
  if (!Known)
    Check.configurationDiag("valid values of '%0' are %1; using '%2'",
                            DiagnosticIDs::Note)
        << Name << Valid << spellingOf(Default);
  return Value;
}

struct CommonOptions {
  /// Extra scope-guard classes or factory functions.
  std::vector<std::string> ScopeGuards;
  /// Extra functions that run their callable argument on another thread and
  /// never wait for it.
  std::vector<std::string> DetachedSpawners;
  /// Extra execution contexts whose work runs on other threads, e.g.
  /// boost::asio::io_context when it is run by a pool of threads.
  std::vector<std::string> ConcurrentExecutors;
  /// Where function summaries live for the two-phase mode across
  /// translation units; empty: off.
  std::string SummaryDirectory;
  /// Import reads summaries of callees defined elsewhere; Export writes
  /// the summaries of this translation unit's functions.
  SummaryMode Mode;

  CommonOptions(ClangTidyCheck &Check,
                const ClangTidyCheck::OptionsView &Options)
      : ScopeGuards(splitList(
            std::string(Options.getLocalOrGlobal("ScopeGuards", "")))),
        DetachedSpawners(splitList(
            std::string(Options.getLocalOrGlobal("DetachedSpawners", "")))),
        ConcurrentExecutors(splitList(
            std::string(Options.getLocalOrGlobal("ConcurrentExecutors", "")))),
        SummaryDirectory(
            std::string(Options.getLocalOrGlobal("SummaryDirectory", ""))),
        Mode(enumOption(Check, Options, "SummaryMode", SummaryMode::Import,
                        /*LocalOrGlobal=*/true)) {}

  bool importsSummaries() const {
    return !SummaryDirectory.empty() && Mode == SummaryMode::Import;
  }
  bool exportsSummaries() const {
    return !SummaryDirectory.empty() && Mode == SummaryMode::Export;
  }

  void store(const ClangTidyCheck::OptionsView &Options,
             ClangTidyOptions::OptionMap &Opts) const {
    Options.store(Opts, "ScopeGuards", joinList(ScopeGuards));
    Options.store(Opts, "DetachedSpawners", joinList(DetachedSpawners));
    Options.store(Opts, "ConcurrentExecutors", joinList(ConcurrentExecutors));
    Options.store(Opts, "SummaryDirectory", SummaryDirectory);
    Options.store(Opts, "SummaryMode", Mode);
  }
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_CHECKOPTIONS_H
