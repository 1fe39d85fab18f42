"""Where a run ran: the machine and the libraries, kept in every record (notebooks 01-04) and in
a sweep's summary, because a seed repeats a figure only on the same machine and backend.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sys
from importlib import metadata

LIBRARIES = ("keras", "tensorflow", "tensorflow-cpu", "jax", "jaxlib", "torch", "numpy")
"""The libraries whose versions decide a run's numbers, as far as they are installed."""

THREAD_LIMITS = ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS")
"""What holds a kernel's TensorFlow (and PyTorch: ``OMP_NUM_THREADS``) to a number of threads (a
sweep with several runs at once sets them for its kernels; JAX reads ``XLA_FLAGS``)."""


FEATURES = ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16")
"""The CPU features that decide TensorFlow's speed and numerics here (bfloat16 where native)."""


def machine(cpuinfo: str = "/proc/cpuinfo") -> str:
    """The CPU's model name, core count and features: ``"Intel(R) Xeon(R) Processor, 2 cores
    (avx2 avx512f avx512_vnni avx512_bf16)"``. Two CPUs of one name can differ in features,
    and so in numbers: a seed repeats a figure only where this line is the same."""
    try:
        with open(cpuinfo, encoding="utf-8") as file:
            lines = file.read().splitlines()
    except OSError:
        lines = []
    name = next((line.split(":", 1)[1].strip() for line in lines
                 if line.startswith("model name")), "")
    flags = set(next((line.split(":", 1)[1].split() for line in lines
                      if line.startswith("flags")), []))
    name = name or platform.processor() or platform.machine() or "unknown CPU"
    cores = os.cpu_count() or 1
    features = " ".join(feature for feature in FEATURES if feature in flags)
    return (f"{name}, {cores} core{'s' if cores != 1 else ''}"
            + (f" ({features})" if features else ""))


def library_versions() -> dict[str, str]:
    """The installed versions of :data:`LIBRARIES` (those installed), and Python's."""
    versions = {"python": platform.python_version()}
    for library in LIBRARIES:
        try:
            versions[library] = metadata.version(library)
        except metadata.PackageNotFoundError:
            continue
    return versions


def environment() -> dict[str, object]:
    """This process's machine, host name, libraries and thread limits, for a record."""
    return {"machine": machine(), "host": socket.gethostname(),
            "platform": f"{sys.platform} {platform.machine()}",
            "libraries": library_versions(),
            "threads": {name: os.environ[name] for name in (*THREAD_LIMITS, "XLA_FLAGS")
                        if name in os.environ}}


def keras_home() -> str:
    """Keras' home folder, found as Keras finds it when it is imported, without importing it:
    ``$KERAS_HOME``, else ``~/.keras`` (``/tmp/.keras`` where the home folder is read-only)."""
    if "KERAS_HOME" in os.environ:
        return os.environ["KERAS_HOME"]
    base = os.path.expanduser("~")
    return os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")


def configured_backend() -> str:
    """The Keras backend Keras will pick, read as Keras reads it, without importing Keras:
    ``KERAS_BACKEND``, else the ``backend`` of ``keras.json`` in :func:`keras_home`, else
    ``tensorflow``."""
    chosen = os.environ.get("KERAS_BACKEND")
    if not chosen:
        try:
            with open(os.path.join(keras_home(), "keras.json"), encoding="utf-8") as file:
                chosen = json.load(file).get("backend")
        except (OSError, ValueError, AttributeError):
            chosen = None
    return chosen or "tensorflow"
