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

from santa_lib.internals.params import AUTO, EMBEDDED, PHOTOS, check_data_dir
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
from santa_lib.sources.network import Probe, host_reachable

__all__ = ["DataChoice", "DataError", "Split", "Splits", "choose_data", "count_images",
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


@dataclass(frozen=True)
class DataChoice:
    """Which pictures a run uses, settled from the ``data_dir`` parameter (:func:`choose_data`).

    ``kind`` is ``"embedded"``, ``"photos"`` or ``"folder"``; ``path`` the folder to read;
    ``reason`` why ``"auto"`` chose it (empty when ``data_dir`` named the pictures itself).
    """

    kind: str
    path: Path
    reason: str = ""

    @property
    def label(self) -> str:
        """How records and tables name the pictures: ``embedded``, ``photos`` or the folder."""
        return str(self.path) if self.kind == FOLDER else self.kind

    @property
    def note(self) -> str:
        """What a notebook prints first: which pictures, and why when ``"auto"`` chose."""
        why = f" Why: {self.reason}." if self.reason else ""
        return f"Pictures: {DESCRIPTIONS.get(self.kind, f'your own folder, {self.path}')}.{why}"


FOLDER = "folder"
DESCRIPTIONS = {
    EMBEDDED: "the lesson's built-in synthetic pictures, drawn by santa_lib",
    PHOTOS: "the 2022 lesson's original photos",
}
"""What each kind of pictures is, in words (notebooks and notebook 05)."""


def _photos(probe: Probe, why: str) -> DataChoice:
    """``"auto"`` when the photos are cached or their host answered: the photos, downloading
    what is missing; if that fails, the embedded pictures, saying why (the photos already there
    are kept for the next run)."""
    from santa_lib.sources.photos import PhotosError, photos_data_dir, photos_ready

    if photos_ready():
        return DataChoice(PHOTOS, photos_data_dir(probe=probe), why)
    try:
        folder = photos_data_dir(probe=probe, timeout=AUTO_REQUEST_SECONDS)
    except PhotosError as error:
        first = str(error).splitlines()[0]
        return DataChoice(EMBEDDED, _embedded(), f"the 2022 photos could not all be had: {first}")
    return DataChoice(PHOTOS, folder, f"{why}: downloaded and verified now")


def _embedded() -> Path:
    from santa_lib.sources.embedded import embedded_data_dir

    return embedded_data_dir()


AUTO_REQUEST_SECONDS = 10.0
"""How long ``"auto"`` waits for one photo before trying it again (twice at most)."""


def choose_data(data_dir: str | os.PathLike | DataChoice = AUTO, *,
                probe: Probe = host_reachable) -> DataChoice:
    """Settle which pictures ``data_dir`` means on this machine, now, ready to read.

    ``"auto"`` (every notebook's default): the 2022 photos when they are in the lesson's cache,
    or when their host (``$SANTA_LIB_PHOTOS_URL``, else their public repository) answers and
    the download, shown with its size and progress, completes and verifies; otherwise the
    embedded pictures, saying why. An offline machine decides within seconds.
    ``"embedded"``: the synthetic pictures, generated into the cache on first use;
    ``"photos"``: the 2022 photos, downloaded on first use (offline: a clear error within
    seconds); anything else: that folder.
    """
    if isinstance(data_dir, DataChoice):
        return data_dir
    try:
        check_data_dir(data_dir)
    except ValueError as error:
        raise DataError(str(error)) from None
    if str(data_dir) == AUTO:
        from santa_lib.sources.photos import auto_source

        kind, why = auto_source(probe)
        return _photos(probe, why) if kind == PHOTOS else DataChoice(EMBEDDED, _embedded(), why)
    if str(data_dir) == EMBEDDED:
        return DataChoice(EMBEDDED, _embedded())
    if str(data_dir) == PHOTOS:
        from santa_lib.sources.photos import photos_data_dir

        return DataChoice(PHOTOS, photos_data_dir(probe=probe))
    return DataChoice(FOLDER, Path(data_dir).expanduser().resolve())


def _split(data_dir: Path, name: str, image_size: int) -> Split:
    paths, labels, class_names = labelled_files(data_dir, name)
    images, problems = decode_images(paths, image_size)
    refuse(data_dir, problems)
    return Split(name, images, labels, tuple(paths), class_names)


def load_data(data_dir: str | os.PathLike | DataChoice = AUTO, image_size: int = 64) -> Splits:
    """Settle the pictures (:func:`choose_data`; a :class:`DataChoice` is used as it is), check
    the folder, then load train, validation and test.

    Layout problems (missing folders, empty or extra classes, class names that differ between
    splits, files that are not images) are all reported in one :class:`DataError` before any
    image is read; unreadable images are reported together by the one pass that decodes them.
    """
    choice = choose_data(data_dir)
    refuse(choice.path, layout_problems(choice.path))
    return Splits(*(_split(choice.path, name, image_size) for name in SPLITS))


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
