"""Building VGG19 from a weights choice; calibrated random weights, computed once per key."""

import keras
import numpy as np
import pytest

from santa_lib import base as base_module
from santa_lib.base import build_base, calibrate, check_image_size, describe_base, weights_key
from santa_lib.sources.folder import load_split
from santa_lib.preprocessing import VGG19Preprocessing
from santa_lib.weights import WeightsChoice, WeightsError

RANDOM = WeightsChoice("random")


def test_random_base_has_the_reference_structure(random_base):
    assert random_base.count_params() == 20_024_384
    assert tuple(random_base.output_shape[1:]) == (2, 2, 512)
    assert describe_base(random_base) == "vgg19: 20,024,384 parameters, output 2x2x512"
    assert len(random_base.trainable_weights) == 32


def test_random_weights_depend_on_the_seed_alone():
    first = build_base(RANDOM, 32, seed=3)
    keras.random.uniform((5,))  # whatever ran in between
    again = build_base(RANDOM, 32, seed=3)
    other = build_base(RANDOM, 32, seed=4)
    kernel = "block3_conv2"
    np.testing.assert_array_equal(first.get_layer(kernel).kernel, again.get_layer(kernel).kernel)
    assert not np.array_equal(first.get_layer(kernel).kernel, other.get_layer(kernel).kernel)


def test_calibrated_weights_are_computed_once_per_key(small_data, monkeypatch):
    images = load_split(small_data, "train", image_size=32).images
    first = build_base(RANDOM, 32, seed=0, calibration_images=images)

    def must_not_run(*args, **kwargs):
        raise AssertionError("calibrated again although the weights were cached")

    monkeypatch.setattr(base_module, "calibrate", must_not_run)
    again = build_base(RANDOM, 32, seed=0, calibration_images=images)
    for ours, theirs in zip(first.get_weights(), again.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)
    with pytest.raises(AssertionError, match="calibrated again"):
        build_base(RANDOM, 32, seed=1, calibration_images=images)  # another key


def test_weights_key_names_everything_that_decides_the_weights(small_data, tmp_path):
    images = load_split(small_data, "train", image_size=32).images
    key = weights_key(RANDOM, 32, 0, images)
    assert key == weights_key(RANDOM, 32, 0, images.copy())
    assert len({key, weights_key(RANDOM, 32, 1, images), weights_key(RANDOM, 64, 0, images),
                weights_key(RANDOM, 32, 0, images[:-1]),
                weights_key(WeightsChoice("imagenet"), 32, 0, images)}) == 5
    weights_file = tmp_path / "w.h5"
    weights_file.write_bytes(b"x")
    assert weights_key(WeightsChoice("file", path=weights_file), 32, 0, images) != key


def test_weights_file_round_trip_and_misfit(tmp_path, random_base):
    path = tmp_path / "vgg19_notop.weights.h5"
    random_base.save_weights(path)
    model = build_base(str(path), 64)
    for ours, theirs in zip(model.get_weights(), random_base.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    wrong = tmp_path / "wrong.weights.h5"
    other.save_weights(wrong)
    with pytest.raises(WeightsError, match="wrong.weights.h5"):
        build_base(str(wrong), 64)


def test_image_size_below_vgg19_minimum_is_refused():
    with pytest.raises(ValueError, match="image_size must be a whole number >= 32"):
        check_image_size(16)
    with pytest.raises(ValueError, match="got True"):
        check_image_size(True)
    with pytest.raises(ValueError, match=">= 32"):
        build_base("random", 16)


def test_calibration_centres_and_scales_every_convolution(small_data):
    images = load_split(small_data, "train", image_size=64).images
    model = build_base(RANDOM, 64, seed=0)
    x = VGG19Preprocessing()(images)
    raw = np.asarray(model(x))
    calibrate(model, images, count=len(images))
    for layer in model.layers[1:]:
        if isinstance(layer, keras.layers.Conv2D):
            z = np.asarray(layer.convolution_op(x, layer.kernel)) + np.asarray(layer.bias)
            np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0, atol=1e-3)
            np.testing.assert_allclose(z.std(axis=(0, 1, 2)), 1, atol=1e-2)
        x = layer(x)
    calibrated = np.asarray(model(VGG19Preprocessing()(images)))
    assert np.abs(raw).mean() < 0.3 < np.abs(calibrated).mean()
