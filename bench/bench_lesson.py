"""Benchmark: the full lesson's three methods, a seed-style baseline against santa_lib's path.

    python bench/bench_lesson.py [--epoch-fraction F] [--skip-baseline] [--bf16]

Each path runs in its own child process, on the embedded data at the reference sizes (542 / 200 /
180), VGG19 at 64x64 with random weights (they cost the same as ImageNet ones), with the same
images, augmented samples per epoch, epochs and hyper-parameters:

- baseline: written the straightforward way the 2022 lesson does it, in Keras 3: one
  ``predict`` per batch of 10 for features, augmentation in the legacy Python-side
  ``ImageDataGenerator``, the whole model re-run over the validation split every epoch;
- lesson: santa_lib, as the notebooks call it (features in large batches, the frozen front's
  validation outputs computed once).

It prints seconds per method, images per second, GFLOP/s achieved, a measured matmul peak, the
FLOP floor, peak memory, and ends with one summary line for scripts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import santa_lib  # noqa: F401  (importing it first keeps TensorFlow's start-up lines quiet)

# FLOPs of VGG19 at 64x64 (multiply-add = 2 FLOPs): forward per image, and the share of blocks 1-4
FORWARD_GFLOP = 3.185
BLOCKS_1_TO_4_GFLOP = 2.883
BLOCK5_GFLOP = FORWARD_GFLOP - BLOCKS_1_TO_4_GFLOP
HEAD2_GFLOP = 2 * (2048 * 132 + 132) * 1e-9
HEAD1_GFLOP = 2 * (2048 * 256 + 256) * 1e-9
SETTINGS = {
    "m1": {"epochs": 20, "batch_size": 10, "learning_rate": 1e-4},
    "m2": {"epochs": 10, "batch_size": 20, "learning_rate": 2e-5},
    "m3": {"epochs": 10, "batch_size": 20, "learning_rate": 1e-4},
}


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def matmul_peak_gflops(size: int = 2048, repeats: int = 5) -> float:
    """Best-of-``repeats`` fp32 ``tf.matmul`` throughput on a size^3 product."""
    import tensorflow as tf

    a = tf.random.normal((size, size))
    b = tf.random.normal((size, size))
    tf.matmul(a, b).numpy()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        tf.matmul(a, b).numpy()
        best = min(best, time.perf_counter() - started)
    return 2 * size**3 / best / 1e9


def scaled(epochs: int, fraction: float) -> int:
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


def run_baseline(data_dir: Path, epochs: dict[str, int], seed: int) -> dict[str, float]:
    """The three methods written the way the 2022 lesson wrote them, ported to Keras 3.

    Timing points are the lesson path's: each method's clock starts after the base is built and
    covers reading the pictures, training and the test score.
    """
    import keras
    import tensorflow as tf

    ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator  # noqa: N806
    preprocess = keras.applications.vgg19.preprocess_input
    m1, m2, m3 = SETTINGS["m1"], SETTINGS["m2"], SETTINGS["m3"]
    keras.utils.set_random_seed(seed)
    base = keras.applications.VGG19(weights=None, include_top=False, input_shape=(64, 64, 3))
    times = {}

    started = time.perf_counter()
    plain = ImageDataGenerator(preprocessing_function=preprocess)

    def extract(split: str):
        flow = plain.flow_from_directory(str(data_dir / split), target_size=(64, 64),
                                         batch_size=m1["batch_size"], class_mode="binary",
                                         shuffle=False)
        features, labels = [], []
        for index in range(len(flow)):
            images, batch_labels = flow[index]
            features.append(base.predict(images, verbose=0))
            labels.append(batch_labels)
        return np.concatenate(features).reshape(-1, 2048), np.concatenate(labels)

    (train_x, train_y), (val_x, val_y), (test_x, test_y) = (
        extract(s) for s in ("train", "validation", "test"))
    head = keras.Sequential([keras.Input((2048,)), keras.layers.Dense(256, activation="relu"),
                             keras.layers.Dense(1, activation="sigmoid")])
    compile_binary(head, m1["learning_rate"])
    head.fit(train_x, train_y, epochs=epochs["m1"], batch_size=m1["batch_size"],
             validation_data=(val_x, val_y), verbose=0)
    head.evaluate(test_x, test_y, verbose=0)
    times["m1"] = time.perf_counter() - started

    started = time.perf_counter()
    augmenting = ImageDataGenerator(preprocessing_function=preprocess, rotation_range=40,
                                    width_shift_range=0.2, height_shift_range=0.2,
                                    shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
                                    fill_mode="nearest")
    train_flow = augmenting.flow_from_directory(str(data_dir / "train"), target_size=(64, 64),
                                                batch_size=m2["batch_size"], class_mode="binary",
                                                seed=seed)

    def plain_flow(split: str):
        return plain.flow_from_directory(str(data_dir / split), target_size=(64, 64),
                                         batch_size=m2["batch_size"], class_mode="binary",
                                         shuffle=False)

    val_flow, test_flow = plain_flow("validation"), plain_flow("test")
    model = keras.Sequential([base, keras.layers.Flatten(),
                              keras.layers.Dense(132, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    base.trainable = False
    compile_binary(model, m2["learning_rate"])
    # every step of every epoch: no steps_per_epoch, so the generator is never exhausted early
    model.fit(train_flow, epochs=epochs["m2"], validation_data=val_flow, verbose=0)
    model.evaluate(test_flow, verbose=0)
    times["m2"] = time.perf_counter() - started

    started = time.perf_counter()
    unfreeze_block5(base)
    compile_binary(model, m3["learning_rate"])
    model.fit(train_flow, epochs=epochs["m3"], validation_data=val_flow, verbose=0)
    model.evaluate(test_flow, verbose=0)
    times["m3"] = time.perf_counter() - started
    return times


def run_lesson(data_dir: Path, epochs: dict[str, int], seed: int) -> tuple[dict, dict]:
    """The three methods through santa_lib, as the notebooks run them.

    Random weights are calibrated as the offline notebooks do, so the accuracies mean something;
    ImageNet weights need no calibration, so building the base stays out of the timing, as in
    the baseline.
    """
    import keras

    from santa_lib.augment import augmentation
    from santa_lib.base import build_base
    from santa_lib.sources.folder import load_splits
    from santa_lib.features import extract_features
    from santa_lib.preprocessing import VGG19Preprocessing
    from santa_lib.training import (
        FrozenFrontValidation,
        method2_model,
        steady_batches,
        training_batches,
    )

    m1, m2, m3 = SETTINGS["m1"], SETTINGS["m2"], SETTINGS["m3"]
    keras.utils.set_random_seed(seed)
    times, accuracy = {}, {}
    started = time.perf_counter()
    splits = load_splits(data_dir, 64)  # reading the pictures counts, as in the baseline
    reading = time.perf_counter() - started
    train, validation, test = splits["train"], splits["validation"], splits["test"]
    base = build_base("random", 64, seed=seed, calibration_images=train.images)

    started = time.perf_counter() - reading
    extractor = keras.Sequential([keras.Input((64, 64, 3)), VGG19Preprocessing(), base])
    features = extract_features(extractor, splits)
    classifier = keras.Sequential([keras.Input((2, 2, 512)), keras.layers.Flatten(),
                                   keras.layers.Dense(256, activation="relu"),
                                   keras.layers.Dense(1, activation="sigmoid")])
    compile_binary(classifier, m1["learning_rate"])
    classifier.fit(features["train"], train.labels, epochs=epochs["m1"],
                   batch_size=m1["batch_size"],
                   validation_data=(features["validation"], validation.labels), verbose=0)
    accuracy["m1"] = classifier.evaluate(features["test"], test.labels, verbose=0)[1]
    times["m1"] = time.perf_counter() - started

    augment = augmentation(seed)

    def train_and_test(model, settings: dict, method_epochs: int) -> float:
        compile_binary(model, settings["learning_rate"])
        model.fit(training_batches(train, settings["batch_size"], augment=augment, seed=seed),
                  epochs=method_epochs, verbose=0,
                  callbacks=[FrozenFrontValidation(validation.images, validation.labels)])
        test_batches = steady_batches(test.images, test.labels, settings["batch_size"])
        return model.evaluate(test_batches, verbose=0)[1]

    started = time.perf_counter()
    model = method2_model(base, 64)
    base.trainable = False
    accuracy["m2"] = train_and_test(model, m2, epochs["m2"])
    times["m2"] = time.perf_counter() - started

    started = time.perf_counter()
    unfreeze_block5(base)
    accuracy["m3"] = train_and_test(model, m3, epochs["m3"])
    times["m3"] = time.perf_counter() - started
    return times, accuracy


def run_child(args: argparse.Namespace) -> int:
    """One path in a fresh process (no thread pools or caches shared with the other path)."""
    epochs = {m: scaled(s["epochs"], args.epoch_fraction) for m, s in SETTINGS.items()}
    outcome: dict = {}
    if args.child == "baseline":
        outcome["times"] = run_baseline(args.data_dir, epochs, args.seed)
    else:
        if args.child == "lesson-bf16":
            from santa_lib.internals.precision import set_precision
            print(set_precision("bfloat16"), flush=True)
        outcome["times"], outcome["accuracy"] = run_lesson(args.data_dir, epochs, args.seed)
    outcome["peak_rss_mib"] = peak_rss_mib()
    args.result.write_text(json.dumps(outcome))
    return 0


METHODS = ("m1", "m2", "m3")
PATH_LABELS = {"baseline": "baseline (2022 style)", "lesson": "lesson",
               "lesson-bf16": "lesson bf16"}


def machine_description(cpuinfo: str = "/proc/cpuinfo") -> str:
    """The CPU by name, with the features that decide TensorFlow's speed here."""
    try:
        text = Path(cpuinfo).read_text()
    except OSError:
        text = ""
    model = next((line.split(":", 1)[1].strip() for line in text.splitlines()
                  if line.startswith("model name")), platform.processor() or platform.machine())
    flags = set(next((line.split(":", 1)[1].split() for line in text.splitlines()
                      if line.startswith("flags")), []))
    features = [name for name in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16")
                if name in flags]
    onednn = os.environ.get("TF_ENABLE_ONEDNN_OPTS")
    onednn_state = {"0": "off (TF_ENABLE_ONEDNN_OPTS=0)",
                    "1": "on (TF_ENABLE_ONEDNN_OPTS=1)"}.get(onednn, "at TensorFlow's default")
    return (f"{model}, {os.cpu_count()} CPUs ({' '.join(features) or 'no AVX2'}); oneDNN "
            f"{onednn_state}; python {sys.version.split()[0]}")


