"""The lit test format of the examples: each .cpp file is one test, run by
run_example.py. A module of its own so that lit's worker processes can load
it."""

import os
import subprocess

import lit.formats
import lit.Test


class ExampleFormat(lit.formats.FileBasedTest):
    def execute(self, test, lit_config):
        config = test.config
        if config.unsupported:
            return (lit.Test.UNSUPPORTED,
                    "examples run on LLVM 14 and 22 "
                    "(DEFER_RACE_EXAMPLES=all runs them everywhere)")
        source = test.getSourcePath()
        # `// min-llvm: N`: the example needs Clang N (a language feature
        # older Clangs reject).
        with open(source, encoding="utf-8") as f:
            for line in f:
                if line.startswith("// min-llvm:") and \
                        int(config.llvm_major) < int(line.split(":")[1]):
                    return (lit.Test.UNSUPPORTED,
                            "needs LLVM %s" % line.split(":")[1].strip())
        work = os.path.join(test.suite.exec_root, "Output",
                            os.path.relpath(source, test.suite.source_root))
        command = [
            config.python,
            os.path.join(test.suite.source_root, "run_example.py"),
            "--clang-tidy", config.clang_tidy,
            "--clangxx", os.path.join(config.llvm_tools_dir, "clang++"),
            "--plugin", os.path.join(config.plugin_dir, "defer-race.so"),
            "--work", work,
            "--results", os.path.join(test.suite.exec_root, "results.txt"),
            source,
        ]
        proc = subprocess.run(command, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        output = proc.stdout.decode(errors="replace")
        return (lit.Test.PASS if proc.returncode == 0 else lit.Test.FAIL,
                output)
