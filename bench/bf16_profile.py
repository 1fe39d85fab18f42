"""Where bfloat16 gains and where it does not: methods 2 and 3's training step taken apart.

    python bench/bf16_profile.py [--steps N]

Each precision runs in a child process of its own (Keras' dtype policy is global), on one fixed
batch of 20 pictures at 64x64, VGG19 with random weights: the lesson's step, timed piece by piece
(best of ``--steps`` after a warm-up), so the speed-up of each piece is measured, not guessed:

- ``base forward``: VGG19's 16 convolutions, forward only (a compiled call): the bulk of a
  method-2 step, and what bfloat16 should speed up most;
- ``m2 step`` and ``m3 step``: ``train_on_batch`` of method 2 (base frozen) and method 3
  (block 5 trainable): forward, loss, backward of what trains, the optimizer's update;
- ``pipeline batch``: one augmented batch from ``sl.training_batches`` alone (tf.data, on the
  CPU, in float32 whatever the policy), which ``fit`` overlaps with the model's step;
- ``validation rest``: ``FrozenFrontValidation``'s per-epoch part, the head over 200 pictures;
- ``one convolution`` (32x32x128, 3x3, 128 filters, 20 pictures: ``keras.ops.conv`` alone) and
  ``matmul 2048`` (``keras.ops.matmul``, in GFLOP/s): the bare arithmetic, no model around it.

The last lines set the measured pieces against the benchmark's per-step figures: the speed-up
fit can reach is the step's, with the pipeline's share not sped up (Amdahl).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import santa_lib  # noqa: F401  (first: TensorFlow's start-up lines stay quiet)
from santa_lib.internals.environment import machine

BATCH, SIZE = 20, 64


def best_of(call, steps: int) -> float:
    """The fastest of ``steps`` calls, in milliseconds, after one warm-up call."""
    call()
    best = float("inf")
    for _ in range(steps):
        started = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def models(precision: str):
    """Method 2's model on a random base and a fixed batch, under ``precision``."""
    import keras
    import numpy as np

    from santa_lib.training import method2_model

    keras.mixed_precision.set_global_policy("mixed_bfloat16" if precision == "bfloat16"
                                            else "float32")
    keras.utils.set_random_seed(0)
    base = keras.applications.VGG19(weights=None, include_top=False, input_shape=(SIZE, SIZE, 3))
    model = method2_model(base, SIZE)
    rng = np.random.default_rng(0)
    pictures = rng.integers(0, 256, (BATCH, SIZE, SIZE, 3)).astype("float32")
    labels = (np.arange(BATCH) % 2).astype("float32")
    return model, base, pictures, labels


def train_step_ms(model, base, pictures, labels, block5: bool, steps: int) -> float:
    """``train_on_batch`` of method 2 (``block5`` False) or 3, compiled as the lesson does."""
    import keras

    base.trainable = block5
    if block5:
        trainable = False
        for layer in base.layers:
            trainable = trainable or layer.name == "block5_conv1"
            layer.trainable = trainable
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-5),
                  loss="binary_crossentropy", metrics=["accuracy"])
    return best_of(lambda: model.train_on_batch(pictures, labels), steps)


def pipeline_ms(steps: int) -> float:
    """One augmented batch of 20 from ``training_batches`` alone (tf.data), in milliseconds."""
    import numpy as np

    from santa_lib.augment import augmentation
    from santa_lib.data import Split
    from santa_lib.training import training_batches

    rng = np.random.default_rng(0)
    split = Split("train", rng.integers(0, 256, (540, SIZE, SIZE, 3)).astype("uint8"),
                  (np.arange(540) % 2).astype("float32"), (), ("a", "b"))
    batches = iter(training_batches(split, BATCH, augmentation(0), 0, steps_per_epoch=10**6))
    return best_of(lambda: next(batches), steps)


def child(precision: str, steps: int) -> dict[str, float]:
    """Every piece under one precision, in milliseconds."""
    import keras
    import numpy as np

    from santa_lib.internals.backend import compiled_forward
    from santa_lib.preprocessing import VGG19Preprocessing

    model, base, pictures, labels = models(precision)
    extractor = keras.Sequential([keras.Input((SIZE, SIZE, 3)), VGG19Preprocessing(), base])
    forward = compiled_forward(extractor)
    head = keras.Sequential(model.layers[2:])
    features = np.asarray(forward(pictures), dtype="float32")
    rest = np.repeat(features, 10, axis=0)  # 200 validation pictures' front outputs
    figures = {"base forward": best_of(lambda: forward(pictures), steps),
               "validation rest": best_of(lambda: head(rest, training=False), steps),
               "m2 step": train_step_ms(model, base, pictures, labels, False, steps),
               "m3 step": train_step_ms(model, base, pictures, labels, True, steps)}
    figures["pipeline batch"] = pipeline_ms(steps)
    figures["one convolution"] = convolution_ms(precision, steps)
    figures["matmul 2048 (GFLOP/s)"] = matmul_gflops(precision)
    return figures


def convolution_ms(precision: str, steps: int) -> float:
    """One of VGG19's 3x3 convolutions alone, in ``precision``, in milliseconds."""
    import keras

    inputs = keras.ops.cast(keras.random.normal((BATCH, 32, 32, 128), seed=0), precision)
    kernel = keras.ops.cast(keras.random.normal((3, 3, 128, 128), seed=1), precision)
    return best_of(lambda: keras.ops.convert_to_numpy(
        keras.ops.conv(inputs, kernel, padding="same")), steps)


def matmul_gflops(precision: str, size: int = 2048) -> float:
    """A ``size``-cubed matrix product in ``precision``: GFLOP/s, best of five."""
    import keras

    a = keras.ops.cast(keras.random.normal((size, size), seed=0), precision)
    milliseconds = best_of(lambda: keras.ops.convert_to_numpy(keras.ops.matmul(a, a)), 5)
    return 2 * size**3 / milliseconds / 1e6


def main(argv: list[str] | None = None) -> int:
    """Run both precisions in children and print the table (or, as a child, one precision)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=15, help="timed repeats of each piece")
    parser.add_argument("--child", choices=("float32", "bfloat16"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.steps)))
        return 0
    print(f"machine: {machine()}")
    found = {}
    for precision in ("float32", "bfloat16"):
        out = subprocess.run([sys.executable, __file__, "--child", precision, "--steps",
                              str(args.steps)], check=True, capture_output=True, text=True)
        found[precision] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"{'piece (ms, best of ' + str(args.steps) + ')':<28} {'float32':>9} {'bfloat16':>9}"
          f" {'speed-up':>9}")
    for piece, fp32 in found["float32"].items():
        bf16 = found["bfloat16"][piece]
        gain = bf16 / fp32 if "GFLOP/s" in piece else fp32 / bf16  # higher is better there
        print(f"{piece:<28} {fp32:9.1f} {bf16:9.1f} {gain:8.2f}x")
    for method in ("m2", "m3"):
        fp32, bf16 = found["float32"][f"{method} step"], found["bfloat16"][f"{method} step"]
        pipe = found["float32"]["pipeline batch"]
        print(f"{method}: if the pipeline's batch were not overlapped at all, a step would gain "
              f"{(fp32 + pipe) / (bf16 + pipe):.2f}x; fully overlapped, {fp32 / bf16:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
