"""TensorFlow's start-up lines stay out of standard error once santa_lib is imported.

TensorFlow prints absl and oneDNN lines where oneDNN is on, the default on AVX512-VNNI/BF16 and
AMX CPUs; ``TF_ENABLE_ONEDNN_OPTS=1`` turns it on on any x86 CPU, and without
``TF_CPP_MIN_LOG_LEVEL`` TensorFlow also reports the CPU instructions its build does not use, so
the check can fail on every machine.
"""

import os
import subprocess
import sys

import pytest

ONEDNN_ON = {**os.environ, "TF_ENABLE_ONEDNN_OPTS": "1"}
ONEDNN_ON.pop("TF_CPP_MIN_LOG_LEVEL", None)


def stderr_of(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], env=ONEDNN_ON, capture_output=True,
                          text=True, check=True).stderr


def test_without_santa_lib_tensorflow_writes_start_up_lines():
    assert stderr_of("import keras").strip()  # what the next test must keep out


@pytest.mark.parametrize("code", [
    "import santa_lib.internals.params\nimport keras\nkeras.ops.add(1, 2)",
    "from santa_lib.training import batches_in_order",
    "import santa_lib\nimport tensorflow as tf\nprint(tf.constant(1).numpy())",
])
def test_importing_santa_lib_first_keeps_stderr_empty(code):
    assert stderr_of(code) == ""


def test_errors_during_the_import_still_reach_the_user():
    code = "import santa_lib, sys\nsys.stderr.write('after\\n')\nimport keras\nimport nope"
    result = subprocess.run([sys.executable, "-c", code], env=ONEDNN_ON, capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert result.stderr.startswith("after\n")
    assert "ModuleNotFoundError: No module named 'nope'" in result.stderr
