"""Method 1: run the frozen base once over every image and keep the result (home notebook: 01).

The feature extractor is a model that takes raw pictures (preprocessing layer, then the base).
Its outputs depend only on the images, its layers and weights, and the precision of the
arithmetic, so they are cached on disk under a key made of exactly those: re-running the notebook
reads them back in a fraction of a second, and any change (other photos, image size, weights,
precision) computes them anew. The same cache serves method 2's validation pictures
(:class:`santa_lib.training.FrozenFrontValidation`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from santa_lib.data import Split
from santa_lib.internals.backend import compiled_forward
from santa_lib.internals.cache import (
    arrays_fingerprint,
    cache_key,
    default_cache_dir,
    load_array,
    save_array,
)
from santa_lib.internals.files import atomic_write_text
from santa_lib.internals.timing import Stopwatch


def weights_fingerprint(model) -> str:
    """Identify a model's current weights by their exact values."""
    return arrays_fingerprint(model.get_weights())


def run_model(model, images: np.ndarray, batch_size: int = 64) -> np.ndarray:
    """``model``'s output for raw uint8 pictures, in large batches of one compiled call each
    (:func:`santa_lib.internals.backend.compiled_forward`).

    A short last batch is padded to ``batch_size``, so the graph is traced once per model,
    not once per split size.
    """
    forward = compiled_forward(model)
    outputs = []
    for start in range(0, len(images), batch_size):
        batch = images[start:start + batch_size].astype("float32")
        count = len(batch)
        if count < batch_size:
            padding = np.zeros((batch_size - count, *batch.shape[1:]), dtype=batch.dtype)
            batch = np.concatenate([batch, padding])
        outputs.append(forward(batch)[:count])
    if not outputs:
        return np.zeros((0, *model.output_shape[1:]), dtype="float32")
    return np.concatenate(outputs)


def outputs_path(model, images: np.ndarray, cache_dir: str | os.PathLike | None = None,
                 weights_id: str | None = None) -> Path:
    """The cache file for ``model``'s outputs on ``images``."""
    key = cache_key(
        "features-v2",
        arrays_fingerprint([images]),
        weights_id or weights_fingerprint(model),
        # the computing layers, preprocessing included (a Sequential's list has no InputLayer,
        # a functional model's has one: the same computation gets the same key either way)
        [type(layer).__name__ for layer in model.layers if type(layer).__name__ != "InputLayer"],
        list(model.output_shape[1:]),
        model.dtype_policy.name,  # float32 and bfloat16 outputs differ
    )
    return Path(cache_dir or default_cache_dir()) / "features" / f"{key}.npy"


def cached_outputs(model, images: np.ndarray, batch_size: int = 64,
                   cache_dir: str | os.PathLike | None = None,
                   weights_id: str | None = None) -> tuple[np.ndarray, bool, float]:
    """``run_model(model, images)`` through the disk cache; also whether it was cached, and the
    seconds computing it took (now, or when it was computed and cached)."""
    path = outputs_path(model, images, cache_dir, weights_id)
    cached = load_array(path)
    took = path.with_suffix(".json")
    if cached is not None and cached.shape == (len(images), *model.output_shape[1:]):
        try:
            return cached, True, float(json.loads(took.read_text())["seconds"])
        except (OSError, ValueError, KeyError, TypeError):
            pass  # no record of its cost: compute it again, and keep the cost this time
    timer = Stopwatch()
    outputs = run_model(model, images, batch_size)
    seconds = timer.seconds
    save_array(path, outputs)
    atomic_write_text(took, json.dumps({"seconds": seconds}))
    return outputs, False, seconds


class Features(dict):
    """Each split's features by split name (a dict), with what computing them cost:
    ``seconds`` (all splits, now or when they were cached) and ``seconds_now`` (the part
    computed in this call; the rest was read back from the cache)."""

    seconds: float = 0.0
    seconds_now: float = 0.0


def extract_features(feature_extractor, *splits: Split, batch_size: int = 64,
                     cache_dir: str | os.PathLike | None = None) -> Features:
    """``feature_extractor``'s output for each split's pictures, by split name, from the cache
    when it has them.

    What ``feature_extractor.predict(split.images)`` gives, split by split, computed by one graph
    call per batch of 64 and kept on disk with the time it took. Prints, for each split, whether
    its features were computed now or read back from the cache, and how long computing them took.
    """
    weights_id = weights_fingerprint(feature_extractor)
    features = Features()
    for split in splits:
        features[split.name], cached, seconds = cached_outputs(
            feature_extractor, split.images, batch_size, cache_dir, weights_id)
        features.seconds += seconds
        features.seconds_now += 0.0 if cached else seconds
        how = (f"read from the cache (computing them took {seconds:.1f} s)" if cached
               else f"computed in {seconds:.1f} s")
        print(f"{split.name:<10} {len(split):>4} pictures: features {how}")
    return features
