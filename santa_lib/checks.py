"""Checking a data folder before training: every problem at once, each with what to do.

``python -m santa_lib check-data DIR`` runs :func:`check_data` and prints its report. The
notebooks get the same checks for free: :func:`santa_lib.data.load_splits` checks the layout
before reading any image, and reports every unreadable image together, from the one pass that
decodes them (a large photo collection is never read twice).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from santa_lib.data import SPLITS, class_names_of, image_files, is_ignored

IMAGE_SUFFIXES = frozenset(
    {".jpg", ".jpeg", ".jfif", ".png", ".webp", ".bmp", ".gif", ".tif", ".tiff"})
CHECK_SIZE = 64


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: where, what, and what to do about it."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class Report:
    """The outcome of :func:`check_data`: problems found and images counted per split/class."""

    data_dir: Path
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        """True when the lesson can train on this folder."""
        return not self.problems

    def __str__(self) -> str:
        if self.usable:
            parts = [f"{split} {sum(c.values())}" for split, c in self.counts.items()]
            classes = sorted({name for c in self.counts.values() for name in c})
            return (f"{self.data_dir}: usable. Images per split: {', '.join(parts)}; "
                    f"classes: {', '.join(classes)}.")
        lines = [f"{self.data_dir}: {len(self.problems)} problem(s) to fix before training:"]
        lines += [f"  - {problem}" for problem in self.problems]
        return "\n".join(lines)


def check_layout(data_dir: str | os.PathLike) -> list[Problem]:
    """Folder-structure problems, found without opening any image."""
    root = Path(data_dir)
    if not root.is_dir():
        return [Problem(root, "is not a folder: give the folder that holds train/, validation/ "
                              "and test/.")]
    problems: list[Problem] = []
    names_by_split: dict[str, tuple[str, ...]] = {}
    for split in SPLITS:
        split_dir = root / split
        if not split_dir.is_dir():
            problems.append(Problem(split_dir, "missing split folder: create it, with one "
                                               "sub-folder per class."))
            continue
        names = class_names_of(split_dir)
        names_by_split[split] = names
        stray = sorted(p.name for p in split_dir.iterdir() if p.is_file() and not is_ignored(p))
        if stray:
            shown = ", ".join(stray[:5]) + (", ..." if len(stray) > 5 else "")
            problems.append(Problem(split_dir, f"files outside any class folder ({shown}): move "
                                               "them into a class folder or out of the data."))
        if len(names) != 2:
            problems.append(Problem(split_dir, f"has {len(names)} class folders {list(names)}; "
                                               "this lesson is binary and needs exactly two "
                                               "(such as not_santa and santa)."))
        for name in names:
            files = image_files(split_dir / name)
            if not files:
                problems.append(Problem(split_dir / name, "empty class folder: add images of "
                                                          "this class or remove the folder."))
            for path in files:
                if path.suffix.lower() not in IMAGE_SUFFIXES:
                    problems.append(Problem(path, "not an image file (by its name): remove it "
                                                  "or move it out of the data folder."))
    distinct = set(names_by_split.values())
    if len(distinct) > 1:
        found = "; ".join(f"{split}: {list(names)}" for split, names in names_by_split.items())
        problems.append(Problem(root, f"the splits have different class folders ({found}): "
                                      "use the same class names in train, validation and test."))
    return problems


def image_problems(paths: Iterable[Path], image_size: int = CHECK_SIZE) -> list[Problem]:
    """Decode every file (large JPEGs at reduced scale) and report those that fail."""
    from santa_lib.data import DataError, decode_image

    def check(path: Path) -> Problem | None:
        try:
            decode_image(path, image_size)
        except DataError as error:
            cause = error.__cause__ or error
            return Problem(path, f"unreadable or truncated image ({cause}): replace or remove it.")
        return None

    workers = max(1, min(8, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return [problem for problem in pool.map(check, paths) if problem is not None]


def check_data(data_dir: str | os.PathLike, decode: bool = True) -> Report:
    """Every problem of a data folder at once; ``decode=False`` skips reading the images."""
    root = Path(data_dir)
    report = Report(root, check_layout(root))
    if not root.is_dir():
        return report
    paths: list[Path] = []
    for split in SPLITS:
        if not (root / split).is_dir():
            continue
        report.counts[split] = {}
        for name in class_names_of(root / split):
            files = [p for p in image_files(root / split / name)
                     if p.suffix.lower() in IMAGE_SUFFIXES]
            report.counts[split][name] = len(files)
            paths.extend(files)
    if decode:
        report.problems.extend(image_problems(paths))
    return report
