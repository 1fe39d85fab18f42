"""TensorFlow's start-up lines kept out of notebooks and terminals (every notebook, via import).

On CPUs where TensorFlow turns oneDNN on by default (AVX512-VNNI, AVX512-BF16, AMX: most current
Xeons, AMD Zen 4), importing TensorFlow 2.21 writes lines such as "WARNING: All log messages
before absl::InitializeLog() is called are written to STDERR" and "oneDNN custom operations are
on ..." straight to the process's standard error, from C++, twice. ``TF_CPP_MIN_LOG_LEVEL`` does
not silence them, and Jupyter shows whatever reaches that file descriptor as red stderr output.

Importing ``santa_lib`` (any of its modules) installs :class:`QuietTensorFlowImport`: the first
``import tensorflow`` that follows, direct or through ``import keras``, runs with file descriptor
2 pointed at the null device, and only while TensorFlow's own module executes. Errors still
raise as usual; Python-level warnings in Jupyter are unaffected (they do not use descriptor 2).
Set ``TF_CPP_MIN_LOG_LEVEL=0`` before importing santa_lib to see TensorFlow's start-up lines.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.util
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stderr_descriptor_silenced() -> Iterator[None]:
    """Point file descriptor 2 at the null device for the block (C++ libraries write there)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


class _SilencedLoader(importlib.abc.Loader):
    """Runs another loader's module with standard error silenced; everything else passes on."""

    def __init__(self, loader) -> None:
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        with stderr_descriptor_silenced():
            self._loader.exec_module(module)

    def __getattr__(self, name: str):
        return getattr(self._loader, name)


class QuietTensorFlowImport(importlib.abc.MetaPathFinder):
    """A one-shot import hook: the first ``import tensorflow`` runs with stderr silenced."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        sys.meta_path.remove(self)  # one shot; the real finders do the finding
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _SilencedLoader(spec.loader)
        return spec


def install() -> None:
    """Silence TensorFlow's start-up lines, unless it is imported already or the user asked."""
    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        return
    if not any(isinstance(finder, QuietTensorFlowImport) for finder in sys.meta_path):
        sys.meta_path.insert(0, QuietTensorFlowImport())
