//===--- Loader.cpp - defer-race.so: load the plugin built for this LLVM --===//
//
// clang-tidy plugins must be loaded by the LLVM version they were built with.
// A plugin for another version either fails to load, after which clang-tidy
// says "-load request ignored" and carries on without our checks, or it loads
// and dies halfway through a run with a symbol lookup error.
//
// This library is what users pass to --load. It contains no clang or LLVM
// symbol. When loaded, it reads the host's LLVM major version and opens the
// sibling "defer-race-<major>.so". If there is none, it prints one line naming
// both versions and ends the process. One directory of plugins can therefore
// serve every installed clang-tidy.
//
//===----------------------------------------------------------------------===//

#include "HostLLVM.h"

#include <algorithm>
#include <dirent.h>
#include <dlfcn.h>
#include <string>
#include <vector>

namespace defer_race {
namespace {

std::string directoryOf(const std::string &Path) {
  std::string::size_type Slash = Path.rfind('/');
  return Slash == std::string::npos ? std::string(".") : Path.substr(0, Slash);
}

// Majors N for which Dir holds "defer-race-N.so", in increasing order.
std::vector<int> builtMajors(const std::string &Dir) {
  std::vector<int> Majors;
  DIR *D = opendir(Dir.c_str());
  if (!D)
    return Majors;
  static const std::string Prefix = "defer-race-", Suffix = ".so";
  while (struct dirent *Entry = readdir(D)) {
    std::string Name = Entry->d_name;
    if (Name.size() <= Prefix.size() + Suffix.size() ||
        Name.compare(0, Prefix.size(), Prefix) != 0 ||
        Name.compare(Name.size() - Suffix.size(), Suffix.size(), Suffix) != 0)
      continue;
    std::string Digits =
        Name.substr(Prefix.size(), Name.size() - Prefix.size() - Suffix.size());
    if (Digits.empty() ||
        Digits.find_first_not_of("0123456789") != std::string::npos)
      continue;
    Majors.push_back(std::stoi(Digits));
  }
  closedir(D);
  std::sort(Majors.begin(), Majors.end());
  return Majors;
}

std::string joinMajors(const std::vector<int> &Majors) {
  std::string Out;
  for (int M : Majors)
    Out += (Out.empty() ? "" : ", ") + std::to_string(M);
  return Out;
}

void loadPluginForHost() {
  Dl_info Self;
  if (!dladdr(reinterpret_cast<void *>(&loadPluginForHost), &Self) ||
      !Self.dli_fname)
    failLoad("cannot find the directory defer-race.so was loaded from");
  const std::string Dir = directoryOf(Self.dli_fname);
  const std::vector<int> Built = builtMajors(Dir);
  if (Built.empty())
    failLoad("no defer-race-<LLVM major>.so next to " +
             std::string(Self.dli_fname) + "; build the plugin first");

  std::string Evidence;
  int Host = hostLLVMMajor(&Evidence);
  if (Host == 0) {
    if (Built.size() != 1)
      failLoad("cannot tell which LLVM version this process uses; load one "
               "of the versioned plugins in " +
               Dir + " directly (built for LLVM " + joinMajors(Built) + ")");
    Host = Built.front();
    // NOLINTNEXTLINE(llvm-use-ranges): the loader links no LLVM library.
  } else if (std::find(Built.begin(), Built.end(), Host) == Built.end()) {
    failLoad("this clang-tidy is LLVM " + std::to_string(Host) + " (" +
             Evidence + "), but defer-race in " + Dir + " was built for LLVM " +
             joinMajors(Built) + " only; build it for LLVM " +
             std::to_string(Host) +
             " (cmake -DDEFER_RACE_LLVM=" + std::to_string(Host) +
             ") or run clang-tidy-" + std::to_string(Built.back()));
  }

  const std::string Plugin =
      Dir + "/defer-race-" + std::to_string(Host) + ".so";
  // RTLD_NOW: if a symbol is missing we want to say so here, not in the
  // middle of a run.
  if (!dlopen(Plugin.c_str(), RTLD_NOW | RTLD_LOCAL)) {
    const char *Why = dlerror();
    failLoad("cannot load " + Plugin + ": " + (Why ? Why : "unknown error"));
  }
}

} // namespace
} // namespace defer_race

namespace {
__attribute__((constructor)) void deferRaceLoaderInit() {
  defer_race::loadPluginForHost();
}
} // namespace
