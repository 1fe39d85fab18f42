"""Writing the synthetic data set to disk, safely and atomically, and finding it in the cache.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

The images are drawn into a temporary sibling folder that is renamed into place once complete, so
the data set's folder is either absent or complete, even with several processes at once. A
marker file written last records the settings; a folder without it that is not empty was not
made here, and is never written into.
"""

from __future__ import annotations

import enum
import os
import pathlib
from collections.abc import Mapping

import numpy as np

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.files import FolderMarker, atomic_write
from santa_lib.internals.params import whole_number
from santa_lib.sources.embedded.picture import DEFAULT_IMAGE_PX, MIN_IMAGE_PX, draw_image
from santa_lib.sources.folder import SPLITS

CLASS_NAMES: tuple[str, str] = ("not_santa", "santa")
"""Class folder names; index 1 (``"santa"``) is the positive class."""

SPLIT_SIZES: dict[str, int] = {"train": 542, "validation": 200, "test": 180}
"""Default number of images per split (both classes together)."""

GENERATOR_VERSION: int = 5
"""Bumped whenever the drawing changes; part of the cache folder name."""

MARKER_FILE = ".santa_lib_embedded"
"""Name of the file written inside every folder this module created."""
MARKER = FolderMarker(MARKER_FILE)

JPEG_QUALITY = 90
GENERATOR_NAME = "santa_lib.sources.embedded"  # recorded in the marker file


class FolderState(enum.Enum):
    """What a target folder holds, compared with the data set asked for."""

    MISSING = "missing"
    EMPTY = "empty"
    FOREIGN = "foreign"  # a file, or a non-empty folder not made here
    OTHER = "other"  # made here, with other settings
    DAMAGED = "damaged"  # made here, but files are missing or the marker is unreadable
    COMPLETE = "complete"


REFUSALS = {
    FolderState.FOREIGN: "exists and is not an empty folder made by santa_lib.sources.embedded",
    FolderState.OTHER: "holds a santa_lib.sources.embedded data set made with other settings",
    FolderState.DAMAGED: "was made by santa_lib.sources.embedded but files are missing or damaged",
}


def _check_sizes(sizes: Mapping[str, int]) -> dict[str, int]:
    """``sizes`` as a dict, or a ValueError for an unknown split or a bad count."""
    checked: dict[str, int] = {}
    for split, count in sizes.items():
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; expected some of {SPLITS}")
        checked[split] = whole_number(count, f"the size of split {split!r}", 0)
    return checked


