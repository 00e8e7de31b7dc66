"""The corpus: which Debian source packages, how each is configured, and
which translation units of it the benchmark analyses.

Everything fetched or generated lives under bench/work/ (git-ignored):
  work/src/<package>-<version>/   unpacked by `apt-get source`
  work/build/<project>/           configured tree with compile_commands.json
Each step leaves a stamp file, so re-running skips what is done.
"""
import glob
import json
import os
import shlex
import subprocess

LLVM = os.environ.get("BENCH_LLVM", "22")
LLVM_BIN = "/usr/lib/llvm-%s/bin" % LLVM
CC = LLVM_BIN + "/clang"
CXX = LLVM_BIN + "/clang++"

DEB_SRC_FILE = "/etc/apt/sources.list.d/defer-race-bench-src.sources"
DEB_SRC = """Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""
DEB_SRC_SECURITY = """
Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""

CMAKE_COMMON = [
    "-G", "Ninja", "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON",
    "-DCMAKE_BUILD_TYPE=Release",
    "-DCMAKE_C_COMPILER=" + CC, "-DCMAKE_CXX_COMPILER=" + CXX,
]


class Project:
    """One Debian source package and how to get a compilation database."""

    def __init__(self, name, package, why, build, options=(), generate=()):
        self.name = name          # short name used in tables and the reviewed list
        self.package = package    # Debian source package
        self.why = why            # what in it exercises the checks
        self.build = build        # "cmake", "cmake:<subdir>" or "autotools"
        self.options = list(options)
        self.generate = list(generate)  # build targets that generate sources

    def src_dir(self, work):
        found = sorted(d for d in glob.glob(os.path.join(work, "src", self.package + "-*"))
                       if os.path.isdir(d))
        if not found:
            raise RuntimeError("no unpacked source for " + self.package)
        return found[-1]

    def version(self, work):
        return os.path.basename(self.src_dir(work))[len(self.package) + 1:]

    def build_dir(self, work):
        if self.build == "autotools":
            return self.src_dir(work)  # Debian builds these in the tree too
        return os.path.join(work, "build", self.name)


PROJECTS = [
    Project("icinga2", "icinga2",
            "own Defer guard, detached std::thread, JSON (nlohmann) and its own serializer",
            "cmake",
            ["-DICINGA2_UNITY_BUILD=OFF", "-DICINGA2_GIT_VERSION_INFO=false",
             "-DUSE_SYSTEMD=ON", "-DICINGA2_WITH_TESTS=ON"],
            generate=["Bin/Release/mkclass", "Bin/Release/mkembedconfig"]),
    Project("pdns-recursor", "pdns-recursor",
            "pdns::defer-style guards, many .detach(), protobuf/dnstap and JSON output",
            "autotools",
            ["--enable-unit-tests", "--with-libcap", "--with-libsodium", "--with-lua",
             "--with-net-snmp", "--enable-dns-over-tls", "--enable-dnstap",
             "--enable-systemd", "--disable-silent-rules"]),
    Project("spdlog", "spdlog", "async logger threads, thread pools",
            "cmake",
            ["-DSPDLOG_BUILD_EXAMPLE=ON", "-DSPDLOG_BUILD_EXAMPLE_HO=ON",
             "-DSPDLOG_BUILD_TESTS=ON", "-DSPDLOG_BUILD_TESTS_HO=ON",
             "-DSPDLOG_FMT_EXTERNAL=ON", "-DSPDLOG_BUILD_BENCH=ON"]),
    Project("nlohmann-json3", "nlohmann-json3",
            "the serializer itself: heavy templates, to_json/dump everywhere",
            "cmake", ["-DJSON_BuildTests=ON", "-DJSON_MultipleHeaders=ON"]),
    Project("protobuf", "protobuf",
            "serialization library with its own threads, once-init and cleanup code",
            "cmake:cmake", ["-Dprotobuf_BUILD_TESTS=OFF"]),
]


def run(cmd, log, cwd=None, env=None, shell=False):
    with open(log, "a") as out:
        out.write("\n$ %s\n" % (cmd if shell else " ".join(map(shlex.quote, cmd))))
        out.flush()
        subprocess.run(cmd, cwd=cwd, env=env, shell=shell, stdout=out,
                       stderr=subprocess.STDOUT, check=True)


def ensure_deb_src(log):
    """Adds bookworm's deb-src lines when apt has none, then updates."""
    have = False
    for path in glob.glob("/etc/apt/sources.list") + glob.glob("/etc/apt/sources.list.d/*"):
        if path.endswith((".list", ".sources")):
            with open(path) as f:
                text = f.read()
            if "deb-src" in text and "bookworm" in text:
                have = True
    if not have:
        with open(DEB_SRC_FILE, "w") as f:
            f.write(DEB_SRC + DEB_SRC_SECURITY)
    run(["apt-get", "update", "-qq"], log)


