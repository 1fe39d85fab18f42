"""Reading an executed lesson notebook: how its run ended and what it shows.

:func:`describe_run` reads an executed notebook: the parameters it ran with (papermill's record
of those injected, over the notebook's own defaults), its result bundle (the display output of
type ``santa_lib.internals.records.RESULT_MIME`` that notebooks 01-04 show), its first error and
its first stderr output. ``tools/lesson_report.py`` writes the report from what it gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from notebook_outputs import CHECK_MARKER
from notebook_parameters import notebook_defaults

from santa_lib.internals.records import result_bundles

OK, FAILED, STOPPED, NOT_RUN = "ok", "FAILED", "stopped", "not run"
"""How a notebook's run ended, as the report and the terminal say it."""


@dataclass(frozen=True)
class CellProblem:
    """An error or stderr output of one cell: where it is and its first line."""

    cell: str
    """How the cell is named in messages: ``In [7] `fit(model)` ``."""
    text: str
    """``ename: evalue`` for an error, the first non-blank line for stderr."""


@dataclass
class NotebookRun:
    """One notebook of a run: how it ended and what its executed copy holds."""

    source: Path
    status: str
    seconds: float | None = None
    executed: Path | None = None
    page: Path | None = None
    runner_error: str | None = None
    error: CellProblem | None = None
    stderr: CellProblem | None = None
    result: dict | None = None
    parameters: dict[str, object] = field(default_factory=dict)
    injected: frozenset[str] = frozenset()
    cell_seconds: list[tuple[str, float]] = field(default_factory=list)
    """Each code cell's title and the seconds it took (papermill's record), in order."""

    @property
    def name(self) -> str:
        """The notebook's file name, e.g. ``01_feature_extraction.ipynb``."""
        return self.source.name


def cell_title(cell) -> str:
    """A cell's first line that says what it does (the nbval marker skipped), shortened."""
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    meaningful = [line for line in lines if line != CHECK_MARKER]
    title = (meaningful or lines or ["(empty cell)"])[0]
    return title if len(title) <= 70 else title[:67] + "..."


def cell_label(cell, index: int) -> str:
    """How messages name a cell: its execution count if it ran, else its position, and title."""
    where = f"In [{cell.execution_count}]" if cell.get("execution_count") else f"cell {index + 1}"
    return f"{where} `{cell_title(cell)}`"


def _code_outputs(notebook) -> Iterator[tuple[int, object, dict]]:
    """(index, cell, output) for every output of every code cell, in order."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                yield index, cell, output


def first_error(notebook) -> CellProblem | None:
    """The first error output of an executed notebook, with its cell."""
    for index, cell, output in _code_outputs(notebook):
        if output.output_type == "error":
            text = f"{output.ename}: {output.evalue}" if output.evalue else output.ename
            return CellProblem(cell_label(cell, index), text)
    return None


def first_stderr(notebook) -> CellProblem | None:
    """The first stderr output of an executed notebook: its cell and first non-blank line."""
    for index, cell, output in _code_outputs(notebook):
        if output.output_type == "stream" and output.name == "stderr":
            lines = [line.strip() for line in output.text.splitlines() if line.strip()]
            if lines:
                return CellProblem(cell_label(cell, index), lines[0])
    return None


def read_executed(path: Path | None) -> nbformat.NotebookNode | None:
    """An executed notebook, or None when there is none or it cannot be read (cut short)."""
    if path is None or not path.is_file():
        return None
    try:
        return nbformat.read(path, as_version=4)
    except (OSError, ValueError) as failure:  # NotJSONError and ValidationError are ValueErrors
        print(f"warning: cannot read executed notebook {path}: {failure}", flush=True)
        return None


def describe_run(source: Path, status: str, seconds: float | None = None,
                 executed: Path | None = None, injected: dict | None = None,
                 runner_error: str | None = None) -> NotebookRun:
    """Everything the report says about one notebook, read from its executed copy if any.

    ``injected`` is what the runner passed to papermill; papermill's own record in the executed
    copy (``metadata.papermill.parameters``) wins when there is one.
    """
    notebook = read_executed(executed)
    recorded = notebook.metadata.get("papermill", {}).get("parameters") if notebook else None
    injected = dict(recorded if recorded is not None else injected or {})
    results = result_bundles(notebook) if notebook else []
    if seconds is None and notebook is not None:  # a stopped run: papermill's own timing
        seconds = notebook.metadata.get("papermill", {}).get("duration")
    return NotebookRun(
        source=source, status=status, seconds=seconds,
        executed=executed if notebook is not None else None, runner_error=runner_error,
        error=first_error(notebook) if notebook else None,
        stderr=first_stderr(notebook) if notebook else None,
        result=results[-1] if results else None,
        parameters={**notebook_defaults(source), **injected}, injected=frozenset(injected),
        cell_seconds=cell_durations(notebook) if notebook else [],
    )


def cell_durations(notebook) -> list[tuple[str, float]]:
    """Each executed code cell's title and duration in seconds, as papermill recorded them."""
    return [(cell_title(cell), float(cell.metadata.get("papermill", {}).get("duration") or 0))
            for cell in notebook.cells if cell.cell_type == "code"]
