//===--- HostLLVM.cpp - Which LLVM is the process we are loaded into? -----===//

#include "HostLLVM.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <link.h>
#include <unistd.h>

namespace defer_race {
namespace {

// Reads the decimal number at S, or returns 0.
int leadingNumber(const char *S) {
  int N = 0;
  for (; *S >= '0' && *S <= '9'; ++S)
    N = N * 10 + (*S - '0');
  return N;
}

// Major version encoded in a shared-object file name, or 0.
int majorFromSoname(const char *Path) {
  const char *Base = std::strrchr(Path, '/');
  Base = Base ? Base + 1 : Path;
  // libclang-cpp.so.14, libclang-cpp.so.19.1
  static const char ClangCpp[] = "libclang-cpp.so.";
  if (std::strncmp(Base, ClangCpp, sizeof(ClangCpp) - 1) == 0)
    return leadingNumber(Base + sizeof(ClangCpp) - 1);
  // libLLVM-14.so.1 (up to LLVM 17), libLLVM.so.19.1 (from LLVM 18)
  static const char LLVMDash[] = "libLLVM-";
  if (std::strncmp(Base, LLVMDash, sizeof(LLVMDash) - 1) == 0)
    return leadingNumber(Base + sizeof(LLVMDash) - 1);
  static const char LLVMDot[] = "libLLVM.so.";
  if (std::strncmp(Base, LLVMDot, sizeof(LLVMDot) - 1) == 0)
    return leadingNumber(Base + sizeof(LLVMDot) - 1);
  return 0;
}

struct SonameScan {
  int ClangCpp = 0;
  int LLVM = 0;
  std::string ClangCppPath, LLVMPath;
};

int visitObject(struct dl_phdr_info *Info, size_t, void *Data) {
  auto *Scan = static_cast<SonameScan *>(Data);
  if (!Info->dlpi_name || !*Info->dlpi_name)
    return 0;
  int Major = majorFromSoname(Info->dlpi_name);
  if (!Major)
    return 0;
  if (std::strstr(Info->dlpi_name, "libclang-cpp")) {
    Scan->ClangCpp = Major;
    Scan->ClangCppPath = Info->dlpi_name;
  } else {
    Scan->LLVM = Major;
    Scan->LLVMPath = Info->dlpi_name;
  }
  return 0;
}

// "/usr/lib/llvm-16/bin/clang-tidy" -> 16
int majorFromExecutable(std::string *Path) {
  char Buf[4096];
  ssize_t Len = readlink("/proc/self/exe", Buf, sizeof(Buf) - 1);
  if (Len <= 0)
    return 0;
  Buf[Len] = '\0';
  const char *At = std::strstr(Buf, "/llvm-");
  if (!At)
    return 0;
  *Path = Buf;
  return leadingNumber(At + std::strlen("/llvm-"));
}

} // namespace

int hostLLVMMajor(std::string *Evidence) {
  SonameScan Scan;
  dl_iterate_phdr(visitObject, &Scan);
  if (Scan.ClangCpp) {
    if (Evidence)
      *Evidence = Scan.ClangCppPath;
    return Scan.ClangCpp;
  }
  if (Scan.LLVM) {
    if (Evidence)
      *Evidence = Scan.LLVMPath;
    return Scan.LLVM;
  }
  // LLVM 16 and later export a C entry point with the version.
  using GetVersionFn = void (*)(unsigned *, unsigned *, unsigned *);
  if (auto *GetVersion = reinterpret_cast<GetVersionFn>(
          dlsym(RTLD_DEFAULT, "LLVMGetVersion"))) {
    unsigned Major = 0, Minor = 0, Patch = 0;
    GetVersion(&Major, &Minor, &Patch);
    if (Evidence)
      *Evidence = "LLVMGetVersion()";
    return static_cast<int>(Major);
  }
  std::string Exe;
  if (int Major = majorFromExecutable(&Exe)) {
    if (Evidence)
      *Evidence = Exe;
    return Major;
  }
  return 0;
}

void failLoad(const std::string &Message) {
  std::string Line =
      "defer-race " DEFER_RACE_VERSION ": error: " + Message + "\n";
  // stderr is unbuffered; write it in one call so it stays one line even when
  // other threads print.
  (void)!write(STDERR_FILENO, Line.data(), Line.size());
  // We run inside dlopen(), holding the loader lock; _exit avoids running the
  // host's static destructors from there.
  _exit(1);
}

} // namespace defer_race