def fetch(work, projects, log):
    src = os.path.join(work, "src")
    os.makedirs(src, exist_ok=True)
    missing = [p for p in projects if not glob.glob(os.path.join(src, p.package + "-*/debian"))]
    stamp = os.path.join(work, "build-deps.stamp")
    wanted = " ".join(sorted(p.package for p in projects))
    if not missing and os.path.exists(stamp) and open(stamp).read() == wanted:
        return
    ensure_deb_src(log)
    if missing:
        run(["apt-get", "source", "-qq"] + [p.package for p in missing], log, cwd=src)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(["apt-get", "build-dep", "-y", "-qq", "--no-install-recommends"]
        + [p.package for p in projects], log, env=env)
    with open(stamp, "w") as f:
        f.write(wanted)


def configure(work, project, log):
    """Produces <build dir>/compile_commands.json, with generated sources."""
    build = project.build_dir(work)
    cdb = os.path.join(build, "compile_commands.json")
    if os.path.exists(cdb + ".stamp"):
        return cdb
    src = project.src_dir(work)
    if project.build.startswith("cmake"):
        sub = project.build.partition(":")[2]
        run(["cmake", "-S", os.path.join(src, sub), "-B", build] + CMAKE_COMMON + project.options,
            log)
        generate_cmake_sources(build, project, log)
    else:
        configure_autotools(src, project, log)
    with open(cdb + ".stamp", "w"):
        pass
    return cdb


def generate_cmake_sources(build, project, log):
    """Builds the generator tools a project needs, then runs each custom
    command that writes a source file, without compiling the project."""
    if not project.generate:
        return
    run(["ninja", "-C", build, "-j2"] + project.generate, log)
    targets = subprocess.run(["ninja", "-C", build, "-t", "targets", "all"], check=True,
                             capture_output=True, text=True).stdout.splitlines()
    outputs = []
    for line in targets:
        target, _, rule = line.rpartition(": ")
        if rule == "CUSTOM_COMMAND" and not target.startswith("/") and \
                target.endswith((".h", ".hh", ".hpp", ".c", ".cc", ".cpp", ".tcpp", ".inc")):
            outputs.append(target)
    for target in sorted(set(outputs)):
        if os.path.exists(os.path.join(build, target)):
            continue
        cmd = subprocess.run(["ninja", "-C", build, "-t", "commands", "-s", target], check=True,
                             capture_output=True, text=True).stdout.strip()
        if cmd:
            run(cmd, log, cwd=build, shell=True)


def configure_autotools(src, project, log):
    env = dict(os.environ, CC=CC, CXX=CXX)
    run(["autoreconf", "-fi"], log, cwd=src)
    run(["./configure"] + project.options, log, cwd=src, env=env)
    # Walk the build with a recording stand-in compiler: seconds, not a build.
    record = os.path.join(os.path.dirname(os.path.abspath(__file__)), "record_cc.py")
    jsonl = os.path.join(src, "compile_commands.jsonl")
    if os.path.exists(jsonl):
        os.remove(jsonl)
    env = dict(os.environ, BENCH_CDB_LOG=jsonl)
    with open(log, "a") as out:  # empty objects from an earlier walk would hide commands
        subprocess.run(["make", "-k", "clean"], cwd=src, stdout=out, stderr=subprocess.STDOUT)
    cmd = ["make", "-k", "-j2",
           "CC=python3 %s %s" % (record, CC), "CXX=python3 %s %s" % (record, CXX),
           "all", "check"]
    with open(log, "a") as out:
        subprocess.run(cmd, cwd=src, env=env, stdout=out, stderr=subprocess.STDOUT)
    entries, seen = [], set()
    with open(jsonl) as f:
        for line in f:
            entry = json.loads(line)
            if entry["file"] not in seen:
                seen.add(entry["file"])
                entries.append(entry)
    with open(os.path.join(src, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=1)


CXX_SUFFIXES = (".cc", ".cpp", ".cxx", ".C")


class TU:
    """One translation unit: its compile command, made ready to re-run."""

    def __init__(self, project, entry, src_root, build_dir):
        self.project = project
        self.directory = entry["directory"]
        self.file = os.path.normpath(os.path.join(self.directory, entry["file"]))
        self.build_dir = build_dir
        self.src_root = src_root
        args = entry.get("arguments") or shlex.split(entry["command"])
        self.args = args

    @property
    def rel(self):
        for root in (self.src_root, self.build_dir):
            if self.file.startswith(root + "/"):
                return os.path.relpath(self.file, root)
        return self.file

    def syntax_only_command(self):
        """The compile command with -fsyntax-only in place of -c/-o and
        dependency-file output."""
        out, skip = [CXX], False
        for a in self.args[1:]:
            if skip:
                skip = False
                continue
            if a in ("-o", "-MF", "-MT", "-MQ"):
                skip = True
                continue
            if a in ("-c", "-MD", "-MMD", "-MP") or a.startswith(("-o", "-MF", "-MT")):
                continue
            out.append(a)
        return out + ["-fsyntax-only"]


def translation_units(work, project):
    build = project.build_dir(work)
    src = project.src_dir(work)
    with open(os.path.join(build, "compile_commands.json")) as f:
        entries = json.load(f)
    tus, seen = [], set()
    for entry in entries:
        tu = TU(project, entry, src, build)
        if not tu.file.endswith(CXX_SUFFIXES) or tu.file in seen:
            continue  # C files have no lambdas; one command per file
        if "/CMakeFiles/" in tu.file:
            continue
        seen.add(tu.file)
        tus.append(tu)
    return sorted(tus, key=lambda t: t.rel)
