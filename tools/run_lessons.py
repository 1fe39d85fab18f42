"""Execute the lesson notebooks headlessly with papermill (``make lessons`` / ``make test``).

    python tools/run_lessons.py [--params FILE.yaml] [--out DIR] [--prepare-only] [NOTEBOOK ...]

- Source notebooks in ``notebooks/`` are only read, never written.
- Each notebook gets the parameters of FILE that its ``parameters`` cell declares; a name that no
  notebook declares is an error (a typo would otherwise be ignored silently).
- Each executed notebook is written to a temporary file next to its destination and renamed into
  place, so a concurrent run or an interrupted one never leaves half a notebook.
- A failing notebook keeps its executed copy, with the error visible in it; the others still run,
  and the command exits 1 with a summary naming every failure.
- ``--prepare-only`` injects the parameters without executing (for ``pytest --nbval-lax``, which
  then executes them and compares the checked outputs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import papermill
import yaml

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def load_parameters(path: Path | None) -> dict:
    """The mapping in a YAML parameters file (empty without one)."""
    if path is None:
        return {}
    try:
        values = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as error:
        raise SystemExit(f"error: cannot read parameters file {path}: {error}") from error
    if not isinstance(values, dict):
        raise SystemExit(f"error: parameters file {path} must hold a mapping of name: value.")
    return values


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    return set(papermill.inspect_notebook(str(notebook)))


def run_one(notebook: Path, out_dir: Path, parameters: dict, prepare_only: bool) -> str | None:
    """Execute (or prepare) one notebook into ``out_dir``; return an error summary or None."""
    destination = out_dir / notebook.name
    handle, temp_name = tempfile.mkstemp(dir=out_dir, prefix=f".{notebook.stem}-", suffix=".ipynb")
    os.close(handle)
    error: str | None = None
    try:
        papermill.execute_notebook(
            str(notebook), temp_name, parameters=parameters, prepare_only=prepare_only,
            kernel_name="python3", progress_bar=False, cwd=str(notebook.parent),
            # The kernel's own log lines (start-up notices, and now and then "KeyboardInterrupt
            # caught in kernel" as papermill shuts it down) are not lesson output; a failing
            # cell or a dead kernel is still reported by papermill itself.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
    except papermill.PapermillExecutionError as failure:
        error = f"{failure.ename}: {failure.evalue} (cell {failure.exec_count})"
    except Exception as failure:  # kernel died, bad notebook: still report and carry on
        error = f"{type(failure).__name__}: {failure}"
    finally:
        if Path(temp_name).stat().st_size > 0:
            os.replace(temp_name, destination)
        else:
            Path(temp_name).unlink(missing_ok=True)
    return error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb, in order)")
    parser.add_argument("--params", type=Path, help="YAML file of parameters for all notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lessons",
                        help="folder for the executed notebooks (default: build/lessons)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="inject parameters without executing")
    args = parser.parse_args(argv)

    notebooks = args.notebooks or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))
    missing = [str(nb) for nb in notebooks if not nb.is_file()]
    if missing:
        print(f"error: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    parameters = load_parameters(args.params)
    declared = {nb: declared_parameters(nb) for nb in notebooks}
    unknown = sorted(set(parameters) - set().union(*declared.values()))
    if unknown:
        print(f"error: {args.params} sets {unknown}, which no notebook has as a parameter. "
              f"Known: {sorted(set().union(*declared.values()))}", file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    verb = "Preparing" if args.prepare_only else "Running"
    print(f"{verb} {len(notebooks)} notebooks into {args.out}"
          + (f" with {args.params}" if args.params else ""), flush=True)
    failures: dict[str, str] = {}
    for number, notebook in enumerate(notebooks, start=1):
        own = {k: v for k, v in parameters.items() if k in declared[notebook]}
        started = time.perf_counter()
        print(f"[{number}/{len(notebooks)}] {notebook.name} ...", end=" ", flush=True)
        error = run_one(notebook, args.out, own, args.prepare_only)
        took = time.perf_counter() - started
        if error:
            failures[notebook.name] = error
            print(f"FAILED after {took:.0f} s: {error}", flush=True)
        else:
            print(f"ok ({took:.0f} s)", flush=True)

    if failures:
        print(f"\n{len(failures)} of {len(notebooks)} notebooks failed "
              f"(executed copies with the error are in {args.out}):")
        for name, error in failures.items():
            print(f"  {name}: {error}")
        return 1
    print(f"All {len(notebooks)} notebooks {'prepared' if args.prepare_only else 'ran'} "
          "without error.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
