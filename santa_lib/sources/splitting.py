"""``python -m santa_lib split SRC DEST``: your own photos, one folder per class, in the lesson's
train / validation / test layout (docs/instructors.md, "Your own photos"; then ``data_dir=DEST``).

``SRC`` holds one sub-folder per class (``SRC/cats/*.jpg``, ``SRC/dogs/*.jpg``). Each class is
split on its own in the given fractions (stratified), after sorting its file names and shuffling
them with ``numpy.random.default_rng(seed)``, so the same seed always gives the same split.

The data rules are :mod:`santa_lib.sources.folder`'s (two classes, only image files, every image
readable, hidden and system files ignored), applied to ``SRC`` before anything is copied. Files are
copied with :func:`shutil.copy2` (``SRC`` is only read) into a hidden folder next to ``DEST``,
renamed into place at the end (:mod:`santa_lib.internals.files`): an interrupted split never leaves
half a ``DEST``.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
from pathlib import Path

import numpy as np

from santa_lib.internals.cache import cache_key
from santa_lib.internals.files import FolderMarker, atomic_write
from santa_lib.internals.params import whole_number
from santa_lib.sources.checks import CHECK_SIZE
from santa_lib.sources.folder import (
    IMAGE_SUFFIXES,
    SPLITS,
    DataError,
    Problem,
    class_names_of,
    count_images,
    decode_images,
    format_counts,
    image_files,
    split_problems,
)

DEFAULT_VALIDATION = 0.2
DEFAULT_TEST = 0.2
DEFAULT_SEED = 0
MIN_IMAGES_PER_CLASS = len(SPLITS)
"""A class needs one image for each split."""
MARKER_FILE = ".santa_lib_split"
"""Written into every DEST this module made; a non-empty DEST without it is never touched."""
MARKER = FolderMarker(MARKER_FILE)

Plan = dict[str, dict[str, list[Path]]]
"""split -> class -> the source files that go there."""


class SplitError(DataError):
    """The split cannot be made as asked; the message names the folder or option and what to do."""


def check_fraction(value: object, option: str) -> float:
    """A fraction strictly between 0 and 1; ValueError naming ``option`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or not 0 < value < 1:
        raise ValueError(f"{option} must be a fraction strictly between 0 and 1 (such as 0.2), "
                         f"got {value!r}.")
    return float(value)


def check_fractions(validation: object, test: object) -> tuple[float, float]:
    """``--validation`` and ``--test``, each in (0, 1), leaving some images for training."""
    validation = check_fraction(validation, "--validation")
    test = check_fraction(test, "--test")
    if validation + test >= 1:
        raise ValueError(f"--validation {validation:g} and --test {test:g} leave nothing for "
                         f"training (their sum, {validation + test:g}, must be below 1): lower "
                         "them.")
    return validation, test


def split_sizes(count: int, validation: float, test: float) -> dict[str, int]:
    """How many of one class's ``count`` images go to train, validation and test.

    Validation and test get their fraction rounded half up, but at least one image each, and
    train keeps at least one (needs ``count >= 3``).
    """
    if count < MIN_IMAGES_PER_CLASS:
        raise ValueError(f"a class needs at least {MIN_IMAGES_PER_CLASS} images, got {count}.")
    held_out = {"validation": max(1, math.floor(count * validation + 0.5)),
                "test": max(1, math.floor(count * test + 0.5))}
    while count - sum(held_out.values()) < 1:
        largest = max(held_out, key=held_out.__getitem__)
        held_out[largest] -= 1
    return {"train": count - sum(held_out.values()), **held_out}


def source_problems(src: Path) -> list[Problem]:
    """Everything that stops ``src`` from being split: santa_lib.sources.folder's rules for a
    folder of class folders, at least :data:`MIN_IMAGES_PER_CLASS` images a class, every image
    readable."""
    problems = split_problems(src.parent, src.name)  # src read as one split: its class folders
    names = class_names_of(src)
    for name in names:
        count = len(image_files(src / name))
        if 0 < count < MIN_IMAGES_PER_CLASS:
            problems.append(Problem(src / name, f"has {count} image(s); splitting needs at least "
                                                f"{MIN_IMAGES_PER_CLASS}, one per split: add "
                                                "images of this class."))
    paths = [path for name in names for path in image_files(src / name)
             if path.suffix.lower() in IMAGE_SUFFIXES]  # the others are problems already
    return problems + decode_images(paths, CHECK_SIZE)[1]


def plan_split(src: str | os.PathLike, validation: float = DEFAULT_VALIDATION,
               test: float = DEFAULT_TEST, seed: int = DEFAULT_SEED) -> Plan:
    """Which file of ``src`` goes to which split, per class; reads ``src`` only.

    Raises :class:`SplitError` listing every problem of ``src`` (the messages of
    ``check-data``), and ``ValueError`` naming a bad option.
    """
    validation, test = check_fractions(validation, test)
    rng = np.random.default_rng(whole_number(seed, "--seed", 0))
    src = _existing_folder(src)
    problems = source_problems(src)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise SplitError(f"{src} cannot be split as it is (nothing was copied):\n{listing}")
    plan: Plan = {split: {} for split in SPLITS}
    for name in class_names_of(src):
        files = image_files(src / name)  # sorted by name, hidden and system files left out
        shuffled = [files[index] for index in rng.permutation(len(files))]
        start = 0
        for split, size in split_sizes(len(files), validation, test).items():
            plan[split][name] = sorted(shuffled[start:start + size])
            start += size
    return plan


def _existing_folder(src: str | os.PathLike) -> Path:
    folder = Path(src).expanduser()
    if not folder.is_dir():
        raise SplitError(f"{folder} is not a folder: give the folder that holds one sub-folder "
                         "of images per class.")
    return folder.resolve()


def _marker_content(src: Path, validation: float, test: float, seed: int,
                    plan: Plan) -> dict[str, object]:
    listing = [[split, name, path.name] for split, per_class in plan.items()
               for name, paths in per_class.items() for path in paths]
    return {"made_by": "santa_lib.sources.splitting", "source": str(src), "validation": validation,
            "test": test, "seed": seed, "plan": cache_key(listing)}


def _dest_state(dest: Path) -> str:
    """'missing', 'empty', 'ours' (has the marker) or 'foreign'."""
    if not dest.exists():
        return "missing"
    if not dest.is_dir():
        return "foreign"
    if MARKER.present(dest):
        return "ours"
    return "foreign" if any(dest.iterdir()) else "empty"


def _check_places(src: Path, dest: Path) -> None:
    """Refuse a DEST inside SRC (or around it) and a non-empty DEST this module did not make."""
    if dest == src or dest.is_relative_to(src) or src.is_relative_to(dest):
        raise SplitError(f"DEST {dest} and SRC {src} overlap: pick a DEST outside SRC (SRC is "
                         "only read, never written into).")
    if _dest_state(dest) == "foreign":
        raise SplitError(f"DEST {dest} exists and is not an empty folder made by `python -m "
                         "santa_lib split`; nothing was changed. Pick a new or empty folder.")


