"""Where the lesson keeps what it computes once, and the keys that name each entry.

The cache holds the generated data set, the 2022 photos, calibrated random weights, extracted
features, the model trained by notebook 02 and each method's results.
Every entry is named by a key built from everything that determines it, and written atomically
(:mod:`santa_lib.internals.files`): two notebooks running at once never see a half
written file, and re-running a notebook with other parameters never picks up a stale result.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from santa_lib.internals.files import atomic_write


def default_cache_dir() -> Path:
    """``$SANTA_LIB_CACHE``, else ``$XDG_CACHE_HOME/santa_lib``, else ``~/.cache/santa_lib``."""
    if os.environ.get("SANTA_LIB_CACHE"):
        return Path(os.environ["SANTA_LIB_CACHE"]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "santa_lib"
    return Path.home() / ".cache" / "santa_lib"


def bench_record_path(cache_dir: str | os.PathLike | None = None) -> Path:
    """Where ``bench/bench_lesson.py`` keeps its last full timing of the lesson's path (its
    machine, backend, seconds per method), for ``make lessons``' report to set each method
    notebook's time beside."""
    return Path(cache_dir or default_cache_dir()) / "bench" / "lesson-path.json"


def cache_key(*parts: object) -> str:
    """A short stable hex key for JSON-serialisable parts."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def arrays_fingerprint(arrays: Iterable[np.ndarray]) -> str:
    """Identify arrays (such as a model's weights) by their exact bytes."""
    digest = hashlib.blake2b(digest_size=12)
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype}{array.shape}".encode())
        digest.update(array.data)
    return digest.hexdigest()


def save_array(path: os.PathLike | str, array: np.ndarray) -> Path:
    """Write one array as ``.npy`` atomically."""

    def write(temp: Path) -> None:
        with open(temp, "wb") as handle:
            np.save(handle, array)

    return atomic_write(path, write)


def load_array(path: os.PathLike | str) -> np.ndarray | None:
    """Read an array written by :func:`save_array`; None when absent or unreadable."""
    try:
        return np.load(path, allow_pickle=False)
    except (OSError, ValueError):
        return None
