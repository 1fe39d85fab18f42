"""Shared fixtures. Every test runs with its own cache folder: the user's cache is never touched."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch) -> Path:
    """Point SANTA_LIB_CACHE and KERAS_HOME at fresh folders for each test."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SANTA_LIB_CACHE", str(cache))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
    return cache


def write_image(path: Path, colour: tuple[int, int, int], size: int = 40,
                fmt: str = "JPEG") -> Path:
    """A small solid image with a darker square, so resizing has something to do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.full((size, size, 3), colour, dtype="uint8")
    pixels[size // 4: size // 2, size // 4: size // 2] //= 2
    Image.fromarray(pixels).save(path, format=fmt)
    return path


@pytest.fixture
def small_data(tmp_path) -> Path:
    """A tiny data folder in the lesson's layout: 5/3/2 images per class in train/val/test."""
    root = tmp_path / "photos"
    sizes = {"train": 5, "validation": 3, "test": 2}
    for split, count in sizes.items():
        for index in range(count):
            write_image(root / split / "santa" / f"s{index}.jpg", (200, 30, 30 + index))
            write_image(root / split / "not_santa" / f"n{index}.jpg", (30, 90, 200 - index))
    return root


@pytest.fixture(scope="session")
def random_base():
    """One VGG19 base with seeded random weights, shared by the tests that only read it."""
    from santa_lib.base import build_base
    from santa_lib.seeding import seed_everything

    seed_everything(0)
    base, _ = build_base("random", 64)
    return base
