"""Shared fixtures. Every test runs with its own cache folder: the user's cache is never touched.

Keras reads ``KERAS_HOME`` once, when it is imported, so the test session gets one private
Keras folder, set here before anything imports Keras; tests that write into it clean up.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ["KERAS_HOME"] = tempfile.mkdtemp(prefix="santa-tests-keras-")
pytest_plugins = ["tests.photo_server"]  # the local photo server's fixtures
for folder in ("tools", "bench"):  # scripts the tests import as modules
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / folder))


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch) -> Path:
    """Point SANTA_LIB_CACHE at a fresh folder for each test."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("SANTA_LIB_CACHE", str(cache))
    return cache


def _write_image(path: Path, colour: tuple[int, int, int], size: int = 40,
                 fmt: str = "JPEG") -> Path:
    """A small solid image with a darker square, so resizing has something to do."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.full((size, size, 3), colour, dtype="uint8")
    pixels[size // 4: size // 2, size // 4: size // 2] //= 2
    Image.fromarray(pixels).save(path, format=fmt)
    return path


@pytest.fixture
def write_image():
    """``write_image(path, colour, size=40, fmt="JPEG")``: a small test picture on disk."""
    return _write_image


@pytest.fixture
def small_data(tmp_path) -> Path:
    """A tiny data folder in the lesson's layout: 5/3/2 images per class in train/val/test."""
    root = tmp_path / "photos"
    sizes = {"train": 5, "validation": 3, "test": 2}
    for split, count in sizes.items():
        for index in range(count):
            _write_image(root / split / "santa" / f"s{index}.jpg", (200, 30, 30 + index))
            _write_image(root / split / "not_santa" / f"n{index}.jpg", (30, 90, 200 - index))
    return root


def _write_notebook(path: Path, *bodies: str, parameters: str = "value = 1") -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        *[nbformat.v4.new_code_cell(body) for body in bodies],
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    nbformat.write(notebook, path)
    return path


@pytest.fixture
def write_notebook():
    """``write_notebook(path, *cell_sources, parameters="value = 1")``: a small notebook with a
    ``parameters`` cell, for the tools' tests."""
    return _write_notebook


@pytest.fixture(scope="session")
def random_base():
    """One VGG19 base with seeded random weights, shared by the tests that only read it."""
    from tests.bases import random_vgg19

    return random_vgg19(64)
