//===--- CheckOptions.h - Options shared by the defer-race checks ---------===//
//
// ScopeGuards and DetachedSpawners extend the recognisers. Every check that
// uses a recogniser reads them the same way: the check's own option first,
// then a global one, so that one CheckOptions entry configures all checks.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_CHECKS_CHECKOPTIONS_H
#define DEFER_RACE_CHECKS_CHECKOPTIONS_H

#include "Names.h"

#include "clang-tidy/ClangTidyCheck.h"
#include <string>
#include <vector>

namespace clang::tidy::defer_race {

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
  /// "import" reads summaries of callees defined elsewhere; "export" writes
  /// the summaries of this translation unit's functions.
  std::string SummaryMode;

  explicit CommonOptions(const ClangTidyCheck::OptionsView &Options)
      : ScopeGuards(splitList(
            std::string(Options.getLocalOrGlobal("ScopeGuards", "")))),
        DetachedSpawners(splitList(
            std::string(Options.getLocalOrGlobal("DetachedSpawners", "")))),
        ConcurrentExecutors(splitList(
            std::string(Options.getLocalOrGlobal("ConcurrentExecutors", "")))),
        SummaryDirectory(
            std::string(Options.getLocalOrGlobal("SummaryDirectory", ""))),
        SummaryMode(
            std::string(Options.getLocalOrGlobal("SummaryMode", "import"))) {}

  bool importsSummaries() const {
    return !SummaryDirectory.empty() && SummaryMode != "export";
  }
  bool exportsSummaries() const {
    return !SummaryDirectory.empty() && SummaryMode == "export";
  }

  void store(const ClangTidyCheck::OptionsView &Options,
             ClangTidyOptions::OptionMap &Opts) const {
    Options.store(Opts, "ScopeGuards", joinList(ScopeGuards));
    Options.store(Opts, "DetachedSpawners", joinList(DetachedSpawners));
    Options.store(Opts, "ConcurrentExecutors", joinList(ConcurrentExecutors));
    Options.store(Opts, "SummaryDirectory", SummaryDirectory);
    Options.store(Opts, "SummaryMode", SummaryMode);
  }
};

} // namespace clang::tidy::defer_race

#endif // DEFER_RACE_CHECKS_CHECKOPTIONS_H
