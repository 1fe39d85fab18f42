"""Where the weights come from: the choice, the fallback and its message, the install."""

import time

import pytest

from santa_lib.weights import (
    WeightsChoice,
    WeightsError,
    cached_weights_path,
    check_weights,
    choose_weights,
    weights_outlook,
)


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
    assert choice.note.startswith("OFFLINE FALLBACK: using RANDOM VGG19 weights")
    assert "cannot be reached (test)" in choice.note
    assert str(cached_weights_path()) in choice.note and "weights install" in choice.note


def test_imagenet_offline_fails_at_once_with_the_same_advice():
    with pytest.raises(WeightsError, match="not cached") as raised:
        choose_weights("imagenet", probe=offline)
    assert str(cached_weights_path()) in str(raised.value)


def test_the_real_probe_answers_within_seconds_here():
    started = time.perf_counter()
    choice = choose_weights("auto")  # no internet in tests: the fallback, or ImageNet if online
    assert time.perf_counter() - started < 10
    assert choice.kind in ("random", "imagenet")


def test_imagenet_when_cached_or_reachable(cached_file):
    assert choose_weights("auto", probe=offline) == WeightsChoice("imagenet", path=cached_file)
    assert "cached at" in weights_outlook("imagenet", probe=offline)


def test_online_means_imagenet_downloaded_by_keras():
    assert choose_weights("auto", probe=online).kind == "imagenet"
    assert "downloads them" in weights_outlook("auto", probe=online)


def test_a_weights_file_and_random_on_request(tmp_path):
    weights_file = tmp_path / "mine.h5"
    weights_file.write_bytes(b"x")
    choice = choose_weights(str(weights_file), probe=offline)
    assert choice == WeightsChoice("file", path=weights_file)
    assert str(weights_file) in choice.note
    asked = choose_weights("random", probe=offline)
    assert asked.label == "random" and "asked for" in asked.note


def test_outlook_tells_each_case_before_the_long_notebooks(tmp_path):
    auto = weights_outlook("auto", probe=offline)
    assert auto.startswith("OFFLINE") and "fall back to random" in auto
    assert "weights install" in auto
    assert "will stop at once" in weights_outlook("imagenet", probe=offline)
    assert "random VGG19 weights (asked for)" in weights_outlook(None, probe=offline)
