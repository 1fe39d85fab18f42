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

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

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


def run_baseline(data_dir: Path, epochs: dict[str, int], seed: int) -> dict[str, float]:
    """The three methods written the way the 2022 lesson wrote them, ported to Keras 3."""
    import keras
    import tensorflow as tf

    ImageDataGenerator = tf.keras.preprocessing.image.ImageDataGenerator  # noqa: N806
    preprocess = keras.applications.vgg19.preprocess_input
    keras.utils.set_random_seed(seed)
    times = {}

    started = time.perf_counter()
    base = keras.applications.VGG19(weights=None, include_top=False, input_shape=(64, 64, 3))
    plain = ImageDataGenerator(preprocessing_function=preprocess)

    def extract(split: str):
        flow = plain.flow_from_directory(str(data_dir / split), target_size=(64, 64),
                                         batch_size=10, class_mode="binary", shuffle=False)
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
    head.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
                 loss="binary_crossentropy", metrics=["accuracy"])
    head.fit(train_x, train_y, epochs=epochs["m1"], batch_size=10,
             validation_data=(val_x, val_y), verbose=0)
    head.evaluate(test_x, test_y, verbose=0)
    times["m1"] = time.perf_counter() - started

    started = time.perf_counter()
    augmenting = ImageDataGenerator(preprocessing_function=preprocess, rotation_range=40,
                                    width_shift_range=0.2, height_shift_range=0.2,
                                    shear_range=0.2, zoom_range=0.2, horizontal_flip=True,
                                    fill_mode="nearest")
    train_flow = augmenting.flow_from_directory(str(data_dir / "train"), target_size=(64, 64),
                                                batch_size=20, class_mode="binary", seed=seed)
    val_flow = plain.flow_from_directory(str(data_dir / "validation"), target_size=(64, 64),
                                         batch_size=20, class_mode="binary", shuffle=False)
    test_flow = plain.flow_from_directory(str(data_dir / "test"), target_size=(64, 64),
                                          batch_size=20, class_mode="binary", shuffle=False)
    model = keras.Sequential([base, keras.layers.Flatten(),
                              keras.layers.Dense(132, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")])
    base.trainable = False
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=2e-5),
                  loss="binary_crossentropy", metrics=["accuracy"])
    # every step of every epoch: no steps_per_epoch, so the generator is never exhausted early
    model.fit(train_flow, epochs=epochs["m2"], validation_data=val_flow, verbose=0)
    model.evaluate(test_flow, verbose=0)
    times["m2"] = time.perf_counter() - started

    started = time.perf_counter()
    base.trainable = True
    unfrozen = False
    for layer in base.layers:
        unfrozen = unfrozen or layer.name == "block5_conv1"
        layer.trainable = unfrozen
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-4),
                  loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(train_flow, epochs=epochs["m3"], validation_data=val_flow, verbose=0)
    model.evaluate(test_flow, verbose=0)
    times["m3"] = time.perf_counter() - started
    return times


def run_lesson(data_dir: Path, epochs: dict[str, int], seed: int) -> tuple[dict, dict]:
    """The three methods through santa_lib, as the notebooks run them."""
    from santa_lib.augment import augmentation
    from santa_lib.base import build_base, preprocess_images
    from santa_lib.data import load_splits
    from santa_lib.evaluation import evaluate
    from santa_lib.features import extract_features
    from santa_lib.freezing import freeze, unfreeze_from
    from santa_lib.seeding import seed_everything
    from santa_lib.training import (
        build_feature_classifier,
        build_frozen_base_model,
        compile_binary,
        fit_on_images,
        flatten_features,
    )

    seed_everything(seed)
    times, accuracy = {}, {}
    started = time.perf_counter()
    splits = load_splits(data_dir, 64)
    loading = time.perf_counter() - started
    # Random weights are calibrated as the offline notebooks do, so the accuracies mean
    # something; ImageNet weights need no calibration, so it is left out of the timing.
    base, _ = build_base("random", 64, calibration_images=splits["train"].images)
    started = time.perf_counter() - loading
    features = extract_features(base, splits)
    x = {name: flatten_features(values) for name, values in features.items()}
    classifier = build_feature_classifier(2048)
    compile_binary(classifier, 1e-4)
    classifier.fit(x["train"], splits["train"].labels, epochs=epochs["m1"], batch_size=10,
                   validation_data=(x["validation"], splits["validation"].labels), verbose=0)
    accuracy["m1"] = evaluate(classifier, x["test"], splits["test"].labels)["accuracy"]
    times["m1"] = time.perf_counter() - started

    started = time.perf_counter()
    augment = augmentation(seed)
    model = build_frozen_base_model(base)
    freeze(base)
    compile_binary(model, 2e-5)
    fit_on_images(model, splits["train"], splits["validation"], epochs=epochs["m2"],
                  batch_size=20, augment=augment, seed=seed)
    test_x = preprocess_images(splits["test"].images)
    accuracy["m2"] = evaluate(model, test_x, splits["test"].labels)["accuracy"]
    times["m2"] = time.perf_counter() - started

    started = time.perf_counter()
    unfreeze_from(base, "block5_conv1")
    compile_binary(model, 1e-4)
    fit_on_images(model, splits["train"], splits["validation"], epochs=epochs["m3"],
                  batch_size=20, augment=augment, seed=seed)
    accuracy["m3"] = evaluate(model, test_x, splits["test"].labels)["accuracy"]
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
            from santa_lib.precision import set_precision
            print(set_precision("bfloat16"), flush=True)
        outcome["times"], outcome["accuracy"] = run_lesson(args.data_dir, epochs, args.seed)
    outcome["peak_rss_mib"] = peak_rss_mib()
    args.result.write_text(json.dumps(outcome))
    return 0


