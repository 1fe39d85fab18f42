import time

import numpy as np
import pytest

from santa_lib import base as base_module
from santa_lib.base import (
    WeightsError,
    build_base,
    cached_weights_path,
    describe_base,
    normalise_weights,
    preprocess_images,
    weights_outlook,
)


@pytest.fixture
def offline(monkeypatch):
    """The weights host cannot be reached (as on CI and in this workplace)."""
    monkeypatch.setattr(base_module, "download_reachable",
                        lambda timeout=3.0: (False, "host cannot be reached (test)"))


def test_random_base_has_the_reference_structure(random_base):
    assert random_base.count_params() == 20_024_384
    assert tuple(random_base.output_shape[1:]) == (2, 2, 512)
    assert describe_base(random_base) == "vgg19: 20,024,384 parameters, output 2x2x512"
    assert len(random_base.trainable_weights) == 32


def test_auto_falls_back_to_random_weights_and_says_why_and_how(offline):
    model, note = build_base("auto", 64)
    assert model.count_params() == 20_024_384
    assert "RANDOM" in note
    assert "cannot be reached" in note
    assert str(cached_weights_path()) in note
    assert "weights install" in note


def test_imagenet_offline_fails_fast_with_the_same_advice(offline):
    started = time.perf_counter()
    with pytest.raises(WeightsError, match="not cached") as raised:
        build_base("imagenet", 64)
    assert time.perf_counter() - started < 10
    assert str(cached_weights_path()) in str(raised.value)


def test_download_probe_is_bounded_by_its_timeout(monkeypatch):
    seen = {}

    def no_answer(address, timeout):
        seen["address"], seen["timeout"] = address, timeout
        raise TimeoutError("timed out")

    monkeypatch.setattr(base_module.socket, "create_connection", no_answer)
    reachable, reason = base_module.download_reachable(0.5)
    assert reachable is False
    assert seen == {"address": ("storage.googleapis.com", 443), "timeout": 0.5}
    assert "storage.googleapis.com" in reason


def test_weights_file_round_trip_and_misfit(tmp_path, random_base):
    path = tmp_path / "vgg19_notop.weights.h5"
    random_base.save_weights(path)
    model, note = build_base(str(path), 64)
    assert str(path) in note
    for ours, theirs in zip(model.get_weights(), random_base.get_weights(), strict=True):
        np.testing.assert_array_equal(ours, theirs)

    import keras

    other = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    wrong = tmp_path / "wrong.weights.h5"
    other.save_weights(wrong)
    with pytest.raises(WeightsError, match="wrong.weights.h5"):
        build_base(str(wrong), 64)


def test_weights_values_are_checked():
    assert normalise_weights(None) == "random"
    assert normalise_weights("ImageNet") == "imagenet"
    with pytest.raises(ValueError, match="nosuchfile.h5"):
        normalise_weights("nosuchfile.h5")


def test_image_size_below_vgg19_minimum_is_refused():
    with pytest.raises(ValueError, match="at least 32"):
        build_base("random", 16)


def test_preprocessing_is_vgg19_imagenet_and_leaves_input_alone():
    images = np.zeros((2, 4, 4, 3), dtype="uint8")
    images[..., 0] = 200  # red
    before = images.copy()
    out = preprocess_images(images)
    np.testing.assert_array_equal(images, before)
    # BGR order, ImageNet means subtracted: blue 103.939, green 116.779, red 123.68
    np.testing.assert_allclose(out[0, 0, 0], [-103.939, -116.779, 200 - 123.68], rtol=1e-5)
    float_input = images.astype("float32")
    preprocess_images(float_input)
    np.testing.assert_array_equal(float_input, before.astype("float32"))


def test_calibration_centres_and_scales_every_convolution(small_data):
    import keras

    from santa_lib.base import calibrate
    from santa_lib.data import load_split
    from santa_lib.seeding import seed_everything

    images = load_split(small_data, "train", image_size=64).images
    seed_everything(0)
    model = keras.applications.VGG19(weights=None, include_top=False, input_shape=(64, 64, 3))
    raw = np.asarray(model(preprocess_images(images)))
    calibrate(model, images, count=len(images))
    x = preprocess_images(images)
    for layer in model.layers[1:]:
        if isinstance(layer, keras.layers.Conv2D):
            z = np.asarray(layer.convolution_op(x, layer.kernel)) + np.asarray(layer.bias)
            np.testing.assert_allclose(z.mean(axis=(0, 1, 2)), 0, atol=1e-3)
            np.testing.assert_allclose(z.std(axis=(0, 1, 2)), 1, atol=1e-2)
        x = layer(x)
    calibrated = np.asarray(model(preprocess_images(images)))
    assert np.abs(raw).mean() < 0.3 < np.abs(calibrated).mean()


def test_fallback_note_mentions_calibration(offline, small_data):
    from santa_lib.data import load_split

    images = load_split(small_data, "train", image_size=64).images
    _, note = build_base("auto", 64, calibration_images=images)
    assert "calibrated on 10 training images" in note


def test_weights_outlook_tells_each_case_without_building(offline, monkeypatch, tmp_path):
    auto = weights_outlook("auto")
    assert auto.startswith("OFFLINE") and "random" in auto and "weights install" in auto
    assert "will stop" in weights_outlook("imagenet")
    assert "random VGG19 weights (asked for)" in weights_outlook(None)
    weights_file = tmp_path / "mine.h5"
    weights_file.write_bytes(b"x")
    assert str(weights_file) in weights_outlook(str(weights_file))
    cached_weights_path().parent.mkdir(parents=True, exist_ok=True)
    cached_weights_path().write_bytes(b"x")
    assert "cached at" in weights_outlook("auto")
    cached_weights_path().unlink()
    monkeypatch.setattr(base_module, "download_reachable", lambda timeout=3.0: (True, "ok"))
    assert "downloads them" in weights_outlook("imagenet")
