"""Where a sweep's results land on the client: each executed notebook, each record (in the
lesson's cache, where notebook 04 and ``make lessons`` find it) and the sweep's summary."""

from __future__ import annotations

import datetime
import json
import os
import platform
from pathlib import Path

from santa_lib.internals.files import atomic_write_text
from santa_lib.internals.results import load_result
from santa_lib.sweeps.grid import Grid, SweepRun


def machine() -> str:
    """The CPU's model name and core count: ``"Intel(R) Xeon(R) Processor, 2 cores"``."""
    name = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            name = next((line.split(":", 1)[1].strip() for line in cpuinfo
                         if line.startswith("model name")), "")
    except OSError:
        pass
    name = name or platform.processor() or platform.machine() or "unknown CPU"
    cores = os.cpu_count() or 1
    return f"{name}, {cores} core{'s' if cores != 1 else ''}"


def file_result(run: SweepRun, result: dict, out_dir: Path,
                cache_dir: Path) -> Path | None:
    """Keep a finished run's executed notebook in ``out_dir`` and, when it ran through, its
    record where ``sl.Run(...).save`` keeps it; returns the executed notebook's path (None when
    the worker sent none)."""
    executed = None
    if result.get("notebook_text"):
        executed = atomic_write_text(out_dir / f"{run.notebook}-{run.key}.ipynb",
                                     result["notebook_text"])
    if result.get("error") is None and result.get("record") is not None:
        atomic_write_text(run.record_path(cache_dir), json.dumps(result["record"], indent=1))
    return executed


def summary(grid: Grid, grid_file: str, seconds: float, cache_dir: Path,
            failed: list[dict]) -> dict:
    """The sweep's summary: every run of the grid that has a record (those skipped too), and
    the failed ones with their error."""
    runs = [load_result(run.notebook, run.record_parameters, cache_dir) for run in grid.runs]
    return {"grid": grid.stem, "grid_file": grid_file, "machine": machine(),
            "date": datetime.date.today().isoformat(),
            "keras_backend": os.environ.get("KERAS_BACKEND", "tensorflow"),
            "seconds": seconds, "runs": [record for record in runs if record is not None],
            "failed": failed}


def summary_path(grid: Grid, cache_dir: Path) -> Path:
    """Where a sweep's summary is kept: ``<cache>/sweeps/<grid stem>.json``."""
    return cache_dir / "sweeps" / f"{grid.stem}.json"


def write_summary(values: dict, grid: Grid, cache_dir: Path,
                  also: str | Path | None = None) -> Path:
    """Write the summary to :func:`summary_path` (and to ``also``); returns the first."""
    text = json.dumps(values, indent=1)
    if also:
        atomic_write_text(also, text)
    return atomic_write_text(summary_path(grid, cache_dir), text)
