"""The rules of a data folder, and decoding its images (the lesson reads it through santa_lib.data).

The lesson's data lives in one folder with three splits, each holding one sub-folder per class::

    data_dir/train/not_santa/*.jpg      data_dir/train/santa/*.jpg
    data_dir/validation/...             data_dir/test/...

Class names are the sub-folder names in alphabetical order, so with ``not_santa`` and ``santa`` the
label of a Santa picture is 1. Every image is used: a file that cannot be read stops loading with
an error naming it, instead of being skipped silently.

This module owns the rules a data folder must follow (:func:`layout_problems`) and the one pass
that decodes images (:func:`decode_images`); :mod:`santa_lib.sources.checks` reports them all at
once, and :mod:`santa_lib.data` applies them before loading.
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

IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini", ".ipynb_checkpoints"})
IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jfif", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"})


class DataError(ValueError):
    """The data folder cannot be used as it is; the message names the path and what to do."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where, what, and what to do about it."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def is_ignored(path: Path) -> bool:
    """True for hidden and system files that are not part of the data (``.DS_Store``, ``._x``)."""
    return path.name.startswith(".") or path.name in IGNORED_NAMES


def class_names_of(split_dir: Path) -> tuple[str, ...]:
    """The class sub-folders of one split, sorted; hidden folders are ignored."""
    if not split_dir.is_dir():
        raise DataError(f"missing split folder {split_dir}: create it with one folder per class.")
    return tuple(sorted(p.name for p in split_dir.iterdir() if p.is_dir() and not is_ignored(p)))


def image_files(class_dir: Path) -> list[Path]:
    """The files of one class folder, sorted by name, without hidden or system files."""
    return sorted(p for p in class_dir.iterdir() if p.is_file() and not is_ignored(p))


def _class_folder_problems(split_dir: Path, names: tuple[str, ...]) -> list[Problem]:
    """The rules for the class folders of one split: two classes, none empty, only images."""
    problems: list[Problem] = []
    if len(names) != 2:
        problems.append(Problem(split_dir, f"has {len(names)} class folders {list(names)}; this "
                                           "lesson is binary and needs exactly two (such as "
                                           "not_santa and santa)."))
    for name in names:
        files = image_files(split_dir / name)
        if not files:
            problems.append(Problem(split_dir / name, "empty class folder: add images of this "
                                                      "class or remove the folder."))
        problems.extend(Problem(path, "not an image file (by its name): remove it or move it "
                                      "out of the data folder.")
                        for path in files if path.suffix.lower() not in IMAGE_SUFFIXES)
    return problems


def split_problems(data_dir: str | os.PathLike, split: str) -> list[Problem]:
    """What is wrong with the folder layout of one split, found without opening any image."""
    split_dir = Path(data_dir) / split
    if not split_dir.is_dir():
        return [Problem(split_dir, "missing split folder: create it, with one sub-folder per "
                                   "class.")]
    problems: list[Problem] = []
    stray = sorted(p.name for p in split_dir.iterdir() if p.is_file() and not is_ignored(p))
    if stray:
        shown = ", ".join(stray[:5]) + (", ..." if len(stray) > 5 else "")
        problems.append(Problem(split_dir, f"files outside any class folder ({shown}): move "
                                           "them into a class folder or out of the data."))
    return problems + _class_folder_problems(split_dir, class_names_of(split_dir))


def layout_problems(data_dir: str | os.PathLike) -> list[Problem]:
    """Every problem of the folder layout (all splits, and across them), without decoding."""
    root = Path(data_dir)
    if not root.is_dir():
        return [Problem(root, "is not a folder: give the folder that holds train/, validation/ "
                              "and test/.")]
    problems = [problem for split in SPLITS for problem in split_problems(root, split)]
    names = {split: class_names_of(root / split) for split in SPLITS if (root / split).is_dir()}
    if len(set(names.values())) > 1:
        found = "; ".join(f"{split}: {list(classes)}" for split, classes in names.items())
        problems.append(Problem(root, f"the splits have different class folders ({found}): "
                                      "use the same class names in train, validation and test."))
    return problems


def labelled_files(data_dir: str | os.PathLike,
                   split: str) -> tuple[list[Path], np.ndarray, tuple[str, ...]]:
    """Paths, binary labels (0.0 / 1.0, classes in alphabetical order) and class names of one
    split whose layout has been checked, without reading any image."""
    split_dir = Path(data_dir) / split
    class_names = class_names_of(split_dir)
    paths: list[Path] = []
    labels: list[float] = []
    for label, name in enumerate(class_names):
        files = image_files(split_dir / name)
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
    first, which is many times faster than decoding every pixel and then shrinking). A file that
    cannot be read raises :class:`DataError` naming it.
    """
    try:
        with Image.open(path) as image:
            image.draft("RGB", (image_size, image_size))
            image = ImageOps.exif_transpose(image)
            image = to_rgb(image)
            image = image.resize((image_size, image_size), Image.Resampling.BILINEAR)
            return np.asarray(image, dtype="uint8")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise DataError(f"cannot read image {path}: {error}. Remove or replace the file.") \
            from error


def decode_images(paths: Iterable[Path], image_size: int) -> tuple[np.ndarray, list[Problem]]:
    """Decode many files in parallel threads (PIL releases the GIL while decoding).

    Every file is tried. Returns the images of the readable files, in order, and one
    :class:`Problem` per file that could not be read.
    """
    paths = list(paths)

    def attempt(path: Path) -> np.ndarray | Problem:
        try:
            return decode_image(path, image_size)
        except DataError as error:
            return Problem(path, f"unreadable or truncated image ({error.__cause__}): replace "
                                 "or remove it.")

    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(attempt, paths))
    problems = [result for result in results if isinstance(result, Problem)]
    arrays = [result for result in results if not isinstance(result, Problem)]
    if not arrays:
        return np.zeros((0, image_size, image_size, 3), dtype="uint8"), problems
    return np.stack(arrays), problems


def refuse(data_dir: str | os.PathLike, problems: list[Problem]) -> None:
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise DataError(f"{data_dir} cannot be used as it is (`python -m santa_lib check-data "
                        f"DIR` lists every problem):\n{listing}")


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
