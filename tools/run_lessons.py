"""Execute the lesson notebooks headlessly with papermill (``make lessons`` / ``make test``).

    python tools/run_lessons.py [--params FILE.yaml] [--out DIR] [--prepare-only] [NOTEBOOK ...]

- Source notebooks in ``notebooks/`` are only read, never written.
- Each notebook gets the parameters of FILE that its ``parameters`` cell declares; a name that no
  notebook declares is an error (a typo would otherwise be ignored silently).
- Each executed notebook is written to a temporary file next to its destination and renamed into
  place (``santa_lib.internals.files.atomic_write``), so a concurrent run or an interrupted one
  never leaves half a notebook.
- A failing notebook keeps its executed copy, with the error visible in it; the others still run,
  and the command exits 1 with a summary naming every failure.
- After the run, DIR holds ``report.md`` and ``index.html`` (status, time, parameters and results
  of every notebook) and ``html/NAME.html``, each executed notebook as a self-contained page; the
  methods' results are printed as a table (see ``lesson_report.py``).
- The learning check: the command also exits 1 when a notebook has an error or stderr output, or,
  on the default parameters and embedded data, a method's test accuracy is below
  ``lesson_report.ACCURACY_FLOOR``.
- Ctrl-C (SIGINT) or SIGTERM stops the run: the kernel papermill started for it is ended at once
  (no other process is), the stopped notebook's partial executed copy is kept under its own
  name, one line says so, and the command exits 130 or 143 (see
  ``santa_lib/internals/stopping.py``).
- ``--prepare-only`` injects the parameters without executing (for ``pytest --nbval-lax``, which
  then executes them and compares the checked outputs); it writes no report.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import papermill
from executed_notebooks import FAILED, NOT_RUN, OK, STOPPED, NotebookRun, describe_run
from lesson_report import (
    RunContext,
    bench_comparison,
    comparison_table,
    export_page,
    learning_problems,
    write_report,
)
from notebook_parameters import declared_parameters, load_parameters

from santa_lib.internals.files import atomic_write
from santa_lib.internals.stopping import StopOnSignals, Stopped, end_started_kernels, kernel_manager

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
STOP = StopOnSignals(quiet=("papermill",))
"""The run's one handler of stop signals (active inside ``with STOP:``); from a stop on,
papermill's log (which would call the kernel the stop ended "dead") is silent."""


