"""Float32 or bfloat16 arithmetic for the models (parameter ``precision``, notebooks 01-03).

``"float32"`` is the default and what the lesson's figures were measured with. ``"bfloat16"``
switches Keras to mixed precision: weights stay float32, while layers compute in bfloat16,
which halves the memory traffic and, on hardware that does bfloat16 natively, roughly doubles
the speed of the convolutions. Without native support the arithmetic is emulated and slower
than float32, so an opt-in on such a machine runs in float32 and says so.
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


def set_precision(precision: str = "float32", native: tuple[bool, str] | None = None) -> str:
    """Set Keras' global dtype policy before any model is built; return what to print: the
    backend and device (:func:`santa_lib.internals.backend.describe`), then the arithmetic.

    ``"bfloat16"`` gives the ``"mixed_bfloat16"`` policy where :func:`native_bfloat16` (or the
    ``native`` answer passed in) allows it, and ``"float32"`` with a plain message otherwise.
    """
    import keras

    from santa_lib.internals.backend import describe

    return f"{describe()} {_set_policy(keras, check_precision(precision), native)}"


def _set_policy(keras, precision: str, native: tuple[bool, str] | None) -> str:
    if precision == "float32":
        keras.mixed_precision.set_global_policy("float32")
        return "Computing in float32."
    supported, reason = native if native is not None else native_bfloat16()
    if not supported:
        keras.mixed_precision.set_global_policy("float32")
        return (f"precision='bfloat16' was asked for, but {reason}: bfloat16 would be emulated "
                "and slower than float32, so this run computes in float32. The lesson is the "
                "same; only the speed differs.")
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    return (f"Computing in bfloat16 on {reason} (Keras' mixed_bfloat16 policy: weights stay "
            "float32, so accuracies can differ a little from a float32 run).")
