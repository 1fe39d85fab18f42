"""What a run of the lesson notebooks did: report.md, index.html and one HTML page per notebook.

``tools/run_lessons.py`` calls this module after each notebook and at the end of a run:

- :func:`describe_run` reads an executed notebook: the parameters it ran with (papermill's record
  of those injected, over the notebook's own defaults), its result bundle (the display output of
  type ``santa_lib.internals.results.RESULT_MIME`` that notebooks 01-03 show), its first error and its first
  stderr output;
- :func:`export_page` writes the executed notebook as one self-contained HTML page (images
  embedded, no script, style or font fetched from elsewhere);
- :func:`write_report` writes ``report.md`` and ``index.html``, one row per notebook;
- :func:`comparison_table` is the methods' results as a plain-text table for the terminal;
- :func:`learning_problems` is the learning check that makes ``make lessons`` exit non-zero.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter
from notebook_outputs import CHECK_MARKER

from santa_lib.comparison import COMPARISON_COLUMNS, comparison_cells, format_comparison
from santa_lib.internals.results import (
    COMPARISON_COLUMNS,
    RESULT_MIME,
    comparison_cells,
    format_comparison,
    notebook_defaults,
)
from santa_lib.internals.timing import format_duration

ACCURACY_FLOOR = 0.75
"""Lowest test accuracy a method may reach on the lesson's default parameters and embedded data.

Chance is 0.5 (two balanced classes); the three methods reach 0.81-0.91 there even with the
random-weights fallback (see README). Below this floor the lesson no longer shows learning, so
``make lessons`` fails. Runs with a parameters file or other data are not held to it.
"""

OK, FAILED, STOPPED, NOT_RUN = "ok", "FAILED", "stopped", "not run"

# nbconvert's "lab" page without the script tags that load require.js, MathJax and mermaid from a
# CDN (and the widget manager from unpkg): the page then opens the same offline. Its CSS is inline.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""


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


def _code_outputs(notebook):
    """(index, cell, output) for every output of every code cell, in order."""
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for output in cell.get("outputs", []):
                yield index, cell, output


def result_bundles(notebook) -> list[dict]:
    """The result bundles (``RESULT_MIME`` display outputs) of an executed notebook, in order."""
    bundles = []
    for _, _, output in _code_outputs(notebook):
        value = output.get("data", {}).get(RESULT_MIME)
        if value is not None:
            bundles.append(json.loads(value) if isinstance(value, str) else dict(value))
    return bundles


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


def read_executed(path: Path | None):
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
    )


def default_file_mode() -> int:
    """The permissions a new file gets here (0o666 less the umask); mkstemp's are 0o600."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file next to ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temp_name, default_file_mode())
        os.replace(temp_name, path)
    finally:
        Path(temp_name).unlink(missing_ok=True)


def export_page(executed: Path, page: Path, source_folder: Path) -> None:
    """Write an executed notebook as a self-contained HTML page (images embedded, no CDN).

    ``source_folder`` is where relative image links in the notebook's markdown are found.
    """
    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="offline.html.j2", embed_images=True)
    resources = {"metadata": {"name": executed.stem, "path": str(source_folder)}}
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4), resources)
    write_atomically(page, body)


def format_seconds(seconds: float | None) -> str:
    """A duration as the lesson writes it (``"1 min 14.2 s"``), or ``"-"`` when unknown."""
    return "-" if seconds is None else format_duration(seconds)


def result_cells(result: dict | None) -> dict[str, str]:
    """A result bundle's figures, formatted, under the comparison's column names."""
    return comparison_cells(result) if result else dict.fromkeys(COMPARISON_COLUMNS, "-")


def comparison_table(runs: list[NotebookRun]) -> str:
    """The methods' results as an aligned text table, one row per result ("" without any)."""
    return format_comparison([run.result for run in runs if run.result])


def learning_problems(runs: list[NotebookRun], used_parameters_file: bool) -> list[str]:
    """What makes a run fail the learning check, one sentence each (empty when it passes).

    An error output in a notebook that otherwise ran, and any stderr output, always count. A test
    accuracy below :data:`ACCURACY_FLOOR` counts only when the run used the lesson's defaults
    (no parameters file) on the embedded data.
    """
    problems = []
    for run in runs:
        if run.status == OK and run.error:
            problems.append(f"{run.name}: {run.error.cell} raised {run.error.text}")
        if run.stderr and run.status in (OK, FAILED):
            problems.append(f"{run.name}: {run.stderr.cell} wrote to stderr: {run.stderr.text}")
    if not used_parameters_file:
        problems += [_below_floor(run) for run in runs if _below_floor(run)]
    return problems


def _below_floor(run: NotebookRun) -> str | None:
    result = run.result or {}
    accuracy = result.get("test_accuracy")
    on_embedded = (result.get("parameters") or {}).get("data_dir") == "embedded"
    if not on_embedded or not isinstance(accuracy, (int, float)) or accuracy >= ACCURACY_FLOOR:
        return None
    return (f"{run.name}: method {result.get('method', '?')} reached test accuracy "
            f"{accuracy:.3f}, below the floor of {ACCURACY_FLOOR} for the default parameters on "
            "the embedded data (chance is 0.5): it did not learn; look at its training curves"
            + (f" in {run.page}" if run.page else ""))


def _parameter_items(run: NotebookRun) -> list[tuple[str, str, bool]]:
    """(name, value as Python writes it, set by the parameters file?) for each parameter."""
    return [(name, repr(value), name in run.injected) for name, value in run.parameters.items()]