def run_one(notebook: Path, out_dir: Path, parameters: dict, prepare_only: bool) -> str | None:
    """Execute (or prepare) one notebook into ``out_dir``; return an error summary or None.

    papermill writes into a temporary file that lands under the notebook's name when it is done,
    or, cut short by an error or a stop, with what it wrote so far. A stop (:class:`Stopped`)
    ends the kernel at once; papermill then finds it dead, writes what ran and returns, and the
    stop is raised after it: nothing is thrown into papermill's event loop.
    """

    def execute(temp: Path) -> None:
        """papermill into ``temp``, with a kernel a stop can end (``kernel_manager``)."""
        papermill.execute_notebook(
            str(notebook), str(temp), parameters=parameters, prepare_only=prepare_only,
            kernel_name="python3", progress_bar=False, cwd=str(notebook.parent),
            # The kernel's own log lines (start-up notices, and now and then
            # "KeyboardInterrupt caught in kernel" as papermill shuts it down) are not lesson
            # output; a failing cell or a dead kernel is still reported by papermill itself.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            kernel_manager_class=kernel_manager(),
        )

    try:
        with STOP.held():
            atomic_write(out_dir / notebook.name, execute, keep_partial=True)
    except papermill.PapermillExecutionError as failure:
        return f"{failure.ename}: {failure.evalue} (cell {failure.exec_count})"
    except Exception as failure:  # kernel died, bad notebook: still report and carry on
        return f"{type(failure).__name__}: {failure}"
    return None


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to run (default: every notebooks/*.ipynb, in order)")
    parser.add_argument("--params", type=Path, help="YAML file of parameters for all notebooks")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "lessons",
                        help="folder for the executed notebooks (default: build/lessons)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="inject parameters without executing")
    return parser.parse_args(argv)


def refusal(notebooks: list[Path], parameters: dict, declared: dict[Path, set[str]],
            params_file: Path | None) -> str | None:
    """Why the run must not start (a missing notebook, an unknown parameter), or None."""
    missing = [str(nb) for nb in notebooks if not nb.is_file()]
    if missing:
        return f"error: no such notebook: {', '.join(missing)}"
    known = set().union(*declared.values())
    unknown = sorted(set(parameters) - known)
    if unknown:
        return (f"error: {params_file} sets {unknown}, which no notebook has as a parameter. "
                f"Known: {sorted(known)}")
    return None


def record(notebook: Path, out_dir: Path, status: str, seconds: float | None,
           injected: dict, error: str | None, written: bool) -> NotebookRun:
    """Describe one notebook's run and write its HTML page (warning, not failing, if it can't).

    ``written``: whether this run wrote the executed copy (else an older one is not described).
    """
    executed = out_dir / notebook.name
    run = describe_run(notebook, status, seconds, executed if written else None, injected, error)
    if run.executed is not None:
        page = out_dir / "html" / f"{notebook.stem}.html"
        try:
            export_page(run.executed, page, notebook.parent)
            run.page = page
        except Exception as failure:  # a page is a convenience: never lose the run over it
            print(f"warning: no HTML page for {notebook.name}: {failure}", flush=True)
    return run


def run_all(notebooks: list[Path], parameters: dict[Path, dict], args: argparse.Namespace,
            runs: list[NotebookRun], before: dict[Path, tuple | None]) -> None:
    """Run (or prepare) each notebook with its own parameters, appending to ``runs``.

    ``before`` identifies each executed copy already in the output folder (see ``_identity``).
    """
    for number, notebook in enumerate(notebooks, start=1):
        own = parameters[notebook]
        print(f"[{number}/{len(notebooks)}] {notebook.name} ...", end=" ", flush=True)
        started = time.perf_counter()
        error = run_one(notebook, args.out, own, args.prepare_only)
        STOP.raise_if_stopped()
        took = time.perf_counter() - started
        status = FAILED if error else OK
        if args.prepare_only:
            runs.append(NotebookRun(notebook, status, took, runner_error=error))
        else:
            written = _identity(args.out / notebook.name) != before[notebook]
            runs.append(record(notebook, args.out, status, took, own, error, written))
        print(f"FAILED after {took:.0f} s: {error}" if error else f"ok ({took:.0f} s)",
              flush=True)


def finish_run(runs: list[NotebookRun], args: argparse.Namespace) -> int:
    """Report, print the comparison and the verdict of a run that went to the end."""
    failures = [run for run in runs if run.status == FAILED]
    problems = [] if args.prepare_only else learning_problems(runs, args.params is not None)
    if not args.prepare_only:
        write_report(runs, RunContext(args.out, args.params, problems))
        table = comparison_table(runs)
        if table:
            print(f"\nMethods and baseline compared:\n{table}")
        against = bench_comparison(runs, args.params is not None)
        if against:
            print(f"\n{against}")
        print(f"\nReport: {args.out / 'report.md'} and {args.out / 'index.html'}")
    if failures:
        print(f"\n{len(failures)} of {len(runs)} notebooks failed "
              f"(executed copies with the error are in {args.out}):")
        for run in failures:
            print(f"  {run.name}: {run.runner_error}")
    if problems:
        print("\nThe learning check failed:")
        for problem in problems:
            print(f"  {problem}")
    if failures or problems:
        return 1
    print(f"All {len(runs)} notebooks {'prepared' if args.prepare_only else 'ran'} "
          "without error.")
    return 0


def finish_stopped(stopped: Stopped, parameters: dict[Path, dict],
                   runs: list[NotebookRun], args: argparse.Namespace,
                   before: dict[Path, tuple | None]) -> int:
    """Clean up after a stop, report what there is, and say in one line what was stopped."""
    end_started_kernels()
    notebooks = list(parameters)
    finished = len(runs)
    if finished == len(notebooks):
        message = f"Stopped by {stopped.description} after the last notebook finished"
    else:
        notebook = notebooks[finished]
        partial = args.out / notebook.name
        written = partial.is_file() and _identity(partial) != before.get(notebook)
        message = (f"Stopped by {stopped.description} during {notebook.name}: "
                   + (f"its partial executed copy is {partial}" if written
                      else "nothing of it had been written yet"))
        if not args.prepare_only:
            runs.append(record(notebook, args.out, STOPPED, None, parameters[notebook], None,
                               written))
            runs += [describe_run(later, NOT_RUN, injected=parameters[later])
                     for later in notebooks[finished + 1:]]
    if not args.prepare_only:
        write_report(runs, RunContext(args.out, args.params, [message]))
    kept = f"{finished} finished notebook{'s' if finished != 1 else ''} kept in {args.out}"
    print(STOPPED, flush=True)
    print(f"{message}; {kept}.", file=sys.stderr, flush=True)
    return stopped.exit_status


def _identity(path: Path) -> tuple | None:
    """(inode, modification time) of a file, None if absent: tells a new copy from an old one."""
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_ino, status.st_mtime_ns


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (130 / 143 when stopped by a signal)."""
    args = parse_arguments(argv)
    notebooks = list(dict.fromkeys(args.notebooks or sorted(NOTEBOOKS.glob("[0-9]*.ipynb"))))
    parameters = load_parameters(args.params)
    declared = {nb: declared_parameters(nb) for nb in notebooks if nb.is_file()}
    problem = refusal(notebooks, parameters, declared, args.params)
    if problem:
        print(problem, file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    verb = "Preparing" if args.prepare_only else "Running"
    print(f"{verb} {len(notebooks)} notebooks into {args.out}"
          + (f" with {args.params}" if args.params else ""), flush=True)
    own = {nb: {k: v for k, v in parameters.items() if k in declared[nb]} for nb in notebooks}
    before = {nb: _identity(args.out / nb.name) for nb in notebooks}
    runs: list[NotebookRun] = []
    with STOP:
        try:
            run_all(notebooks, own, args, runs, before)
            return finish_run(runs, args)
        except Stopped as stopped:
            return finish_stopped(stopped, own, runs, args, before)


if __name__ == "__main__":
    sys.exit(main())
