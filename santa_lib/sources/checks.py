"""``python -m santa_lib check-data DIR``: every problem of a data folder at once, with what to do.

The rules themselves live in :mod:`santa_lib.sources.folder` (the notebooks' loader applies the same
ones before training, from notebook 00 on); this module only gathers and reports them, decoding
every image once to find unreadable ones.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from santa_lib.sources.folder import (
    IMAGE_SUFFIXES,
    SPLITS,
    Problem,
    class_names_of,
    decode_images,
    image_files,
    layout_problems,
)

CHECK_SIZE = 64


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


def check_data(data_dir: str | os.PathLike, decode: bool = True) -> Report:
    """Every problem of a data folder at once; ``decode=False`` skips reading the images."""
    root = Path(data_dir)
    report = Report(root, layout_problems(root))
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
        report.problems.extend(decode_images(paths, CHECK_SIZE)[1])
    return report
