# lit configuration for defer-race. Loaded from the lit.site.cfg.py that CMake
# writes into each build directory, so every path below belongs to the LLVM
# that build uses: the clang-tidy on PATH is never consulted.

import glob
import os
import subprocess

import lit.formats

config.name = "defer-race (LLVM %s)" % config.llvm_major
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".c", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = os.path.join(config.binary_root, "test")

tools = config.llvm_tools_dir
clangxx = os.path.join(tools, "clang++")

# FileCheck, not, count and clang-tidy resolve to this LLVM's copies first.
config.environment["PATH"] = os.pathsep.join(
    [tools, config.environment.get("PATH", os.environ.get("PATH", ""))])
for var in ["HOME", "TMPDIR", "LANG"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

loader = os.path.join(config.plugin_dir, "defer-race.so")
versioned = os.path.join(config.plugin_dir,
                         "defer-race-%s.so" % config.llvm_major)
driver = os.path.join(config.test_source_root, "check_defer_race.py")

config.substitutions.append(
    ("%check_defer_race",
     "%s %s --clang-tidy %s --filecheck %s --plugin %s --clangxx %s" %
     (config.python, driver, config.clang_tidy, config.filecheck, loader,
      clangxx)))
config.substitutions.append(("%clang_tidy", config.clang_tidy))
config.substitutions.append(("%clangxx", clangxx))
config.substitutions.append(("%loader", loader))
config.substitutions.append(("%versioned_plugin", versioned))
config.substitutions.append(("%llvm_major", config.llvm_major))
config.substitutions.append(("%python", config.python))
config.substitutions.append(("%source_root", config.source_root))
config.substitutions.append(("%bin_dir", config.bin_dir))
config.substitutions.append(("%llvm_tools_dir", tools))
# Headers for libraries Debian lacks (folly, <experimental/scope>,
# Boost.Scope), and LLVM's own headers for llvm::make_scope_exit.
config.substitutions.append(
    ("%test_include", os.path.join(config.test_source_root, "Inputs", "include")))
config.substitutions.append(
    ("%llvm_include", os.path.join(os.path.dirname(tools), "include")))

config.available_features.add("llvm-%s" % config.llvm_major)

# Other installed clang-tidy versions, for the version-mismatch tests.
others = []
for path in sorted(glob.glob("/usr/lib/llvm-*/bin/clang-tidy")):
    major = path.split("/")[3][len("llvm-"):]
    if major != config.llvm_major and major.isdigit():
        others.append(major)
if others:
    config.available_features.add("other-clang-tidy")
config.substitutions.append(("%other_llvm_majors", " ".join(others)))


def compiles(source, flags=()):
    """Whether this LLVM's clang accepts the snippet: probes for headers
    that only some versions can parse."""
    if not os.path.exists(clangxx):
        return False
    try:
        proc = subprocess.run(
            [clangxx, "-fsyntax-only", "-x", "c++", "-std=c++17", *flags, "-"],
            input=source.encode(), stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


# RapidJSON 1.1.0's document.h does not compile with clang 22.
if compiles("#include <rapidjson/document.h>\n"):
    config.available_features.add("rapidjson-document")

qt_include = "/usr/include/x86_64-linux-gnu/qt5"
config.substitutions.append(
    ("%qt_flags", "-isystem %s -isystem %s/QtCore -fPIC" %
     (qt_include, qt_include)))
