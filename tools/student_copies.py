"""Student copies of the lesson notebooks: solutions out, prompts and checked outputs kept.

    python tools/student_copies.py write [--out build/student] [NOTEBOOK ...]
    python tools/student_copies.py check NOTEBOOK [--params FILE.yaml] [--out DIR]

The instructor notebooks in ``notebooks/`` stay the one source and are only read. In a student
copy (``make student``):

- each code cell tagged ``solution`` becomes its first comment line (the prompt, e.g.
  ``# Build method 2's model: ...``) and ``# your code here``; its tag ``solution`` becomes
  ``exercise``, its other tags stay;
- a markdown cell tagged ``listing`` (02's and 03's plain-Keras listings, which repeat solution
  lines) keeps its text, but each fenced code block in it becomes :data:`LISTING_PROMPT`;
- the ``parameters`` cell stays as it is;
- the ``# NBVAL_CHECK_OUTPUT`` cells keep their committed expected outputs (and execution counts),
  so that the student's self-check compares against them; a cell that is both a solution and
  checked keeps the marker, the prompt and its expected output;
- every other output is cleared.

``check`` (``make check-student NB=...``) injects the parameters into a copy of the notebook with
papermill (as ``make nbval`` does), runs ``pytest --nbval-lax`` on it, and ends with one line per
checked cell that differs, naming the cell by its first line.
"""

from __future__ import annotations

import argparse
import copy
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import nbformat
from executed_notebooks import cell_label, cell_title
from nbconvert.preprocessors import Preprocessor
from notebook_outputs import CHECK_MARKER, is_checked
from notebook_parameters import declared_parameters, load_parameters
from run_lessons import run_one

from santa_lib.internals.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SANITIZE_CONFIG = ROOT / "tests" / "nbval_sanitize.cfg"
SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"
PLACEHOLDER = "# your code here"
LISTING_TAG = "listing"
LISTING_PROMPT = ("```python\n# Write this cell's plain-Keras version here once your own cells "
                  "above pass their checks;\n# the instructor's copy has it.\n```")
FENCED = re.compile(r"```python\n.*?```", re.DOTALL)
RUN_METADATA = ("execution", "papermill")
"""Cell metadata an executed notebook carries that a student copy does not need."""


class StudentCopyError(ValueError):
    """A source notebook cannot be turned into a student copy (the message says how to fix it)."""


def prompt_lines(cell, where: str) -> list[str]:
    """The lines a solution cell keeps: the nbval marker if it is checked, then its prompt."""
    lines = [line.strip() for line in cell.source.splitlines() if line.strip()]
    prompt = next((line for line in lines if line != CHECK_MARKER), "")
    if not prompt.startswith("#"):
        raise StudentCopyError(
            f"{where} is tagged '{SOLUTION_TAG}' but its first line is not a comment saying what "
            "to write; start it with one, e.g. \"# Build method 2's model: ...\".")
    return [CHECK_MARKER, prompt] if is_checked(cell) else [prompt]


