"""What a run of the lesson notebooks did: report.md, index.html and one HTML page per notebook.

``tools/run_lessons.py`` calls this module after each notebook and at the end of a run, with
what :mod:`executed_notebooks` read from each executed copy:

- :func:`export_page` writes the executed notebook as one self-contained HTML page (images
  embedded, no script, style or font fetched from elsewhere);
- :func:`write_report` writes ``report.md`` and ``index.html`` (from the template
  ``templates/index.html.j2``), one row per notebook;
- :func:`comparison_table` is the methods' results as a plain-text table for the terminal;
- :func:`learning_problems` is the learning check that makes ``make lessons`` exit non-zero.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2
import nbformat
from executed_notebooks import FAILED, OK, STOPPED, NotebookRun
from nbconvert import HTMLExporter

from santa_lib.comparison import COMPARISON_COLUMNS, comparison_cells, format_comparison
from santa_lib.internals.cache import bench_record_path
from santa_lib.internals.environment import configured_backend, machine
from santa_lib.internals.files import atomic_write_text
from santa_lib.internals.timing import format_duration

ACCURACY_FLOOR = 0.75
"""Lowest test accuracy a method may reach on the lesson's default parameters and embedded data.

Chance is 0.5 (two balanced classes); the three methods reach 0.81-0.91 there even with the
random-weights fallback (see README). Below this floor the lesson no longer shows learning, so
``make lessons`` fails. Runs with a parameters file or other data are not held to it.
"""

NOTEBOOK_FIGURES = ("method", "test accuracy (95% interval)", "test loss", "weights", "precision")
"""The comparison's columns the notebooks table repeats (those the comparison has)."""

TEMPLATES = Path(__file__).resolve().parent / "templates"

# nbconvert's "lab" page without the script tags that load require.js, MathJax and mermaid from a
# CDN (and the widget manager from unpkg): the page then opens the same offline. Its CSS is inline.
_OFFLINE_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
"""

_NUMBER = re.compile(r"[-+]?\d[\d,]*(\.\d+)?(?:$| (?!·))")
"""The start of a cell that reads as a figure (``0.900``, ``1,234,567``, ``1 min 14.2 s``,
``42.0 s (head 20.1 s)``), not as a label (``1 · feature extraction``)."""


@dataclass(frozen=True)
class RunContext:
    """What the report says about the run as a whole."""

    out_dir: Path
    parameters_file: Path | None
    problems: list[str]
    """The learning check's findings and the stop message, if any."""


def export_page(executed: Path, page: Path, source_folder: Path) -> None:
    """Write an executed notebook as a self-contained HTML page (images embedded, no CDN).

    ``source_folder`` is where relative image links in the notebook's markdown are found.
    """
    exporter = HTMLExporter(
        extra_loaders=[jinja2.DictLoader({"offline.html.j2": _OFFLINE_TEMPLATE})],
        template_file="offline.html.j2", embed_images=True)
    resources = {"metadata": {"name": executed.stem, "path": str(source_folder)}}
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4), resources)
    atomic_write_text(page, body)


def format_seconds(seconds: float | None) -> str:
    """A duration as the lesson writes it (``"1 min 14.2 s"``), or ``"-"`` when unknown."""
    return "-" if seconds is None else format_duration(seconds)


def result_cells(result: dict | None) -> dict[str, str]:
    """A result bundle's figures, formatted, under the comparison's column names."""
    return comparison_cells(result) if result else dict.fromkeys(COMPARISON_COLUMNS, "-")


def notebook_figures(run: NotebookRun) -> list[str]:
    """The figures the notebooks table shows for ``run`` (:data:`NOTEBOOK_FIGURES`)."""
    cells = result_cells(run.result)
    return [cells.get(column, "-") for column in NOTEBOOK_FIGURES if column in COMPARISON_COLUMNS]


BENCH_METHODS = {"01_feature_extraction": "m1", "02_frozen_base_augmentation": "m2",
                 "03_fine_tuning": "m3"}
"""The method notebooks and the benchmark's name for their method."""
GOAL = 1.15
"""How much longer than the benchmark's path the three method notebooks may take, together."""


def bench_comparison(runs: list[NotebookRun], used_parameters_file: bool,
                     record_path: Path | None = None) -> str:
    """Each method notebook's time beside the benchmark's figure for its method (its last full
    run on this machine and backend, ``make bench``), with what the notebook did besides the
    training cell (kernel start, and its slowest other cells); "" when there is nothing to set
    them against (another machine or backend, a parameters file, no full benchmark run)."""
    try:
        bench = json.loads((record_path or bench_record_path()).read_text())
    except (OSError, ValueError):
        return ""
    timed = [run for run in runs if run.source.stem in BENCH_METHODS and run.seconds]
    if (used_parameters_file or not timed or bench.get("machine") != machine()
            or bench.get("backend") != configured_backend()):
        return ""
    lines, ours, theirs = [], 0.0, 0.0
    for run in timed:
        figure = bench["seconds"][BENCH_METHODS[run.source.stem]]
        ours, theirs = ours + run.seconds, theirs + figure
        cells = sorted(run.cell_seconds, key=lambda cell: -cell[1])
        start = run.seconds - sum(seconds for _, seconds in run.cell_seconds)
        besides = ", ".join([f"kernel start {start:.1f} s"] + [
            f"`{title}` {seconds:.1f} s" for title, seconds in cells[1:4]])
        lines.append(f"{run.name}: {run.seconds:.1f} s, the benchmark's path {figure:.1f} s "
                     f"({run.seconds / figure:.2f}x); slowest cell `{cells[0][0]}` "
                     f"{cells[0][1]:.1f} s; besides it: {besides}")
    if len(timed) == len(BENCH_METHODS):
        lines.append(f"01-03: {ours:.1f} s against the benchmark's {theirs:.1f} s: "
                     f"{ours / theirs:.2f}x (the goal: {GOAL}x at most)")
    return (f"Method notebooks against the benchmark's path ({bench['machine']}, "
            f"{bench['backend']}, measured {bench['date']}):\n" + "\n".join(lines))