def table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.rjust(w) if i else c.ljust(w)
                               for i, (c, w) in enumerate(zip(row, widths, strict=True)))
                     for row in rows)


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

    from santa_lib.embedded import embedded_data_dir

    cache = Path(tempfile.mkdtemp(prefix="santa-bench-"))
    os.environ["SANTA_LIB_CACHE"] = str(cache)  # features are computed, never read back
    try:
        data_dir = embedded_data_dir(cache)
        from santa_lib.data import count_images

        counts = {split: sum(c.values()) for split, c in count_images(data_dir).items()}
        epochs = {m: scaled(s["epochs"], args.epoch_fraction) for m, s in SETTINGS.items()}
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
              f"python {sys.version.split()[0]}")
        print(f"data: {counts}; epochs: {epochs}")
        peak = matmul_peak_gflops()
        print(f"measured fp32 matmul peak (tf.matmul 2048^3): {peak:.0f} GFLOP/s")

        rss = {}

        def child(path: str) -> dict:
            result = cache / f"{path}.json"
            command = [sys.executable, __file__, "--child", path, "--data-dir", str(data_dir),
                       "--result", str(result), "--epoch-fraction", str(args.epoch_fraction),
                       "--seed", str(args.seed)]
            own_cache = cache / path  # nothing computed by one path is read by another
            env = {**os.environ, "SANTA_LIB_CACHE": str(own_cache)}
            subprocess.run(command, check=True, env=env)
            outcome = json.loads(result.read_text())
            rss[path] = outcome["peak_rss_mib"]
            return outcome

        baseline = None if args.skip_baseline else child("baseline")["times"]
        outcome = child("lesson")
        lesson, accuracy = outcome["times"], outcome["accuracy"]
        bf16_note, bf16_native = "n/a", False
        if args.bf16:
            from santa_lib.precision import native_bfloat16

            bf16_native, bf16_reason = native_bfloat16()
            if bf16_native:
                outcome = child("lesson-bf16")
                bf16_times, bf16_accuracy = outcome["times"], outcome["accuracy"]
            else:
                print(f"bf16: {bf16_reason}; emulated bf16 would be slower than fp32, "
                      "so it is not timed.")
        n = counts
        need_lesson = flops(epochs, n["train"], n["validation"], n["test"], False)
        need_baseline = flops(epochs, n["train"], n["validation"], n["test"], True)
        images = {"m1": sum(n.values()),
                  "m2": epochs["m2"] * (n["train"] + n["validation"]) + n["test"],
                  "m3": epochs["m3"] * (n["train"] + n["validation"]) + n["test"]}
        rows = [["method", "lesson s", "img/s", "GFLOP/s", "test acc"]
                + (["baseline s", "GFLOP/s", "speedup"] if baseline else [])]
        for method in ("m1", "m2", "m3"):
            row = [method, f"{lesson[method]:.1f}", f"{images[method] / lesson[method]:.1f}",
                   f"{need_lesson[method] / lesson[method]:.0f}", f"{accuracy[method]:.3f}"]
            if baseline:
                row += [f"{baseline[method]:.1f}",
                        f"{need_baseline[method] / baseline[method]:.0f}",
                        f"{baseline[method] / lesson[method]:.2f}x"]
            rows.append(row)
        total_lesson = sum(lesson.values())
        total_row = ["total", f"{total_lesson:.1f}", "", "", ""]
        if baseline:
            total_row += [f"{sum(baseline.values()):.1f}", "",
                          f"{sum(baseline.values()) / total_lesson:.2f}x"]
        rows.append(total_row)
        if args.bf16 and bf16_native:
            rows.append(["bf16 total", f"{sum(bf16_times.values()):.1f}", "", "",
                         " ".join(f"{bf16_accuracy[m]:.3f}" for m in ("m1", "m2", "m3"))])
            if baseline:
                bf16_note = f"{sum(baseline.values()) / sum(bf16_times.values()):.2f}"
        print(table(rows))
        floor = sum(need_lesson.values()) / peak
        print(f"FLOP floor of the lesson: {sum(need_lesson.values()):.0f} GFLOP / {peak:.0f} "
              f"GFLOP/s = {floor:.1f} s; the lesson path took {total_lesson / floor:.2f}x that")
        print("peak memory (RSS): " + ", ".join(f"{path} {mib:.0f} MiB"
                                                 for path, mib in rss.items()))
        speedup = f"{sum(baseline.values()) / total_lesson:.2f}" if baseline else "n/a"
        print(f"summary: fp32 speedup {speedup}, bf16 speedup {bf16_note}, "
              f"fp32 floor multiple {total_lesson / floor:.2f}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