def table(rows: list[list[str]]) -> str:
    """Rows of cells as aligned text: the first column left, the others right; short rows are
    padded, so every row can leave out what it does not have."""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(width)]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
                     for row in rows)


def path_rows(outcomes: dict[str, dict], need: dict[str, dict[str, float]],
              images: dict[str, int]) -> list[list[str]]:
    """One row per path that ran: seconds per method and in total, GFLOP/s, test accuracies."""
    rows = [["path", "m1 s", "m2 s", "m3 s", "total s", "m2 img/s", "GFLOP/s", "test acc"]]
    for path, outcome in outcomes.items():
        times = outcome["times"]
        total = sum(times.values())
        gflops = sum(need[path].values()) / total
        accuracy = outcome.get("accuracy")
        rows.append([PATH_LABELS.get(path, path), *(f"{times[m]:.1f}" for m in METHODS),
                     f"{total:.1f}", f"{images['m2'] / times['m2']:.1f}", f"{gflops:.0f}",
                     " / ".join(f"{accuracy[m]:.3f}" for m in METHODS) if accuracy else ""])
    return rows


def speedup_line(outcomes: dict[str, dict], path: str) -> str | None:
    """``path`` against the baseline, per method and in total; None when either did not run."""
    if "baseline" not in outcomes or path not in outcomes:
        return None
    baseline, times = outcomes["baseline"]["times"], outcomes[path]["times"]
    ratios = [f"{m} {baseline[m] / times[m]:.2f}x" for m in METHODS]
    total = sum(baseline.values()) / sum(times.values())
    return f"{PATH_LABELS[path]} vs baseline: {', '.join(ratios)}, total {total:.2f}x"


