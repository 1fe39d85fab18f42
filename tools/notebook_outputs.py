"""Keep committed notebooks clean: only the outputs nbval checks, tags intact.

    python tools/notebook_outputs.py check NOTEBOOK...            report problems, exit 1 if any
    python tools/notebook_outputs.py strip NOTEBOOK...            drop every unchecked output
    python tools/notebook_outputs.py keep-checked --from DIR NOTEBOOK...
        copy the outputs of ``# NBVAL_CHECK_OUTPUT`` cells from executed copies in DIR (as written
        by tools/run_lessons.py) into the sources, and drop every other output

Unlike generic output strippers, this keeps cell tags (``parameters``) and the checked outputs
that ``pytest --nbval-lax`` compares against.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

import nbformat

from santa_lib.internals.files import atomic_write

CHECK_MARKER = "# NBVAL_CHECK_OUTPUT"


def is_checked(cell) -> bool:
    """Is this a code cell whose output nbval compares (first line ``# NBVAL_CHECK_OUTPUT``)?"""
    return cell.cell_type == "code" and cell.source.lstrip().startswith(CHECK_MARKER)


def read(path: Path) -> nbformat.NotebookNode:
    """A notebook file, as nbformat version 4."""
    return nbformat.read(path, as_version=4)


def write(notebook, path: Path) -> None:
    """Validate ``notebook`` and write it to ``path`` atomically."""
    nbformat.validate(notebook)
    atomic_write(path, lambda temp: nbformat.write(notebook, temp))


def clean(notebook, executed=None) -> None:
    """Drop unchecked outputs; take checked outputs from ``executed``.

    Checked cells get their position among code cells as execution count (nbval skips cells
    without one); all other counts are cleared, so re-running never changes the file needlessly.
    """
    outputs_by_id = {}
    if executed is not None:
        outputs_by_id = {cell.get("id"): cell.get("outputs", []) for cell in executed.cells}
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for position, cell in enumerate(code_cells, start=1):
        cell.execution_count = position if is_checked(cell) else None
        if is_checked(cell):
            if executed is not None:
                if cell.get("id") not in outputs_by_id:
                    raise SystemExit(f"executed copy lacks cell {cell.get('id')}; re-run it")
                cell.outputs = outputs_by_id[cell.id]
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = position
        else:
            cell.outputs = []
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)


def problems(path: Path) -> list[str]:
    """What is wrong with one committed notebook, as readable sentences."""
    notebook = read(path)
    found = []
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        found.append(f"kernelspec is {kernel!r}, expected 'python3'")
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    if len(tagged) != 1:
        found.append(f"{len(tagged)} cells are tagged 'parameters', expected exactly one")
    for cell in tagged:
        try:
            statements = ast.parse(cell.source).body
        except SyntaxError as error:
            found.append(f"parameters cell does not parse: {error}")
            continue
        for statement in statements:
            literal = isinstance(statement, ast.Assign) and len(statement.targets) == 1 and \
                isinstance(statement.targets[0], ast.Name)
            if literal:
                try:
                    ast.literal_eval(statement.value)
                except ValueError:
                    literal = False
            if not literal:
                found.append(f"parameters cell line {statement.lineno} is not `name = literal`")
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = f"cell {index} ({cell.source.splitlines()[0][:40] if cell.source else 'empty'})"
        if cell.execution_count is not None and not is_checked(cell):
            found.append(f"{where} has an execution count")
        if is_checked(cell):
            if cell.execution_count is None:
                found.append(f"{where} is checked by nbval but has no execution count")
            if not cell.outputs:
                found.append(f"{where} is checked by nbval but has no committed output")
            for output in cell.outputs:
                if output.output_type == "error" or output.get("name") == "stderr":
                    found.append(f"{where} has an error or stderr output committed")
        elif cell.outputs:
            found.append(f"{where} has outputs that nbval does not check")
    return found


def main(argv: list[str] | None = None) -> int:
    """Run the command line (see the module docstring); return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("check", "strip", "keep-checked"))
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--from", dest="executed_dir", type=Path,
                        help="folder of executed copies (keep-checked)")
    args = parser.parse_args(argv)
    if args.command == "check":
        status = 0
        for path in args.notebooks:
            for problem in problems(path):
                print(f"{path}: {problem}")
                status = 1
        if status == 0:
            print(f"{len(args.notebooks)} notebooks clean.")
        return status
    if args.command == "keep-checked" and args.executed_dir is None:
        parser.error("keep-checked needs --from DIR")
    for path in args.notebooks:
        notebook = read(path)
        executed = read(args.executed_dir / path.name) if args.command == "keep-checked" else None
        clean(notebook, executed)
        write(notebook, path)
        print(f"cleaned {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