def _class_counts(total: int) -> dict[str, int]:
    """Balanced counts; the odd image, if any, goes to santa."""
    return {CLASS_NAMES[0]: total // 2, CLASS_NAMES[1]: total - total // 2}


def _expected_files(sizes: Mapping[str, int]) -> list[pathlib.Path]:
    """Every image's path relative to the data set's folder."""
    files = []
    for split, total in sizes.items():
        for name, count in _class_counts(total).items():
            files += [pathlib.Path(split, name, f"{name}_{i:04d}.jpg") for i in range(count)]
    return files


def _marker_content(seed: int, sizes: Mapping[str, int], image_px: int) -> dict[str, object]:
    """What the marker file records: everything that decides the images."""
    return {
        "generator": GENERATOR_NAME,
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "sizes": dict(sizes),
        "image_px": image_px,
    }


def _state(folder: pathlib.Path, expected: dict[str, object]) -> FolderState:
    """What ``folder`` holds, compared with the marker content ``expected``."""
    if not folder.exists():
        return FolderState.MISSING
    if not folder.is_dir():
        return FolderState.FOREIGN
    if not MARKER.present(folder):
        return FolderState.FOREIGN if any(folder.iterdir()) else FolderState.EMPTY
    if MARKER.read(folder) is None:
        return FolderState.DAMAGED
    if not MARKER.matches(folder, expected):
        return FolderState.OTHER
    sizes = expected["sizes"]
    assert isinstance(sizes, dict)
    if all((folder / relative).is_file() for relative in _expected_files(sizes)):
        return FolderState.COMPLETE
    return FolderState.DAMAGED


def _refuse(folder: pathlib.Path, state: FolderState) -> FileExistsError:
    """The error for a folder this module will not write into."""
    hint = " (or delete it)" if state is FolderState.DAMAGED else ""
    return FileExistsError(
        f"{folder} {REFUSALS[state]}; refusing to write there. Pick an empty or new folder{hint}."
    )


def _write_images(root: pathlib.Path, seed: int, sizes: Mapping[str, int], image_px: int) -> None:
    """Draw and save every image, each from its own generator seeded by (seed, split, class,
    index), so an image does not depend on the order they are drawn in."""
    for split, total in sizes.items():
        split_id = SPLITS.index(split)
        for name, count in _class_counts(total).items():
            class_id = CLASS_NAMES.index(name)
            folder = root / split / name
            folder.mkdir(parents=True)
            for index in range(count):
                rng = np.random.default_rng([seed, split_id, class_id, index])
                image = draw_image(class_id == 1, rng, image_px)
                image.save(folder / f"{name}_{index:04d}.jpg", format="JPEG", quality=JPEG_QUALITY)


def generate_dataset(
    target: str | os.PathLike[str],
    seed: int = 0,
    sizes: Mapping[str, int] = SPLIT_SIZES,
    image_px: int = DEFAULT_IMAGE_PX,
) -> pathlib.Path:
    """Write the synthetic data set to ``target`` and return its path.

    The layout is ``target/<split>/<class>/<class>_<index:04d>.jpg`` with the
    splits named in ``sizes`` and the classes in :data:`CLASS_NAMES`; each
    split is balanced (an odd image goes to ``santa``).

    The images are drawn in a temporary sibling folder that is renamed into
    place once complete, with :data:`MARKER_FILE` written last, so ``target``
    is either absent or complete.  If ``target`` already holds a complete data
    set with the same settings it is returned untouched; if two processes race,
    both end up with the same complete folder.  An existing empty ``target``
    folder is replaced by the new one.

    Args:
        target: folder to create.
        seed: random seed; the same seed gives byte-identical files.
        sizes: number of images per split (keys among train/validation/test).
        image_px: width and height of each image in pixels.

    Returns:
        ``target`` as a :class:`pathlib.Path`.

    Raises:
        FileExistsError: ``target`` exists and is not empty, and is not a
            complete data set made by this module with the same settings.
            Nothing in it is changed.
        ValueError: bad ``seed``, ``sizes`` or ``image_px``.
    """
    target = pathlib.Path(target).expanduser()
    checked = _check_sizes(sizes)
    seed = whole_number(seed, "seed", 0)
    image_px = whole_number(image_px, "image_px", MIN_IMAGE_PX)
    expected = _marker_content(seed, checked, image_px)

    state = _state(target, expected)
    if state is FolderState.COMPLETE:
        return target
    if state not in (FolderState.MISSING, FolderState.EMPTY):
        raise _refuse(target, state)

    def write(staged: pathlib.Path) -> None:
        _write_images(staged, seed, checked, image_px)
        MARKER.write(staged, expected)

    try:
        atomic_write(target, write, folder=True)
    except OSError:
        state = _state(target, expected)
        if state is not FolderState.COMPLETE:  # else another process won the race: fine
            raise _refuse(target, state) from None
    return target


def embedded_data_dir(
    cache_dir: str | os.PathLike[str] | None = None, seed: int = 0
) -> pathlib.Path:
    """Return the folder of the default-size data set, generating it on first use.

    The folder is ``<cache_dir>/embedded-v{GENERATOR_VERSION}-seed{seed}``,
    with ``cache_dir`` defaulting to :func:`santa_lib.internals.cache.default_cache_dir`.
    It holds ``train``, ``validation`` and ``test`` folders, each with ``not_santa``
    and ``santa`` sub-folders of JPEG images (see :func:`generate_dataset`).
    Safe to call from several processes at once.
    """
    base = default_cache_dir() if cache_dir is None else pathlib.Path(cache_dir).expanduser()
    return generate_dataset(base / f"embedded-v{GENERATOR_VERSION}-seed{seed}", seed=seed)