def _copy_plan(plan: Plan, staged: Path) -> None:
    for split, per_class in plan.items():
        for name, paths in per_class.items():
            folder = staged / split / name
            folder.mkdir(parents=True)
            for path in paths:
                shutil.copy2(path, folder / path.name)


def split_folder(src: str | os.PathLike, dest: str | os.PathLike,
                 validation: float = DEFAULT_VALIDATION, test: float = DEFAULT_TEST,
                 seed: int = DEFAULT_SEED) -> Path:
    """Copy ``src``'s class folders into ``dest/{train,validation,test}/{class}/``; returns
    ``dest``.

    Stratified and reproducible (:func:`plan_split`). ``dest`` must be new or an empty folder;
    a ``dest`` this module already made with the same source, options and files is returned
    as it is. Raises :class:`SplitError` (nothing copied) or ``ValueError`` for a bad option.
    """
    validation, test = check_fractions(validation, test)
    seed = whole_number(seed, "--seed", 0)
    src_folder = _existing_folder(src)
    dest = Path(dest).expanduser().resolve()
    _check_places(src_folder, dest)
    plan = plan_split(src_folder, validation, test, seed)
    expected = _marker_content(src_folder, validation, test, seed, plan)
    if _dest_state(dest) == "ours":
        if MARKER.matches(dest, expected):
            return dest
        raise SplitError(f"DEST {dest} holds a split made with other settings or files; nothing "
                         "was changed. Delete it first, or pick a new folder.")
    def write(staged: Path) -> None:
        _copy_plan(plan, staged)
        MARKER.write(staged, expected)

    atomic_write(dest, write, folder=True)
    return dest


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``split SRC DEST [--validation F] [--test F] [--seed N]`` to a command line."""
    split = subparsers.add_parser(
        "split", help="split a folder of class folders into train/validation/test",
        description="Copy SRC/<class>/* into DEST/{train,validation,test}/<class>/, each class "
                    "split in the same fractions. SRC is only read.")
    split.add_argument("src", metavar="SRC", help="folder with one sub-folder of images per "
                                                  "class (exactly two classes)")
    split.add_argument("dest", metavar="DEST", help="new or empty folder for the split")
    split.add_argument("--validation", type=float, default=DEFAULT_VALIDATION, metavar="F",
                       help=f"fraction of each class for validation (default "
                            f"{DEFAULT_VALIDATION})")
    split.add_argument("--test", type=float, default=DEFAULT_TEST, metavar="F",
                       help=f"fraction of each class for test (default {DEFAULT_TEST})")
    split.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="N",
                       help=f"shuffling seed; the same seed gives the same split (default "
                            f"{DEFAULT_SEED})")


def run_command(args: argparse.Namespace) -> int:
    """Run ``split`` from parsed arguments: 0 when DEST holds the split, else 1."""
    try:
        dest = split_folder(args.src, args.dest, args.validation, args.test, args.seed)
    except (ValueError, OSError) as error:  # SplitError is a ValueError too
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{dest}: the images of {Path(args.src).expanduser().resolve()} split with seed "
          f"{args.seed}:\n{format_counts(count_images(dest))}\n"
          f"Use data_dir={str(dest)!r} in the notebooks.")
    return 0
