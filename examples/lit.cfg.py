# lit configuration for the runnable examples: each .cpp file under
# examples/ is one test, run by run_example.py (see its docstring for the
# declarations an example carries). Loaded from the lit.site.cfg.py that CMake
# writes into build/llvm-<major>/examples/.

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from example_format import ExampleFormat  # noqa: E402

config.name = "defer-race examples (LLVM %s)" % config.llvm_major
config.test_format = ExampleFormat()
config.suffixes = [".cpp"]
config.test_source_root = os.path.dirname(os.path.abspath(__file__))
config.test_exec_root = os.path.join(config.binary_root, "examples")

# Sanitizer builds are slow: the examples run on the oldest and the newest
# supported LLVM, the minimum. DEFER_RACE_EXAMPLES=all runs them on
# every version.
if config.llvm_major not in ("14", "22") and \
        os.environ.get("DEFER_RACE_EXAMPLES") != "all":
    config.unsupported = True

results = os.path.join(config.test_exec_root, "results.txt")
if os.path.exists(results):
    os.remove(results)
