"""Reading a ``split/class/image`` folder tree into arrays (home notebook: 00_the_data).

The lesson's data lives in one folder with three splits, each holding one sub-folder per class::

    data_dir/train/not_santa/*.jpg      data_dir/train/santa/*.jpg
    data_dir/validation/...             data_dir/test/...

Class names are the sub-folder names in alphabetical order, so with ``not_santa`` and ``santa`` the
label of a Santa picture is 1. Every image is used: a file that cannot be read stops loading with
an error naming it, instead of being skipped silently.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

SPLITS: tuple[str, ...] = ("train", "validation", "test")
EMBEDDED = "embedded"
"""The ``data_dir`` value that selects the synthetic data set made by :mod:`santa_lib.embedded`."""

IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".ipynb_checkpoints"})


class DataError(ValueError):
    """The data folder cannot be used as it is; the message names the path and what to do."""


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


def is_ignored(path: Path) -> bool:
    """True for hidden and system files that are not part of the data (``.DS_Store``, ``._x``)."""
    return path.name.startswith(".") or path.name in IGNORED_NAMES


def resolve_data_dir(data_dir: str | os.PathLike | None) -> Path:
    """Turn the notebooks' ``data_dir`` parameter into an existing folder.

    ``"embedded"`` means the synthetic data set, generated into the cache on first use.
    """
    if data_dir is None or str(data_dir).strip() == "":
        raise DataError(
            "data_dir is empty: give a folder holding train/, validation/ and test/, "
            f"or {EMBEDDED!r} for the lesson's built-in synthetic photos."
        )
    if str(data_dir) == EMBEDDED:
        from santa_lib.embedded import embedded_data_dir

        return embedded_data_dir()
    path = Path(data_dir).expanduser()
    if not path.is_dir():
        raise DataError(
            f"data_dir {str(data_dir)!r} is not a folder (looked for {path.resolve()}). "
            f"Point it at a folder holding train/, validation/ and test/, or use {EMBEDDED!r}."
        )
    return path


def class_names_of(split_dir: Path) -> tuple[str, ...]:
    """The class sub-folders of one split, sorted; hidden folders are ignored."""
    if not split_dir.is_dir():
        raise DataError(f"missing split folder {split_dir}: create it with one folder per class.")
    return tuple(sorted(p.name for p in split_dir.iterdir() if p.is_dir() and not is_ignored(p)))


def image_files(class_dir: Path) -> list[Path]:
    """The files of one class folder, sorted by name, without hidden or system files."""
    return sorted(p for p in class_dir.iterdir() if p.is_file() and not is_ignored(p))


def list_split(data_dir: Path, split: str) -> tuple[list[Path], np.ndarray, tuple[str, ...]]:
    """Paths, binary labels and class names of one split, without reading any image."""
    split_dir = Path(data_dir) / split
    class_names = class_names_of(split_dir)
    if len(class_names) != 2:
        raise DataError(
            f"{split_dir} has {len(class_names)} class folders {list(class_names)}; this lesson "
            "is binary and needs exactly two (for example not_santa and santa). "
            "Run `python -m santa_lib check-data DIR` for a full report."
        )
    paths: list[Path] = []
    labels: list[float] = []
    for label, name in enumerate(class_names):
        files = image_files(split_dir / name)
        if not files:
            raise DataError(f"class folder {split_dir / name} is empty: add images to it.")
        paths.extend(files)
        labels.extend([float(label)] * len(files))
    return paths, np.asarray(labels, dtype="float32"), class_names


def to_rgb(image: Image.Image) -> Image.Image:
    """Convert any PIL mode (grayscale, palette, CMYK, 16-bit, with alpha) to 8-bit RGB."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        values = np.asarray(image, dtype="float64")
        top = values.max() if values.size and values.max() > 0 else 1.0
        image = Image.fromarray(np.clip(values / top * 255.0, 0, 255).astype("uint8"), "L")
    if image.mode == "P":
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA"):
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
    return image.convert("RGB")


def decode_image(path: str | os.PathLike, image_size: int) -> np.ndarray:
    """Read one image file as a ``(image_size, image_size, 3)`` uint8 array.

    Handles EXIF rotation, any colour mode and very large JPEGs (decoded at a reduced scale
    first, which is many times faster than decoding every pixel and then shrinking).
    """
    try:
        with Image.open(path) as image:
            image.draft("RGB", (image_size, image_size))
            image = ImageOps.exif_transpose(image)
            image = to_rgb(image)
            image = image.resize((image_size, image_size), Image.Resampling.BILINEAR)
            return np.asarray(image, dtype="uint8")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise DataError(
            f"cannot read image {path}: {error}. Remove or replace the file, or run "
            "`python -m santa_lib check-data DIR` to list every problem at once."
        ) from error


def decode_images(paths: Iterable[Path], image_size: int) -> np.ndarray:
    """Decode many files in parallel threads (PIL releases the GIL while decoding).

    Every file is tried; if any fail, one :class:`DataError` lists them all.
    """
    paths = list(paths)

    def attempt(path: Path) -> np.ndarray | DataError:
        try:
            return decode_image(path, image_size)
        except DataError as error:
            return error

    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        arrays = list(pool.map(attempt, paths))
    failures = [str(error.__cause__ or error) for error in arrays if isinstance(error, DataError)]
    if failures:
        bad = [str(path) for path, result in zip(paths, arrays, strict=True)
               if isinstance(result, DataError)]
        listing = "\n".join(f"  - {path}: {why}" for path, why in zip(bad, failures, strict=True))
        raise DataError(
            f"{len(bad)} image file(s) cannot be read; replace or remove them "
            f"(`python -m santa_lib check-data DIR` checks a whole folder):\n{listing}"
        )
    if not arrays:
        return np.zeros((0, image_size, image_size, 3), dtype="uint8")
    return np.stack(arrays)


def load_split(data_dir: str | os.PathLike, split: str, image_size: int = 64) -> Split:
    """Load every image of one split, resized to ``image_size`` x ``image_size``."""
    paths, labels, class_names = list_split(Path(data_dir), split)
    images = decode_images(paths, image_size)
    return Split(split, images, labels, tuple(paths), class_names)


def load_splits(data_dir: str | os.PathLike, image_size: int = 64) -> dict[str, Split]:
    """Check the folder's layout, then load train, validation and test.

    Layout problems (missing folders, empty or extra classes, class names that differ between
    splits, files that are not images) are all reported in one :class:`DataError` before any
    image is read; unreadable images are reported together by the one pass that decodes them.
    """
    from santa_lib.checks import check_layout

    problems = check_layout(data_dir)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise DataError(f"{data_dir} cannot be used as it is:\n{listing}")
    return {name: load_split(data_dir, name, image_size) for name in SPLITS}


def count_images(data_dir: str | os.PathLike) -> dict[str, dict[str, int]]:
    """Number of image files per split and class, without decoding any."""
    counts: dict[str, dict[str, int]] = {}
    for split in SPLITS:
        split_dir = Path(data_dir) / split
        counts[split] = {
            name: len(image_files(split_dir / name)) for name in class_names_of(split_dir)
        }
    return counts


def format_counts(counts: dict[str, dict[str, int]]) -> str:
    """A small plain-text table of :func:`count_images` with totals."""
    class_names = sorted({name for per_class in counts.values() for name in per_class})
    header = ["split", *class_names, "total"]
    rows = [header]
    for split, per_class in counts.items():
        values = [per_class.get(name, 0) for name in class_names]
        rows.append([split, *map(str, values), str(sum(values))])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True)))
             for row in rows]
    return "\n".join(lines)