def _problem_lines(run: NotebookRun) -> list[str]:
    """What went wrong in one notebook, as plain sentences."""
    lines = []
    if run.error and run.status != STOPPED:  # a stopped cell's KeyboardInterrupt is the stop
        lines.append(f"{run.error.cell} raised {run.error.text}")
    elif run.runner_error and run.status == FAILED:
        lines.append(run.runner_error)
    if run.stderr:
        lines.append(f"{run.stderr.cell} wrote to stderr: {run.stderr.text}")
    return lines


@dataclass(frozen=True)
class RunContext:
    """What the report says about the run as a whole."""

    out_dir: Path
    parameters_file: Path | None
    problems: list[str]
    """The learning check's findings and the stop message, if any."""


def all_problems(runs: list[NotebookRun], context: RunContext) -> list[str]:
    """Each notebook's error and stderr, then the run's own problems, each sentence once."""
    per_run = [f"{run.name}: {line}" for run in runs for line in _problem_lines(run)]
    return list(dict.fromkeys([*per_run, *context.problems]))


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(runs: list[NotebookRun], context: RunContext) -> str:
    """report.md: the notebooks table, the methods table, and what went wrong."""
    lines = [f"# Lesson run: {context.out_dir}", "",
             f"Written {time.strftime('%Y-%m-%d %H:%M:%S')}; parameters: "
             + (f"`{context.parameters_file}`" if context.parameters_file else "the defaults")
             + ". Parameters in **bold** were set by the parameters file.", "",
             "| notebook | status | time | method | test accuracy | test loss | weights | "
             "precision | parameters |", "|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        figures = result_cells(run.result)
        name = f"[{run.name}](html/{run.page.name})" if run.page else run.name
        parameters = ", ".join(f"**{n}={v}**" if mark else f"{n}={v}"
                               for n, v, mark in _parameter_items(run))
        cells = [name, run.status, format_seconds(run.seconds), figures["method"],
                 figures["test accuracy"], figures["test loss"], figures["weights"],
                 figures["precision"], parameters]
        lines.append("| " + " | ".join(_md_escape(cell) for cell in cells) + " |")
    table = comparison_table(runs)
    if table:
        lines += ["", "## Methods compared", "", "```", table, "```"]
    problems = all_problems(runs, context)
    if problems:
        lines += ["", "## Problems", "", *[f"- {_md_escape(problem)}" for problem in problems]]
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 78em; color: #222;
       line-height: 1.4; padding: 0 1em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #1a7f37; font-weight: bold; }
.FAILED, .stopped { color: #c62828; font-weight: bold; }
.set { font-weight: bold; }
code, .params { font-family: ui-monospace, monospace; font-size: 0.9em; }
li.problem { color: #c62828; }
"""


def _html_row(cells: list[str], numeric: frozenset[int] | set[int] = frozenset(),
              header: bool = False) -> str:
    tag = "th" if header else "td"
    return "<tr>" + "".join(
        f'<{tag} class="num">{cell}</{tag}>' if index in numeric else f"<{tag}>{cell}</{tag}>"
        for index, cell in enumerate(cells)) + "</tr>"


def _html_notebook_row(run: NotebookRun) -> str:
    esc = html.escape
    name = (f'<a href="html/{esc(run.page.name)}">{esc(run.name)}</a>' if run.page
            else esc(run.name))
    if run.executed:
        name += f' (<a href="{esc(run.executed.name)}">ipynb</a>)'
    figures = {key: esc(value) for key, value in result_cells(run.result).items()}
    parameters = ", ".join(
        f'<span class="set">{esc(n)}={esc(v)}</span>' if mark else f"{esc(n)}={esc(v)}"
        for n, v, mark in _parameter_items(run))
    return _html_row([name, f'<span class="{esc(run.status)}">{esc(run.status)}</span>',
                      format_seconds(run.seconds), figures["method"], figures["test accuracy"],
                      figures["test loss"], figures["weights"], figures["precision"],
                      f'<span class="params">{parameters}</span>'], numeric={2, 4, 5})


def render_index_html(runs: list[NotebookRun], context: RunContext) -> str:
    """index.html: a plain page (inline CSS, nothing fetched) linking every notebook's page."""
    esc = html.escape
    parts = [f"<h1>Lesson run: {esc(str(context.out_dir))}</h1>",
             f"<p>Written {esc(time.strftime('%Y-%m-%d %H:%M:%S'))}; parameters: "
             + (f"<code>{esc(str(context.parameters_file))}</code>" if context.parameters_file
                else "the defaults")
             + '. Parameters in <span class="set">bold</span> were set by the parameters '
             "file. Each notebook name links to its executed page.</p>", "<table>",
             _html_row(["notebook", "status", "time", "method", "test accuracy", "test loss",
                        "weights", "precision", "parameters"], header=True),
             *[_html_notebook_row(run) for run in runs], "</table>"]
    compared = [run for run in runs if run.result]
    if compared:
        parts += ["<h2>Methods compared</h2>", "<table>",
                  _html_row(list(result_cells(None)), header=True),
                  *[_html_row([esc(cell) for cell in result_cells(run.result).values()],
                              numeric={1, 2, 3, 4, 5}) for run in compared], "</table>"]
    problems = all_problems(runs, context)
    if problems:
        parts += ["<h2>Problems</h2>", "<ul>",
                  *[f'<li class="problem">{esc(problem)}</li>' for problem in problems], "</ul>"]
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Lesson run: {esc(str(context.out_dir))}</title>\n<style>{_CSS}</style>\n"
            "</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n")


def write_report(runs: list[NotebookRun], context: RunContext) -> tuple[Path, Path]:
    """Write report.md and index.html into the run's output folder; return their paths."""
    markdown = context.out_dir / "report.md"
    index = context.out_dir / "index.html"
    write_atomically(markdown, render_markdown(runs, context))
    write_atomically(index, render_index_html(runs, context))
    return markdown, index
