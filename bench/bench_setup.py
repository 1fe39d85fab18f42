"""What both benchmark paths share: the methods' settings, the same compile and unfreeze steps,
and the arithmetic each method must do (``bench_lesson.py``)."""

from __future__ import annotations

import resource
import time

from santa_lib.internals.records import METHOD_DEFAULTS

# FLOPs of VGG19 at 64x64 (multiply-add = 2 FLOPs): forward per image, and the share of blocks 1-4
FORWARD_GFLOP = 3.185
BLOCKS_1_TO_4_GFLOP = 2.883
BLOCK5_GFLOP = FORWARD_GFLOP - BLOCKS_1_TO_4_GFLOP
HEAD2_GFLOP = 2 * (2048 * 132 + 132) * 1e-9
HEAD1_GFLOP = 2 * (2048 * 256 + 256) * 1e-9
NOTEBOOKS = {"m1": "01_feature_extraction", "m2": "02_frozen_base_augmentation",
             "m3": "03_fine_tuning"}
SETTINGS = {method: {name: METHOD_DEFAULTS[notebook][name]
                     for name in ("epochs", "batch_size", "learning_rate")}
            for method, notebook in NOTEBOOKS.items()}
"""Each method's training settings: its notebook's defaults (one home, ``METHOD_DEFAULTS``,
which a unit test keeps equal to the notebooks' ``parameters`` cells)."""
METHODS = ("m1", "m2", "m3")


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def matmul_peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Best-of-``repeats`` fp32 ``keras.ops.matmul`` throughput on a size^3 product, on the
    backend's device (the result is brought back to the host, so the clock waits for it)."""
    import keras

    a = keras.random.normal((size, size))
    b = keras.random.normal((size, size))
    keras.ops.convert_to_numpy(keras.ops.matmul(a, b))
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        keras.ops.convert_to_numpy(keras.ops.matmul(a, b))
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def scaled(epochs: int, fraction: float) -> int:
    """``fraction`` of ``epochs``, rounded, at least 1."""
    return max(1, round(epochs * fraction))


def flops(epochs: dict[str, int], n_train: int, n_val: int, n_test: int,
          validation_every_epoch: bool) -> dict[str, float]:
    """GFLOPs each method must do (forward, plus backward of what trains)."""
    n_all = n_train + n_val + n_test
    m1 = n_all * FORWARD_GFLOP + epochs["m1"] * (3 * HEAD1_GFLOP) * (n_train + n_val)
    val2 = epochs["m2"] * n_val * FORWARD_GFLOP if validation_every_epoch else n_val * FORWARD_GFLOP
    m2 = epochs["m2"] * n_train * (FORWARD_GFLOP + 2 * HEAD2_GFLOP) + val2 + n_test * FORWARD_GFLOP
    val3 = (epochs["m3"] * n_val * FORWARD_GFLOP if validation_every_epoch
            else n_val * BLOCKS_1_TO_4_GFLOP + epochs["m3"] * n_val * BLOCK5_GFLOP)
    m3 = (epochs["m3"] * n_train * (FORWARD_GFLOP + 2 * BLOCK5_GFLOP) + val3
          + n_test * FORWARD_GFLOP)
    return {"m1": m1, "m2": m2, "m3": m3}


def compile_binary(model, learning_rate: float) -> None:
    """Both paths compile the same way: RMSprop, binary cross-entropy, accuracy."""
    import keras

    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
                  loss="binary_crossentropy", metrics=["accuracy"])


def unfreeze_block5(base) -> None:
    """Both paths unfreeze the same way: the base trainable from block5_conv1 on, by name."""
    base.trainable = True
    unfrozen = False
    for layer in base.layers:
        unfrozen = unfrozen or layer.name == "block5_conv1"
        layer.trainable = unfrozen
