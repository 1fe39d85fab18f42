"""Benchmark: the full lesson's three methods, a seed-style baseline against santa_lib's path.

    python bench/bench_lesson.py [--epoch-fraction F] [--skip-baseline] [--bf16]

On the backend ``KERAS_BACKEND`` chooses (TensorFlow by default; JAX and PyTorch with
``--skip-baseline``: the baseline's legacy ``ImageDataGenerator`` is TensorFlow-era code).

Each path runs in its own child process, on the embedded data at the reference sizes (542 / 200 /
180), VGG19 at 64x64 with random weights (they cost the same as ImageNet ones), with the same
images, augmented samples per epoch, epochs and hyper-parameters:

- baseline (``baseline_path.py``): written the straightforward way the 2022 lesson does it, in
  Keras 3: one ``predict`` per batch of 10 for features, augmentation in the legacy Python-side
  ``ImageDataGenerator``, the whole model re-run over the validation split every epoch;
- lesson (``lesson_path.py``): santa_lib, as the notebooks call it (features in large batches,
  the frozen front's validation outputs computed once).

It prints seconds per method, images per second, GFLOP/s achieved, a measured matmul peak, the
FLOP floor, peak memory, and ends with one summary line for scripts (``bench_report.py``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_report import PATH_LABELS, machine_description, report
from bench_setup import SETTINGS, flops, matmul_peak_gflops, peak_rss_mib, scaled

import santa_lib  # noqa: F401  (importing it first keeps TensorFlow's start-up lines quiet)
from santa_lib.internals.cache import bench_record_path
from santa_lib.internals.environment import configured_backend, machine
from santa_lib.internals.files import atomic_write_text


def run_child(args: argparse.Namespace) -> int:
    """One path in a fresh process (no thread pools or caches shared with the other path)."""
    epochs = {m: scaled(s["epochs"], args.epoch_fraction) for m, s in SETTINGS.items()}
    outcome: dict = {}
    if args.child == "baseline":
        from baseline_path import run_baseline

        outcome["times"] = run_baseline(args.data_dir, epochs, args.seed)
    else:
        if args.child == "lesson-bf16":  # timed even where float32 is faster: it measures
            import keras

            keras.mixed_precision.set_global_policy("mixed_bfloat16")
        from lesson_path import run_lesson

        outcome["times"], outcome["accuracy"] = run_lesson(args.data_dir, epochs, args.seed)
    outcome["peak_rss_mib"] = peak_rss_mib()
    atomic_write_text(args.result, json.dumps(outcome))
    return 0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring); the hidden options start a child."""
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
    return parser.parse_args(argv)


def workload(n: dict[str, int], epochs: dict[str, int]) -> tuple[dict, dict]:
    """GFLOPs each path must do per method, and the images each method goes through."""
    need_lesson = flops(epochs, n["train"], n["validation"], n["test"], False)
    need = {"baseline": flops(epochs, n["train"], n["validation"], n["test"], True),
            "lesson": need_lesson, "lesson-bf16": need_lesson}
    images = {"m1": sum(n.values()),
              "m2": epochs["m2"] * (n["train"] + n["validation"]) + n["test"],
              "m3": epochs["m3"] * (n["train"] + n["validation"]) + n["test"]}
    return need, images


def chosen_paths(args: argparse.Namespace) -> list[str]:
    """The paths to time: the baseline unless skipped, the lesson, bf16 when asked and native."""
    paths = ([] if args.skip_baseline else ["baseline"]) + ["lesson"]
    if args.bf16:
        from santa_lib.internals.precision import native_bfloat16

        native, reason = native_bfloat16()
        if native:
            paths.append("lesson-bf16")
        else:
            print(f"bf16: {reason}; emulated bf16 would be slower than fp32, so it is not "
                  "timed.")
    return paths


def run_path(path: str, args: argparse.Namespace, data_dir: Path, cache: Path) -> dict:
    """Time ``path`` in a child process with a cache of its own; its outcome."""
    result = cache / f"{path}.json"
    command = [sys.executable, __file__, "--child", path, "--data-dir", str(data_dir),
               "--result", str(result), "--epoch-fraction", str(args.epoch_fraction),
               "--seed", str(args.seed)]
    own_cache = cache / path  # nothing computed by one path is read by another
    subprocess.run(command, check=True, env={**os.environ, "SANTA_LIB_CACHE": str(own_cache)})
    return json.loads(result.read_text())


def keep_record(path: Path, outcome: dict) -> None:
    """Keep a full run's lesson-path seconds per method, with the machine and backend, where
    ``make lessons``' report finds them (:func:`santa_lib.internals.cache.bench_record_path`)."""
    import time

    atomic_write_text(path, json.dumps({
        "machine": machine(), "backend": configured_backend(),
        "date": time.strftime("%Y-%m-%d"), "seconds": outcome["times"]}, indent=1))
    print(f"(kept for make lessons' report: {path})")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or, with the hidden ``--child``, one of its paths)."""
    args = parse_arguments(argv)
    if args.child:
        return run_child(args)

    from santa_lib.sources.embedded import embedded_data_dir
    from santa_lib.sources.folder import count_images

    record = bench_record_path()  # in the user's cache, for make lessons' report
    cache = Path(tempfile.mkdtemp(prefix="santa-bench-"))
    os.environ["SANTA_LIB_CACHE"] = str(cache)  # features are computed, never read back
    try:
        data_dir = embedded_data_dir(cache)
        n = {split: sum(c.values()) for split, c in count_images(data_dir).items()}
        epochs = {m: scaled(s["epochs"], args.epoch_fraction) for m, s in SETTINGS.items()}
        print(f"machine: {machine_description()}")
        from santa_lib.internals.backend import describe

        print(f"backend: {describe()}")
        print(f"data: {n}; epochs: {epochs}; settings: {SETTINGS}")
        peak = matmul_peak_gflops()
        print(f"measured fp32 matmul peak (keras.ops.matmul 2048^3): {peak:.0f} GFLOP/s",
              flush=True)
        need, images = workload(n, epochs)
        outcomes: dict[str, dict] = {}
        for path in chosen_paths(args):
            outcomes[path] = run_path(path, args, data_dir, cache)
            # each path's figures as soon as it has run: a later failure loses nothing
            print(f"\n--- after {PATH_LABELS[path]} ---\n{report(outcomes, need, images, peak)}",
                  flush=True)
            if path == "lesson" and args.epoch_fraction == 1.0:
                keep_record(record, outcomes[path])
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
