"""Float32 or bfloat16 arithmetic for the models (parameter ``precision``, notebooks 01-03).

``"float32"`` is the default and what the lesson's figures were measured with. ``"bfloat16"``
switches Keras to mixed precision: weights stay float32, while layers compute in bfloat16,
which halves the memory traffic and, on hardware that does bfloat16 natively, roughly doubles
the speed of the convolutions. Without native support the arithmetic is emulated and slower
than float32, so an opt-in on such a machine runs in float32 and says so. A CPU flag is not proof:
on a 2-core Intel Xeon with ``avx512_bf16`` but no AMX, TensorFlow's convolutions ran at 0.6x
float32's speed in bfloat16 (docs/development.md, "Benchmark"); so where the flag says yes, one
VGG19-sized convolution is timed in both, and bfloat16 is used only where it is the faster.
"""

from __future__ import annotations

from pathlib import Path

from santa_lib.internals.params import check_precision

CPU_BF16_FLAGS = ("avx512_bf16", "amx_bf16")
"""Linux ``/proc/cpuinfo`` flags of x86 CPUs with native bfloat16 arithmetic."""
MIN_GPU_CAPABILITY = (8, 0)
"""NVIDIA GPUs compute in bfloat16 natively from compute capability 8.0 (Ampere) on."""


def native_bfloat16(cpuinfo: str | Path = "/proc/cpuinfo",
                    gpu_capabilities: list[tuple[int, int]] | None = None) -> tuple[bool, str]:
    """Can this machine compute in bfloat16 natively? Returns ``(answer, the reason in words)``.

    A GPU counts when its compute capability is at least 8.0; otherwise the CPU needs one of
    :data:`CPU_BF16_FLAGS`. ``gpu_capabilities`` defaults to what Keras' backend sees.
    """
    if gpu_capabilities is None:
        from santa_lib.internals.backend import gpu_capabilities as seen_by_the_backend

        gpu_capabilities = seen_by_the_backend()
    if any(capability >= MIN_GPU_CAPABILITY for capability in gpu_capabilities):
        best = max(gpu_capabilities)
        return True, f"a GPU of compute capability {best[0]}.{best[1]}"
    try:
        flags = set(Path(cpuinfo).read_text().split())
    except OSError:
        flags = set()
    found = [flag for flag in CPU_BF16_FLAGS if flag in flags]
    if found:
        return True, f"a CPU with {' and '.join(found)}"
    return False, (f"this machine has no GPU of compute capability 8.0 or more and its CPU lacks "
                   f"{' and '.join(CPU_BF16_FLAGS)}")


def convolution_milliseconds(repeats: int = 3) -> tuple[float, float]:
    """One of VGG19's 3x3 convolutions (20 pictures, 32x32x128 in and out), timed in float32 and
    in bfloat16 on the backend's device: the best of ``repeats`` after a first call, in ms."""
    import time

    import keras

    times = []
    for dtype in ("float32", "bfloat16"):
        inputs = keras.ops.cast(keras.random.normal((20, 32, 32, 128), seed=0), dtype)
        kernel = keras.ops.cast(keras.random.normal((3, 3, 128, 128), seed=1), dtype)
        best = float("inf")
        for _ in range(repeats + 1):
            started = time.perf_counter()
            keras.ops.convert_to_numpy(keras.ops.conv(inputs, kernel, padding="same"))
            best = min(best, time.perf_counter() - started)
        times.append(best * 1000)
    return times[0], times[1]


def set_precision(precision: str = "float32", native: tuple[bool, str] | None = None,
                  timings: tuple[float, float] | None = None) -> str:
    """Set Keras' global dtype policy before any model is built; return what to print: the
    backend and device (:func:`santa_lib.internals.backend.describe`), then the arithmetic.

    ``"bfloat16"`` gives the ``"mixed_bfloat16"`` policy where :func:`native_bfloat16` (or the
    ``native`` answer passed in) allows it and a convolution is faster in bfloat16 than in
    float32 here (:func:`convolution_milliseconds`, or the ``timings`` passed in), and
    ``"float32"`` with a plain message otherwise.
    """
    import keras

    from santa_lib.internals.backend import describe

    return f"{describe()} {_set_policy(keras, check_precision(precision), native, timings)}"


def _set_policy(keras, precision: str, native: tuple[bool, str] | None,
                timings: tuple[float, float] | None) -> str:
    keras.mixed_precision.set_global_policy("float32")
    if precision == "float32":
        return "Computing in float32."
    supported, reason = native if native is not None else native_bfloat16()
    if not supported:
        return (f"precision='bfloat16' was asked for, but {reason}: bfloat16 would be emulated "
                "and slower than float32, so this run computes in float32. The lesson is the "
                "same; only the speed differs.")
    single, half = timings if timings is not None else convolution_milliseconds()
    if half >= single:
        return (f"precision='bfloat16' was asked for, and this machine has {reason}, but one of "
                f"VGG19's convolutions took {half:.1f} ms in bfloat16 against {single:.1f} ms in "
                "float32 here (measured now), so this run computes in float32, the faster. The "
                "lesson is the same; only the speed differs.")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    return (f"Computing in bfloat16 on {reason}: one of VGG19's convolutions took {half:.1f} ms "
            f"against {single:.1f} ms in float32 here (Keras' mixed_bfloat16 policy: weights stay "
            "float32, so accuracies can differ a little from a float32 run).")
