import math

import keras
import numpy as np
import pytest

from santa_lib.augment import RandomAffine, augmentation, sharpness


@pytest.fixture
def noise():
    return np.random.default_rng(0).uniform(0, 255, (32, 64, 64, 3)).astype("float32")


def test_changes_pixels_not_shapes_and_only_in_training(noise):
    augment = augmentation(seed=3)
    out = np.asarray(augment(noise, training=True))
    assert out.shape == noise.shape
    assert not np.allclose(out, noise)
    np.testing.assert_array_equal(np.asarray(augment(noise, training=False)), noise)


def test_no_movement_is_the_identity(noise):
    still = RandomAffine(0, 0, 0, 0, horizontal_flip=False, seed=0)
    np.testing.assert_allclose(np.asarray(still(noise, training=True)), noise, atol=1e-3)


def test_flips_mirror_about_half_the_pictures(noise):
    flip_only = RandomAffine(0, 0, 0, 0, horizontal_flip=True, seed=0)
    out = np.asarray(flip_only(noise, training=True))
    pairs = list(zip(out, noise, strict=True))
    mirrored = [bool(np.allclose(o, x[:, ::-1], atol=1e-3)) for o, x in pairs]
    unchanged = [bool(np.allclose(o, x, atol=1e-3)) for o, x in pairs]
    assert all(m != u for m, u in zip(mirrored, unchanged, strict=True))
    assert 4 <= sum(mirrored) <= 28


def test_draws_stay_within_the_reference_ranges():
    transforms = np.asarray(RandomAffine(seed=1).transforms(2000, 64.0, 64.0))
    a00, a01, b0, a10, a11, b1, c0, c1 = transforms.T
    assert not c0.any() and not c1.any()
    # columns of the linear part: rotation times zoom (and flip), zoom within 1 +- 0.2
    zoom_x, zoom_y = np.hypot(a00, a10), np.hypot(a01, a11)
    assert zoom_x.min() >= 0.8 - 1e-5 and zoom_x.max() <= 1.2 + 1e-5
    assert zoom_y.min() >= 0.8 - 1e-5 and zoom_y.max() <= 1.2 + 1e-5
    angle = np.degrees(np.arctan2(a10, np.abs(a00)))
    assert np.abs(angle).max() <= 40.0 + 1e-3 and np.abs(angle).max() > 35.0
    # the centre moves by the shift only: at most 20 % of the size on each axis
    centre = 31.5
    moved_x = a00 * centre + a01 * centre + b0 - centre
    moved_y = a10 * centre + a11 * centre + b1 - centre
    assert np.abs(moved_x).max() <= 0.2 * 64 + 1e-3 and np.abs(moved_x).max() > 0.18 * 64
    assert np.abs(moved_y).max() <= 0.2 * 64 + 1e-3


def test_same_seed_same_pictures(noise):
    first = np.asarray(augmentation(seed=5)(noise, training=True))
    second = np.asarray(augmentation(seed=5)(noise, training=True))
    np.testing.assert_array_equal(first, second)


def test_one_resampling_keeps_the_detail_four_chained_layers_blur(noise):
    """The reason for RandomAffine: Keras' separate layers resample each picture four times."""
    layers = keras.layers
    shear = math.tan(math.radians(0.2))
    chained = keras.Sequential([
        layers.RandomFlip("horizontal", seed=0),
        layers.RandomRotation(40 / 360, fill_mode="nearest", seed=0),
        layers.RandomTranslation(0.2, 0.2, fill_mode="nearest", seed=0),
        layers.RandomZoom(0.2, fill_mode="nearest", seed=0),
        layers.RandomShear(x_factor=shear, y_factor=shear, fill_mode="nearest", seed=0),
    ])
    ours = sharpness(augmentation(seed=0)(noise, training=True))
    theirs = sharpness(chained(noise, training=True))
    assert ours > 2 * theirs


def test_the_sharpness_report_measures_both_and_leaves_the_lessons_augmentation_alone(noise):
    from santa_lib.augment import sharpness_report

    assert sharpness(noise) > sharpness(np.full_like(noise, 7.0)) == 0.0
    chained = keras.Sequential([keras.layers.RandomRotation(0.1, seed=0),
                                keras.layers.RandomZoom(0.2, seed=0)])
    lesson = augmentation(seed=3)
    before = np.asarray(augmentation(seed=3)(noise, training=True))
    lines = sharpness_report(noise, chained, seed=3).splitlines()
    assert [line.split("  ")[0].strip() for line in lines] == [
        "the pictures as they are", "Keras' layers, chained", "sl.augmentation, one resampling"]
    kept = [float(line.split("(")[1].split("%")[0]) for line in lines]
    assert kept[0] == 100 and kept[2] > kept[1]
    np.testing.assert_array_equal(np.asarray(lesson(noise, training=True)), before)
