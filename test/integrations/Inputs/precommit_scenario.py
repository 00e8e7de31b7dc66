#!/usr/bin/env python3
"""Drives Debian's real pre-commit through the defer-race hook.

  precommit_scenario.py WORKDIR --source-root ROOT --cxx CLANGXX
      [--quick] -- HOOK-ARG...

1. WORKDIR/hook-repo: a git repository holding this checkout's
   .pre-commit-hooks.yaml and tools/integrations/, as pre-commit would clone
   it from the project's site.
2. WORKDIR/proj: a project repository whose .pre-commit-config.yaml uses the
   hook from hook-repo with HOOK-ARGs, its build/compile_commands.json, and
   `pre-commit install`.
3. Commits, each printed with its exit status and output: the racy
   src/handler.cpp (refused), its fixed twin (accepted) and, unless --quick,
   a change to a racy header, a file that does not compile and a file that
   is not in the compilation database (all refused).
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from make_project import make_project  # noqa: E402


def run(command, cwd, env, check=True):
    proc = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    out = proc.stdout.decode(errors="replace")
    if check and proc.returncode != 0:
        sys.exit("precommit_scenario: %s failed (%d):\n%s" %
                 (" ".join(command), proc.returncode, out))
    return proc.returncode, out


def commit(title, files, proj, env):
    """Stages files ({path: content}) and commits; prints what happened."""
    for path, content in files.items():
        full = os.path.join(proj, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(content)
    run(["git", "add", "--"] + list(files), proj, env)
    status, out = run(["git", "commit", "-q", "-m", title], proj, env,
                      check=False)
    print("=== %s: exit %d" % (title, status))
    print(out.rstrip())
    if status != 0:
        # Leave the index clean for the next step.
        run(["git", "reset", "-q", "--hard", "HEAD"], proj, env)
        for path in files:
            if os.path.exists(os.path.join(proj, path)):
                run(["git", "clean", "-q", "-f", "--", path], proj, env)
    return status


def main():
    argv = sys.argv[1:]
    hook_args = []
    if "--" in argv:
        cut = argv.index("--")
        argv, hook_args = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("workdir")
    parser.add_argument("--source-root", required=True)
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)

    work = os.path.abspath(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    home = os.path.join(work, "home")
    os.makedirs(home)
    env = dict(os.environ)
    env.update({
        "HOME": home, "PRE_COMMIT_HOME": os.path.join(work, "cache"),
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com", "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    })
    # Not the clang-tidy of the environment: only what the hook args say.
    env.pop("DEFER_RACE_CLANG_TIDY", None)
    env.pop("DEFER_RACE_LOAD", None)

    hook_repo = os.path.join(work, "hook-repo")
    os.makedirs(hook_repo)
    shutil.copy(os.path.join(args.source_root, ".pre-commit-hooks.yaml"),
                hook_repo)
    shutil.copytree(os.path.join(args.source_root, "tools", "integrations"),
                    os.path.join(hook_repo, "tools", "integrations"),
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    run(["git", "init", "-q", "-b", "main"], hook_repo, env)
    run(["git", "add", "."], hook_repo, env)
    run(["git", "commit", "-q", "-m", "defer-race hook"], hook_repo, env)
    _, rev = run(["git", "rev-parse", "HEAD"], hook_repo, env)

    proj = os.path.join(work, "proj")
    make_project(proj, args.cxx, ["handler.cpp", "broken.cpp"])
    src = os.path.join(proj, "src")
    with open(os.path.join(src, "handler.cpp")) as f:
        racy = f.read()
    with open(os.path.join(src, "joined.cpp")) as f:
        fixed = f.read()
    with open(os.path.join(src, "broken.cpp")) as f:
        broken = f.read()
    with open(os.path.join(proj, "include", "audit.h")) as f:
        racy_header = f.read().replace(" audited", " checked")
    # The project starts with its headers only; the hook is installed after.
    for name in os.listdir(src):
        os.remove(os.path.join(src, name))

    quoted = ", ".join("'%s'" % a.replace("'", "''") for a in hook_args)
    with open(os.path.join(proj, ".pre-commit-config.yaml"), "w") as f:
        f.write("repos:\n"
                "  - repo: %s\n"
                "    rev: %s\n"
                "    hooks:\n"
                "      - id: defer-race\n"
                "        args: [%s]\n" % (hook_repo, rev.strip(), quoted))
    with open(os.path.join(proj, ".gitignore"), "w") as f:
        f.write("build/\n")
    run(["git", "init", "-q", "-b", "main"], proj, env)
    run(["git", "add", "."], proj, env)
    run(["git", "commit", "-q", "-m", "project"], proj, env)
    run(["pre-commit", "install"], proj, env)

    commit("racy", {"src/handler.cpp": racy}, proj, env)
    commit("fixed", {"src/handler.cpp": fixed}, proj, env)
    if args.quick:
        return
    commit("racy header", {"include/audit.h": racy_header}, proj, env)
    commit("broken", {"src/broken.cpp": broken}, proj, env)
    commit("not in the database", {"src/extra.cpp": fixed}, proj, env)


if __name__ == "__main__":
    main()
