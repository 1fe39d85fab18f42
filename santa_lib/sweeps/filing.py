"""Where a sweep's results land on the client: each executed notebook, each record (in the
lesson's cache, where notebook 05 and ``make lessons`` find it) and the sweep's summary.

The summary of a grid file is ``<cache>/sweeps/<stem>-<digest>.json``: the file's name without
``.yaml`` and the first 8 hex digits of a digest of its resolved path (:attr:`Grid.name`), so
two grid files of one name in two folders keep two summaries.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

from santa_lib.internals.files import atomic_write_text
from santa_lib.internals.records import load_result, result_path
from santa_lib.sweeps.grid import Grid, SweepRun

SECONDS_NOTE = ("the sum of the records' own seconds (each notebook's method, as it timed it), "
                "not the wall time of the command that wrote this summary")


def record_path(run: SweepRun, record: dict, cache_dir: Path) -> Path:
    """Where ``record`` is filed: under its own ``key`` (what the notebook settled on), which is
    the run's foretold key unless the worker settled ``"auto"`` or the backend otherwise."""
    key = record.get("key")
    return result_path(run.notebook, key, cache_dir) if isinstance(key, dict) \
        else run.record_path(cache_dir)


def file_result(run: SweepRun, result: dict, out_dir: Path, cache_dir: Path,
                sweep: dict | None = None) -> tuple[Path | None, Path | None]:
    """Keep a finished run's executed notebook in ``out_dir`` and, when it ran through, its
    record (with ``sweep``, how it ran, added as ``record["sweep"]``) where ``sl.Run(...).save``
    keeps it; returns the executed notebook's path and the record's (None for either not
    written)."""
    executed = filed = None
    if result.get("notebook_text"):
        executed = atomic_write_text(out_dir / f"{run.notebook}-{run.key}.ipynb",
                                     result["notebook_text"])
    record = result.get("record")
    if result.get("error") is None and record is not None:
        record = {**record, "sweep": sweep or {}}
        filed = atomic_write_text(record_path(run, record, cache_dir),
                                  json.dumps(record, indent=1))
        result["record"] = record
    return executed, filed


def summary(grid: Grid, grid_file: str, cache_dir: Path, failed: list[dict],
            made: dict[int, dict] | None = None) -> dict:
    """The sweep's summary: every run of the grid that has a record (those skipped too; the
    record made now where it was filed under its own key), the failed ones with their error,
    and, from the records, the machines, backends and the time the runs took
    (:data:`SECONDS_NOTE`)."""
    made = made or {}
    records = [made.get(index) or load_result(run.notebook, run.record_key, cache_dir)
               for index, run in enumerate(grid.runs)]
    runs = [record for record in records if record is not None]
    machines = sorted({str((record.get("environment") or {}).get("machine"))
                       for record in runs if (record.get("environment") or {}).get("machine")})
    backends = sorted({str(record["backend"]) for record in runs if record.get("backend")})
    return {"grid": grid.stem, "name": grid.name, "grid_file": grid_file,
            "machine": "; ".join(machines) or None, "date": datetime.date.today().isoformat(),
            "keras_backend": ", ".join(backends) or None,
            "seconds": sum(float(record.get("seconds") or 0.0) for record in runs),
            "seconds_note": SECONDS_NOTE, "runs": runs, "failed": failed}


def summary_path(grid: Grid, cache_dir: Path) -> Path:
    """Where a sweep's summary is kept: ``<cache>/sweeps/<stem>-<digest>.json``
    (:attr:`Grid.name`)."""
    return cache_dir / "sweeps" / f"{grid.name}.json"


def write_summary(values: dict, grid: Grid, cache_dir: Path,
                  also: str | Path | None = None) -> Path:
    """Write the summary to :func:`summary_path` (and to ``also``); returns the first."""
    text = json.dumps(values, indent=1)
    if also:
        atomic_write_text(also, text)
    return atomic_write_text(summary_path(grid, cache_dir), text)