def report(outcomes: dict[str, dict], need: dict[str, dict[str, float]], images: dict[str, int],
           peak: float) -> str:
    """The figures of every path that has run so far, with the summary line last."""

    def total(path: str) -> float:
        return sum(outcomes[path]["times"].values())

    def speedup(path: str) -> str:
        both = "baseline" in outcomes and path in outcomes
        return f"{total('baseline') / total(path):.2f}" if both else "n/a"

    lines = [table(path_rows(outcomes, need, images))]
    lines += [line for line in (speedup_line(outcomes, p) for p in ("lesson", "lesson-bf16"))
              if line]
    multiple = "n/a"
    if "lesson" in outcomes:
        floor = sum(need["lesson"].values()) / peak
        multiple = f"{total('lesson') / floor:.2f}"
        lines.append(f"FLOP floor of the lesson: {sum(need['lesson'].values()):.0f} GFLOP / "
                     f"{peak:.0f} GFLOP/s = {floor:.1f} s; the lesson path took {multiple}x that")
    lines.append("peak memory (RSS): " + ", ".join(
        f"{PATH_LABELS[p]} {o['peak_rss_mib']:.0f} MiB" for p, o in outcomes.items()))
    lines.append(f"summary: fp32 speedup {speedup('lesson')}, bf16 speedup "
                 f"{speedup('lesson-bf16')}, fp32 floor multiple {multiple}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epoch-fraction", type=float, default=1.0,
                        help="run this fraction of each method's epochs (at least 1), "
                             "for a shorter run")
    parser.add_argument("--skip-baseline", action="store_true", help="time the lesson path only")
    parser.add_argument("--bf16", action="store_true",
                        help="also time the lesson path with bfloat16 (native support only)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", choices=("baseline", "lesson", "lesson-bf16"),
                        help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return run_child(args)

    from santa_lib.sources.folder import count_images
    from santa_lib.sources.embedded import embedded_data_dir

    cache = Path(tempfile.mkdtemp(prefix="santa-bench-"))
    os.environ["SANTA_LIB_CACHE"] = str(cache)  # features are computed, never read back
    try:
        data_dir = embedded_data_dir(cache)
        n = {split: sum(c.values()) for split, c in count_images(data_dir).items()}
        epochs = {m: scaled(s["epochs"], args.epoch_fraction) for m, s in SETTINGS.items()}
        print(f"machine: {machine_description()}")
        print(f"data: {n}; epochs: {epochs}; settings: {SETTINGS}")
        peak = matmul_peak_gflops()
        print(f"measured fp32 matmul peak (tf.matmul 2048^3): {peak:.0f} GFLOP/s", flush=True)
        need_lesson = flops(epochs, n["train"], n["validation"], n["test"], False)
        need = {"baseline": flops(epochs, n["train"], n["validation"], n["test"], True),
                "lesson": need_lesson, "lesson-bf16": need_lesson}
        images = {"m1": sum(n.values()),
                  "m2": epochs["m2"] * (n["train"] + n["validation"]) + n["test"],
                  "m3": epochs["m3"] * (n["train"] + n["validation"]) + n["test"]}

        paths = ([] if args.skip_baseline else ["baseline"]) + ["lesson"]
        if args.bf16:
            from santa_lib.internals.precision import native_bfloat16

            native, reason = native_bfloat16()
            if native:
                paths.append("lesson-bf16")
            else:
                print(f"bf16: {reason}; emulated bf16 would be slower than fp32, so it is not "
                      "timed.")
        outcomes: dict[str, dict] = {}
        for path in paths:
            result = cache / f"{path}.json"
            command = [sys.executable, __file__, "--child", path, "--data-dir", str(data_dir),
                       "--result", str(result), "--epoch-fraction", str(args.epoch_fraction),
                       "--seed", str(args.seed)]
            own_cache = cache / path  # nothing computed by one path is read by another
            env = {**os.environ, "SANTA_LIB_CACHE": str(own_cache)}
            subprocess.run(command, check=True, env=env)
            outcomes[path] = json.loads(result.read_text())
            # each path's figures as soon as it has run: a later failure loses nothing
            print(f"\n--- after {PATH_LABELS[path]} ---\n{report(outcomes, need, images, peak)}",
                  flush=True)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