class StudentCopyPreprocessor(Preprocessor):
    """Turns an instructor notebook into a student copy (see the module docstring).

    ``resources["metadata"]["name"]`` names the notebook in error messages.
    """

    def preprocess(self, nb, resources):
        """Transform every cell, and drop papermill's record of a run from the notebook."""
        nb.metadata.pop("papermill", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        """Blank a solution cell to its prompt; keep only checked cells' outputs."""
        for key in RUN_METADATA:
            cell.metadata.pop(key, None)
        tags = list(cell.metadata.get("tags", []))
        if SOLUTION_TAG in tags:
            name = resources.get("metadata", {}).get("name", "notebook")
            where = f"{name}: cell {index + 1} (`{cell_title(cell)}`)"
            if cell.cell_type != "code":
                raise StudentCopyError(f"{where} is tagged '{SOLUTION_TAG}' but is not a code "
                                       "cell; only code cells can be exercises.")
            cell.source = "\n".join([*prompt_lines(cell, where), PLACEHOLDER])
            tags = [EXERCISE_TAG if tag == SOLUTION_TAG else tag for tag in tags]
            cell.metadata["tags"] = list(dict.fromkeys(tags))
        if LISTING_TAG in tags and cell.cell_type == "markdown":
            cell.source = FENCED.sub(lambda match: LISTING_PROMPT, cell.source)
        if cell.cell_type == "code" and not is_checked(cell):
            cell.outputs = []
            cell.execution_count = None
        return cell, resources


def student_copy(notebook, name: str):
    """A student copy of an instructor notebook (a new node; ``notebook`` is left unchanged)."""
    copied = copy.deepcopy(notebook)
    copied, _ = StudentCopyPreprocessor().preprocess(copied, {"metadata": {"name": name}})
    nbformat.validate(copied)
    return copied


def write_student_copy(source: Path, out_dir: Path) -> Path:
    """Write the student copy of ``source`` into ``out_dir`` under the same name."""
    copied = student_copy(nbformat.read(source, as_version=4), source.name)
    return atomic_write(out_dir / source.name, lambda temp: nbformat.write(copied, temp))


def prepare(notebook: Path, params_file: Path | None, out_dir: Path) -> Path:
    """Copy ``notebook`` into ``out_dir`` with its parameters injected (papermill, no run)."""
    own = {name: value for name, value in load_parameters(params_file).items()
           if name in declared_parameters(notebook)}
    out_dir.mkdir(parents=True, exist_ok=True)
    error = run_one(notebook, out_dir, own, prepare_only=True)
    if error:
        raise StudentCopyError(f"cannot prepare {notebook} for the check: {error}")
    return out_dir / notebook.name


_ANSI = re.compile(r"(?:\x1b|#x1B)\[[0-9;]*m")  # pytest writes ESC as #x1B in XML
_EXCEPTION_LINE = re.compile(r"^\w*(Error|Exception|Interrupt|Exit)\b.*")


def _what_differs(failure_text: str, cell) -> str:
    """One plain sentence for nbval's failure text on one cell."""
    if "Cell outputs differ" in failure_text:
        expected = "".join(output.get("text", "") or output.get("data", {}).get("text/plain", "")
                           for output in cell.get("outputs", []))
        first = next((line for line in expected.splitlines() if line.strip()), "")
        return ("its output differs from the expected one"
                + (f" (expected `{first.strip()}` ...)" if first else "")
                + "; nbval's diff above shows both")
    lines = [_ANSI.sub("", line).strip() for line in failure_text.splitlines()]
    raised = [line for line in lines if _EXCEPTION_LINE.match(line)]
    return f"it raised {raised[-1]}" if raised else "it failed; see nbval's report above"


def failed_checks(junit_xml: Path, prepared: Path) -> list[str]:
    """One line per cell nbval reported as failing, naming the cell by its first line."""
    notebook = nbformat.read(prepared, as_version=4)
    code_cells = [(index, cell) for index, cell in enumerate(notebook.cells)
                  if cell.cell_type == "code"]
    lines = []
    for case in ElementTree.parse(junit_xml).iter("testcase"):
        failure = case.find("failure")
        if failure is None:
            failure = case.find("error")
        match = re.fullmatch(r"Cell (\d+)", case.get("name", ""))
        if failure is None or not match or int(match.group(1)) >= len(code_cells):
            continue
        index, cell = code_cells[int(match.group(1))]
        text = "\n".join(filter(None, [failure.get("message"), failure.text]))
        lines.append(f"{cell_label(cell, index)}: {_what_differs(text, cell)}")
    return lines


def check_student_copy(notebook: Path, params_file: Path | None, out_dir: Path) -> int:
    """Run nbval on ``notebook`` with the parameters injected; print what differs; pytest's status.
    """
    prepared = prepare(notebook, params_file, out_dir)
    with tempfile.TemporaryDirectory() as scratch:
        junit = Path(scratch) / "nbval.xml"
        status = subprocess.call(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval-lax",
             "--nbval-sanitize-with", str(SANITIZE_CONFIG), f"--junitxml={junit}", str(prepared)],
            cwd=ROOT)
        differences = failed_checks(junit, prepared) if junit.is_file() else []
    if status == 0:
        print(f"\n{notebook.name}: every checked cell gives the expected output.")
    elif differences:
        print(f"\n{notebook.name}: {len(differences)} check(s) failed:")
        for line in differences:
            print(f"  {line}")
    else:
        print(f"\n{notebook.name}: the check could not run (pytest exit status {status}).")
    return status


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see the module docstring); return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="write student copies of instructor notebooks")
    write.add_argument("notebooks", nargs="*", type=Path,
                       help="instructor notebooks (default: every notebooks/*.ipynb)")
    write.add_argument("--out", type=Path, default=ROOT / "build" / "student",
                       help="folder for the student copies (default: build/student)")
    check = commands.add_parser("check", help="run nbval's checks on one (student) notebook")
    check.add_argument("notebook", type=Path, help="e.g. build/student/02_...ipynb")
    check.add_argument("--params", type=Path, help="YAML file of parameters to inject first")
    check.add_argument("--out", type=Path, default=ROOT / "build" / "check-student",
                       help="folder for the prepared copy (default: build/check-student)")
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            if not args.notebook.is_file():
                parser.error(f"no such notebook: {args.notebook} (run `make student` first?)")
            return check_student_copy(args.notebook, args.params, args.out)
        sources = args.notebooks or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
        missing = [str(source) for source in sources if not source.is_file()]
        if missing:
            parser.error(f"no such notebook: {', '.join(missing)}")
        for source in sources:
            print(f"wrote {write_student_copy(source, args.out)}")
    except StudentCopyError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # Ctrl-C during the check: pytest has said so already
        print("\nstopped by Ctrl-C", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
