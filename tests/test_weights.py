"""Which weights VGG19 gets: the choice, the fallback and its message, a weights file checked up
front, and random weights drawn from the seed and calibrated once per key (LSUV)."""

import time

import keras
import numpy as np
import pytest

from santa_lib import weights as weights_module
from santa_lib.data import load_data
from santa_lib.internals.params import check_image_size, check_weights
from santa_lib.preprocessing import VGG19Preprocessing
from santa_lib.sources.imagenet import WeightsError, cached_weights_path, check_weights_file
from santa_lib.weights import (
    WeightsChoice,
    calibrated_weights,
    choose_weights,
    lsuv,
    weights_key,
    weights_preview,
)
from tests.bases import random_vgg19

RANDOM = WeightsChoice("random")


def offline(url):
    return False, "storage.googleapis.com cannot be reached (test)"


def online(url):
    return True, "reachable"


@pytest.fixture
def cached_file():
    """A file where Keras keeps the ImageNet weights, removed afterwards."""
    path = cached_weights_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    yield path
    path.unlink()


@pytest.fixture
def tiny_pictures():
    """A handful of 32-pixel training pictures: calibrating on them takes a second or two."""
    return np.random.default_rng(0).integers(0, 256, (6, 32, 32, 3)).astype("uint8")


def vgg19(argument, image_size=32):
    return keras.applications.VGG19(weights=argument, include_top=False,
                                    input_shape=(image_size, image_size, 3))


# --- the choice --------------------------------------------------------------------------------


def test_the_parameter_values():
    assert check_weights(None) == "random"
    assert check_weights("ImageNet") == "imagenet"
    assert check_weights("auto") == "auto"
    with pytest.raises(ValueError, match="weights must be one of .*nosuchfile.h5"):
        check_weights("nosuchfile.h5")
    with pytest.raises(ValueError, match="got 3"):
        check_weights(3)


def test_auto_offline_falls_back_to_random_and_says_why_and_how():
    choice = choose_weights("auto", probe=offline)
    assert choice.kind == "random" and choice.label == "random (offline fallback)"
    assert choice.note.startswith("OFFLINE FALLBACK: RANDOM VGG19 weights")
    assert "cannot be reached (test)" in choice.note
    assert len(choice.note) < 200  # one line in each notebook; the how-to is said once, in 00
    outlook = weights_preview("auto", probe=offline)
    assert str(cached_weights_path()) in outlook and "weights install" in outlook


def test_the_offline_fallback_with_pictures_is_calibrated_and_says_so(tiny_pictures):
    choice = choose_weights("auto", tiny_pictures, probe=offline)
    assert choice.label == "random (offline fallback)"
    assert choice.note.startswith("OFFLINE FALLBACK")
    assert "Calibrated on 6 training pictures" in choice.note
    assert choice.keras_weights.endswith(".weights.h5")


def test_imagenet_offline_fails_at_once_with_the_same_advice():
    with pytest.raises(WeightsError, match="not cached") as raised:
        choose_weights("imagenet", probe=offline)
    assert str(cached_weights_path()) in str(raised.value)


def test_the_real_probe_answers_within_seconds_here():
    started = time.perf_counter()
    # no internet in tests: the fallback, or ImageNet if online (not downloaded here)
    choice = choose_weights("auto", download=False)
    assert time.perf_counter() - started < 10
    assert choice.kind in ("random", "imagenet")


def test_imagenet_when_cached_or_reachable(cached_file):
    choice = choose_weights("auto", probe=offline)
    assert choice == WeightsChoice("imagenet", path=cached_file)
    assert choice.keras_weights == "imagenet" and choice.label == "imagenet"
    assert "cached at" in weights_preview("imagenet", probe=offline)


def test_online_means_imagenet_downloaded_by_keras():
    assert choose_weights("auto", probe=online, download=False).kind == "imagenet"
    assert "downloads them" in weights_preview("auto", probe=online)


def test_a_failed_download_falls_back_for_auto_and_fails_for_imagenet(monkeypatch):
    def failing_download():
        raise Exception("URL fetch failure (test)")

    monkeypatch.setattr(weights_module, "download_weights", failing_download)
    choice = choose_weights("auto", probe=online)
    assert choice.label == "random (offline fallback)"
    assert "could not be downloaded (URL fetch failure (test))" in choice.note
    with pytest.raises(WeightsError, match="could not be downloaded"):
        choose_weights("imagenet", probe=online)


def test_a_weights_file_and_random_on_request(tmp_path):
    weights_file = tmp_path / "mine.h5"
    weights_file.write_bytes(b"x")
    # download=False settles the choice without opening the file (notebook 00's outlook)
    choice = choose_weights(str(weights_file), probe=offline, download=False)
    assert choice == WeightsChoice("file", path=weights_file)
    assert choice.keras_weights == str(weights_file) and choice.label == "file"
    assert str(weights_file) in choice.note
    asked = choose_weights("random", probe=offline)
    assert asked.label == "random" and "asked for" in asked.note
    assert asked.keras_weights is None  # no pictures to calibrate on: Keras' own random weights