def comparison_table(runs: list[NotebookRun]) -> str:
    """The methods' results as an aligned text table, one row per result ("" without any)."""
    return format_comparison([run.result for run in runs if run.result])


def learning_problems(runs: list[NotebookRun], used_parameters_file: bool) -> list[str]:
    """What makes a run fail the learning check, one sentence each (empty when it passes).

    An error output in a notebook that otherwise ran, and any stderr output, always count. A test
    accuracy below :data:`ACCURACY_FLOOR` counts only when the run used the lesson's defaults
    (no parameters file) on the embedded data (which ``"auto"`` takes offline).
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
    on_embedded = result.get("data", (result.get("parameters") or {}).get("data_dir")) == "embedded"
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


def all_problems(runs: list[NotebookRun], context: RunContext) -> list[str]:
    """Each notebook's error and stderr, then the run's own problems, each sentence once."""
    per_run = [f"{run.name}: {line}" for run in runs for line in _problem_lines(run)]
    return list(dict.fromkeys([*per_run, *context.problems]))


def notebooks_header() -> list[str]:
    """The notebooks table's columns, in report.md and index.html alike."""
    figures = [column for column in NOTEBOOK_FIGURES if column in COMPARISON_COLUMNS]
    return ["notebook", "status", "time", *figures, "parameters"]


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(_md_escape(cell) for cell in cells) + " |"


def render_markdown(runs: list[NotebookRun], context: RunContext) -> str:
    """report.md: the notebooks table, the methods table, and what went wrong."""
    header = notebooks_header()
    lines = [f"# Lesson run: {context.out_dir}", "",
             f"Written {time.strftime('%Y-%m-%d %H:%M:%S')}; parameters: "
             + (f"`{context.parameters_file}`" if context.parameters_file else "the defaults")
             + ". Parameters in **bold** were set by the parameters file.", "",
             "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for run in runs:
        name = f"[{run.name}](html/{run.page.name})" if run.page else run.name
        parameters = ", ".join(f"**{n}={v}**" if mark else f"{n}={v}"
                               for n, v, mark in _parameter_items(run))
        lines.append(_md_row([name, run.status, format_seconds(run.seconds),
                              *notebook_figures(run), parameters]))
    table = comparison_table(runs)
    if table:
        lines += ["", "## Methods and baseline compared", "", "```", table, "```"]
    against = bench_comparison(runs, context.parameters_file is not None)
    if against:
        lines += ["", "## Method notebooks against the benchmark", "", "```", against, "```"]
    problems = all_problems(runs, context)
    if problems:
        lines += ["", "## Problems", "", *[f"- {_md_escape(problem)}" for problem in problems]]
    return "\n".join(lines) + "\n"


def numeric_columns(rows: list[list[str]]) -> set[int]:
    """The columns whose every cell reads as a number or is ``-``: right-aligned in index.html."""
    width = max((len(row) for row in rows), default=0)
    return {column for column in range(width)
            if all(row[column] == "-" or _NUMBER.match(row[column]) for row in rows)}


def _index_notebooks(runs: list[NotebookRun]) -> dict:
    """The notebooks table as the template reads it."""
    rows = [{"name": run.name, "page": run.page.name if run.page else None,
             "executed": run.executed.name if run.executed else None, "status": run.status,
             "figures": [format_seconds(run.seconds), *notebook_figures(run)],
             "parameters": _parameter_items(run)} for run in runs]
    figures = [["-", "-", *row["figures"]] for row in rows]  # aligned with the header's columns
    numeric = numeric_columns(figures) - {0, 1} if figures else set()
    return {"header": notebooks_header(), "rows": rows, "numeric": numeric}


def render_index_html(runs: list[NotebookRun], context: RunContext) -> str:
    """index.html: a plain page (inline CSS, nothing fetched) linking every notebook's page."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES),
                                     autoescape=True, keep_trailing_newline=True,
                                     undefined=jinja2.StrictUndefined)
    compared = [list(result_cells(run.result).values()) for run in runs if run.result]
    return environment.get_template("index.html.j2").render(
        out_dir=str(context.out_dir), written=time.strftime("%Y-%m-%d %H:%M:%S"),
        parameters_file=str(context.parameters_file) if context.parameters_file else None,
        notebooks=_index_notebooks(runs),
        compared={"header": list(COMPARISON_COLUMNS), "rows": compared,
                  "numeric": numeric_columns(compared)},
        problems=all_problems(runs, context))


def write_report(runs: list[NotebookRun], context: RunContext) -> tuple[Path, Path]:
    """Write report.md and index.html into the run's output folder; return their paths."""
    markdown = context.out_dir / "report.md"
    index = context.out_dir / "index.html"
    atomic_write_text(markdown, render_markdown(runs, context))
    atomic_write_text(index, render_index_html(runs, context))
    return markdown, index
