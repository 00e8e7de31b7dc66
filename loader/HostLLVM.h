//===--- HostLLVM.h - Which LLVM is the process we are loaded into? -------===//
//
// Shared by the version-dispatching loader (defer-race.so) and by the
// versioned plugin (defer-race-N.so). It uses only libc and the dynamic
// linker, never a clang or LLVM symbol, so it works in a process of any LLVM
// version, and even in one that has no LLVM at all.
//
//===----------------------------------------------------------------------===//

#ifndef DEFER_RACE_LOADER_HOSTLLVM_H
#define DEFER_RACE_LOADER_HOSTLLVM_H

#include <string>

namespace defer_race {

/// The LLVM major version of the running process, read from the soname of the
/// libclang-cpp or libLLVM it has mapped ("libclang-cpp.so.14",
/// "libclang-cpp.so.19.1", "libLLVM-15.so.1", "libLLVM.so.22.1"), or from the
/// path of its executable ("/usr/lib/llvm-16/bin/clang-tidy").
///
/// Returns 0 when nothing tells, for example in a statically linked tool.
/// \p Evidence, when given, receives what the answer was read from.
int hostLLVMMajor(std::string *Evidence = nullptr);

/// Reports a version problem on one line of stderr and ends the process.
/// Used from library constructors, where nothing else can be done cleanly.
[[noreturn]] void failLoad(const std::string &Message);

} // namespace defer_race

#endif // DEFER_RACE_LOADER_HOSTLLVM_H