def test_outlook_tells_each_case_before_the_long_notebooks(tmp_path):
    auto = weights_preview("auto", probe=offline)
    assert auto.startswith("OFFLINE") and "fall back to random" in auto
    assert "weights install" in auto and "rescaled layer by layer" in auto
    assert "will stop at once" in weights_preview("imagenet", probe=offline)
    asked = weights_preview(None, probe=offline)
    assert "random VGG19 weights" in asked and "as asked" in asked


def test_image_size_below_vgg19_minimum_is_refused():
    with pytest.raises(ValueError, match="image_size must be a whole number >= 32"):
        check_image_size(16)
    with pytest.raises(ValueError, match="got True"):
        check_image_size(True)
    small = np.zeros((2, 16, 16, 3), "uint8")
    with pytest.raises(ValueError, match=">= 32"):
        choose_weights("random", small)


# --- a weights file ------------------------------------------------------------------------------


def test_weights_file_round_trip_and_misfit(tmp_path):
    base = random_vgg19(32, seed=5)
    path = tmp_path / "vgg19_notop.weights.h5"
    base.save_weights(path)
    check_weights_file(path, 32)  # fits: no error
    choice = choose_weights(str(path), np.zeros((2, 32, 32, 3), "uint8"), probe=offline)
    assert choice == WeightsChoice("file", path=path)
    model = vgg19(choice.keras_weights)
    for ours, theirs in zip(model.get_weights(), base.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    wrong = tmp_path / "wrong.weights.h5"
    other.save_weights(wrong)
    with pytest.raises(WeightsError, match="wrong.weights.h5"):
        check_weights_file(wrong, 32)
    with pytest.raises(WeightsError, match="wrong.weights.h5"):
        choose_weights(str(wrong), np.zeros((2, 32, 32, 3), "uint8"), probe=offline)


# --- random weights, calibrated ----------------------------------------------------------------


def test_random_weights_are_a_calibrated_file_made_once_and_loaded_by_keras(tiny_pictures,
                                                                           monkeypatch):
    choice = choose_weights("random", tiny_pictures, seed=0, probe=offline)
    assert choice.kind == "random" and choice.label == "random"
    assert choice.keras_weights.endswith(".weights.h5")
    path = choice.path
    assert path.is_file() and str(path) == choice.keras_weights
    assert "Calibrated on 6 training pictures" in choice.note

    def must_not_run(*args, **kwargs):
        raise AssertionError("calibrated again although the weights were cached")

    monkeypatch.setattr(weights_module, "lsuv", must_not_run)
    again = choose_weights("random", tiny_pictures, seed=0, probe=offline)
    assert again.keras_weights == choice.keras_weights
    assert "read back from" in again.note
    base = vgg19(choice.keras_weights)
    assert base.count_params() == 20_024_384
    with pytest.raises(AssertionError, match="calibrated again"):
        choose_weights("random", tiny_pictures, seed=1, probe=offline)  # another key


def test_random_weights_depend_on_the_seed_alone(tiny_pictures, tmp_path, monkeypatch):
    first = vgg19(calibrated_weights(tiny_pictures, seed=3)[0]).get_weights()
    keras.random.uniform((5,))  # whatever ran in between
    monkeypatch.setenv("SANTA_LIB_CACHE", str(tmp_path / "another cache"))
    path, said = calibrated_weights(tiny_pictures, seed=3)
    assert "Calibrated on" in said  # made anew, not read back
    again = vgg19(path).get_weights()
    other = vgg19(calibrated_weights(tiny_pictures, seed=4)[0]).get_weights()
    for ours, theirs in zip(first, again, strict=True):
        np.testing.assert_array_equal(ours, theirs)
    kernel = 8  # block3_conv2's kernel
    assert not np.array_equal(first[kernel], other[kernel])


def test_weights_key_names_everything_that_decides_the_weights(small_data, tmp_path):
    images = load_data(small_data, image_size=32).train.images
    key = weights_key(RANDOM, 32, images, 0)
    assert key == weights_key(RANDOM, 32, images.copy(), 0)
    assert len({key, weights_key(RANDOM, 32, images, 1), weights_key(RANDOM, 64, images, 0),
                weights_key(RANDOM, 32, images[:-1], 0),
                weights_key(WeightsChoice("imagenet"), 32, images, 0)}) == 5
    weights_file = tmp_path / "w.h5"
    weights_file.write_bytes(b"x")
    assert weights_key(WeightsChoice("file", path=weights_file), 32, images, 0) != key
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        assert weights_key(RANDOM, 32, images, 0) != key  # calibrated in another precision
    finally:
        keras.mixed_precision.set_global_policy("float32")


def test_calibration_centres_and_scales_every_convolution(small_data):
    images = load_data(small_data, image_size=64).train.images
    model = random_vgg19(64)
    x = VGG19Preprocessing()(images)
    raw = np.asarray(model(x))
    lsuv(model, images, count=len(images))
    for layer in model.layers[1:]:
        if isinstance(layer, keras.layers.Conv2D):
            z = np.asarray(layer.convolution_op(x, layer.kernel)) + np.asarray(layer.bias)
            np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0, atol=1e-3)
            np.testing.assert_allclose(z.std(axis=(0, 1, 2)), 1, atol=1e-2)
        x = layer(x)
    calibrated = np.asarray(model(VGG19Preprocessing()(images)))
    assert np.abs(raw).mean() < 0.3 < np.abs(calibrated).mean()
