"""The pictures, loaded into memory for the lesson (home notebook: 00_the_data; used by 01-03).

A data folder holds three splits, each with one sub-folder per class::

    data_dir/train/not_santa/*.jpg      data_dir/train/santa/*.jpg
    data_dir/validation/...             data_dir/test/...

Class names are the sub-folder names in alphabetical order, so with ``not_santa`` and ``santa``
the label of a Santa picture is 1. Every image is used: a file that cannot be read stops loading
with an error naming it, instead of being skipped silently. The folder's rules live in
:mod:`santa_lib.sources.folder`; where ``"embedded"`` and ``"photos"`` come from, in
:mod:`santa_lib.sources`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np

from santa_lib.internals.params import EMBEDDED, PHOTOS, check_data_dir
from santa_lib.sources.folder import (
    SPLITS,
    DataError,
    count_images,
    decode_image,
    decode_images,
    format_counts,
    labelled_files,
    layout_problems,
    refuse,
)

__all__ = ["DataError", "Split", "Splits", "count_images", "data_description", "find_data",
           "format_counts", "load_data", "read_pictures"]


@dataclass(frozen=True)
class Split:
    """One split loaded into memory: images as uint8 RGB, labels as 0.0 / 1.0."""

    name: str
    images: np.ndarray
    labels: np.ndarray
    paths: tuple[Path, ...]
    class_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.labels)


class Splits(NamedTuple):
    """The three splits: ``train, validation, test = load_data(...)`` unpacks them."""

    train: Split
    validation: Split
    test: Split

    def items(self) -> Iterator[tuple[str, Split]]:
        """``(name, split)`` pairs, as a dict's ``items()`` gives them."""
        return zip(self._fields, self, strict=True)


def find_data(data_dir: str | os.PathLike) -> Path:
    """The folder that the ``data_dir`` parameter means, ready to read.

    ``"embedded"``: the synthetic pictures, generated into the cache on first use;
    ``"photos"``: the 2022 lesson's photos, downloaded into the cache on first use (offline, a
    clear error within seconds); anything else: that folder.
    """
    try:
        check_data_dir(data_dir)
    except ValueError as error:
        raise DataError(str(error)) from None
    if str(data_dir) == EMBEDDED:
        from santa_lib.sources.embedded import embedded_data_dir

        return embedded_data_dir()
    if str(data_dir) == PHOTOS:
        from santa_lib.sources.photos import photos_data_dir

        return photos_data_dir()
    return Path(data_dir).expanduser()


def data_description(data_dir: str | os.PathLike) -> str:
    """What the ``data_dir`` parameter stands for, in words, for the notebooks' prose."""
    if str(data_dir) == EMBEDDED:
        return "the lesson's built-in synthetic pictures (drawn by santa_lib, cached on first use)"
    if str(data_dir) == PHOTOS:
        return "the 2022 lesson's original photos (downloaded from their public repository)"
    return f"your own folder of pictures, {Path(data_dir).expanduser().resolve()}"


def _split(data_dir: Path, name: str, image_size: int) -> Split:
    paths, labels, class_names = labelled_files(data_dir, name)
    images, problems = decode_images(paths, image_size)
    refuse(data_dir, problems)
    return Split(name, images, labels, tuple(paths), class_names)


def load_data(data_dir: str | os.PathLike, image_size: int = 64) -> Splits:
    """Find the folder (:func:`find_data`), check it, then load train, validation and test.

    Layout problems (missing folders, empty or extra classes, class names that differ between
    splits, files that are not images) are all reported in one :class:`DataError` before any
    image is read; unreadable images are reported together by the one pass that decodes them.
    """
    folder = find_data(data_dir)
    refuse(folder, layout_problems(folder))
    return Splits(*(_split(folder, name, image_size) for name in SPLITS))


def read_pictures(paths: list[str | os.PathLike], image_size: int = 64) -> np.ndarray:
    """Pictures of one's own, any format and size the data rules accept, as model input.

    Returns ``(n, image_size, image_size, 3)`` uint8 RGB; a missing or unreadable file stops
    with a :class:`DataError` naming it.
    """
    pictures = []
    for path in paths:
        if not Path(path).expanduser().is_file():
            raise DataError(f"no picture at {Path(path).expanduser().resolve()}: give the path "
                            "of an image file (JPEG, PNG, WebP, ...).")
        pictures.append(decode_image(Path(path).expanduser(), image_size))
    return np.stack(pictures) if pictures else np.zeros((0, image_size, image_size, 3), "uint8")
