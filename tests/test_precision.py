import keras
import numpy as np
import pytest

from santa_lib.features import outputs_path, run_model
from santa_lib.internals.environment import machine
from santa_lib.internals.precision import (
    check_precision,
    convolution_milliseconds,
    native_bfloat16,
    set_precision,
)
from santa_lib.preprocessing import VGG19Preprocessing
from santa_lib.weights import choose_weights


@pytest.fixture(autouse=True)
def float32_afterwards():
    """The dtype policy is global: every test leaves it at the default."""
    yield
    keras.mixed_precision.set_global_policy("float32")


def cpuinfo(tmp_path, flags: str):
    path = tmp_path / "cpuinfo"
    path.write_text(f"processor\t: 0\nflags\t\t: fpu sse2 avx2 {flags}\n")
    return path


def test_native_bfloat16_reads_cpu_flags_and_gpu_capability(tmp_path):
    assert native_bfloat16(cpuinfo(tmp_path, "avx512f"), [])[0] is False
    assert native_bfloat16(cpuinfo(tmp_path, "avx512_bf16"), []) == (
        True, "a CPU with avx512_bf16")
    assert native_bfloat16(cpuinfo(tmp_path, "amx_bf16 amx_tile"), [])[0] is True
    assert native_bfloat16(tmp_path / "missing", [(8, 0)]) == (
        True, "a GPU of compute capability 8.0")
    supported, reason = native_bfloat16(tmp_path / "missing", [(7, 5)])
    assert not supported and "avx512_bf16" in reason


def test_float32_is_the_default_policy_and_the_backend_is_named():
    assert set_precision() == (f"Keras {keras.__version__} on TensorFlow, on the CPU, "
                               f"{machine()}. Computing in float32.")
    assert keras.mixed_precision.global_policy().name == "float32"


def test_bfloat16_without_native_support_runs_float32_and_says_why():
    note = set_precision("bfloat16", native=(False, "this CPU lacks avx512_bf16"))
    assert keras.mixed_precision.global_policy().name == "float32"
    assert "this CPU lacks avx512_bf16" in note and "computes in float32" in note


def test_bfloat16_with_native_support_sets_mixed_precision_where_it_is_faster():
    note = set_precision("BFloat16", native=(True, "a CPU with amx_bf16"), timings=(20.0, 8.0))
    assert keras.mixed_precision.global_policy().name == "mixed_bfloat16"
    assert "bfloat16 on a CPU with amx_bf16: one of VGG19's convolutions took 8.0 ms" in note


def test_bfloat16_slower_than_float32_here_runs_float32_and_says_what_was_measured():
    note = set_precision("bfloat16", native=(True, "a CPU with avx512_bf16"),
                         timings=(20.0, 33.0))
    assert keras.mixed_precision.global_policy().name == "float32"
    assert "took 33.0 ms in bfloat16 against 20.0 ms in float32 here" in note
    assert "computes in float32, the faster" in note


def test_a_convolution_is_timed_in_both_precisions():
    single, half = convolution_milliseconds(repeats=1)
    assert single > 0 and half > 0
    assert keras.mixed_precision.global_policy().name == "float32"  # nothing set


def test_unknown_precision_is_refused_with_the_parameter_name():
    with pytest.raises(ValueError, match="precision must be one of"):
        check_precision("fp8")
    with pytest.raises(ValueError, match="precision must be one of"):
        set_precision(16)


def calibrated_base(images):
    """VGG19 as the notebooks build it, with random weights calibrated on ``images``."""
    choice = choose_weights("random", images)
    return keras.applications.VGG19(weights=choice.keras_weights, include_top=False,
                                    input_shape=images.shape[1:])


def test_a_bfloat16_base_calibrates_and_gives_float32_features_under_their_own_key():
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    base32 = calibrated_base(images)
    extractor32 = keras.Sequential([keras.Input((32, 32, 3)), VGG19Preprocessing(), base32])
    set_precision("bfloat16", native=(True, "a test"), timings=(2.0, 1.0))
    base16 = calibrated_base(images)
    extractor16 = keras.Sequential([keras.Input((32, 32, 3)), VGG19Preprocessing(), base16])
    assert base16.dtype_policy.name == "mixed_bfloat16"
    outputs = run_model(extractor16, images, batch_size=4)
    assert outputs.dtype == np.float32 and outputs.shape == (4, 1, 1, 512)
    assert np.isfinite(outputs).all()
    assert outputs_path(extractor16, images, weights_id="same") != outputs_path(
        extractor32, images, weights_id="same")
