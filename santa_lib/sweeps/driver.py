"""The sweep's client: runs not yet done sent to Dask distributed, results filed as they come.

Each run is one task (:func:`santa_lib.sweeps.task.run_notebook`) submitted with

- a **deterministic key** made from what its record will be filed by and the notebook text
  (``santa-<notebook>-<record digest>-<text digest>``): Dask runs a key once, so two sweeps on
  one scheduler that both need a run share it;
- ``resources={"cores": N}`` (``--cores-per-run``): how many run at once on a worker follows the
  cores it declares (:mod:`santa_lib.sweeps.cluster`);
- ``retries=1``: a task whose kernel died (:class:`~santa_lib.sweeps.task.KernelDiedError`)
  runs once more; the scheduler's own ``allowed-failures`` does the same for a worker that died;
- for notebook 03, the **future** of the notebook-02 run of the same method-2 settings in the
  same sweep, as an argument: 03 starts after that 02 on any number of workers, and 02's model
  files travel from worker to worker with its result (the client fetches a copy without them);
- a priority, only so that a one-worker laptop runs the grid in its order.

Ctrl-C (SIGINT) or SIGTERM cancels what this sweep asked for (without taking it from another
client that shares it), ends the local cluster's processes (its kernels first) and says which
runs finished.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.stopping import SIGNAL_NAMES, StopOnSignals, Stopped
from santa_lib.sweeps import DEFAULT_TIMEOUT
from santa_lib.sweeps.cluster import ClusterError, Session, connect
from santa_lib.sweeps.filing import file_result, summary, write_summary
from santa_lib.sweeps.grid import Grid, SweepRun
from santa_lib.sweeps.keys import method2_of
from santa_lib.sweeps.task import Job, KernelDiedError, run_notebook, without_models

RETRIES = 1
"""How many times Dask runs a task again after its kernel died."""


@dataclass
class Submitted:
    """One run on Dask: its task, what the client collects (the task itself, or for 02 its
    result less the model files) and, for 03, the 02 task it waits for."""

    index: int
    run: SweepRun
    task: object
    collect: object
    head: object = None


@dataclass
class Progress:
    """What became of the runs so far."""

    finished: list[int] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    failed_runs: list[int] = field(default_factory=list)
    made: dict[int, dict] = field(default_factory=dict)


def dask_key(grid: Grid, run: SweepRun) -> str:
    """The run's Dask key: the same for the same record key and notebook text."""
    return f"santa-{run.notebook}-{run.key}-{grid.text_digest(run.notebook)}"


def submit(session: Session, grid: Grid, todo: list[int], timeout: float | None
           ) -> list[Submitted]:
    """Submit the runs ``todo`` (indices into ``grid.runs``): 02 runs before the 03 runs that
    take their futures; the priority keeps the grid's order."""
    client, heads, submitted = session.client, {}, []
    order = sorted(todo, key=lambda index: grid.runs[index].notebook == "03_fine_tuning")
    for index in order:
        run = grid.runs[index]
        job = Job(run.notebook, grid.texts[run.notebook], run.parameters, session.cores, timeout)
        head = heads.get(method2_of(run.notebook, run.record_key)) \
            if run.notebook == "03_fine_tuning" else None
        key, priority = dask_key(grid, run), len(grid.runs) - index
        task = client.submit(run_notebook, job, head, key=key, retries=RETRIES,
                             resources={"cores": session.cores}, priority=priority)
        collect = task
        if run.notebook == "02_frozen_base_augmentation":
            heads.setdefault(method2_of(run.notebook, run.record_key), task)
            collect = client.submit(without_models, task, key=f"{key}-result", priority=priority)
        submitted.append(Submitted(index, run, task, collect, head))
    return submitted


def _retries_left(key: str, dask_scheduler=None) -> int | None:
    task = dask_scheduler.tasks.get(key)
    return None if task is None else task.retries


def retried(session: Session, task) -> bool:
    """Whether Dask ran ``task`` more than once (its kernel died the first time)."""
    try:
        left = session.client.run_on_scheduler(_retries_left, key=task.key)
    except Exception:  # a scheduler that refuses run_on_scheduler: say nothing
        return False
    return left is not None and left < RETRIES


def _failure(item: Submitted) -> dict:
    """The result of a run whose task raised (its kernel died twice, its worker died twice,
    or its notebook-02 run failed)."""
    if item.head is not None and item.head.status == "error":
        return {"notebook_text": None, "record": None, "seconds": 0.0,
                "error": f"not run: its notebook-02 run failed ({item.head.exception()})"}
    error = item.collect.exception() if item.collect.status == "error" else None
    described = f"{type(error).__name__}: {error}" if error else item.collect.status
    if isinstance(error, KernelDiedError):
        described = f"{error}; retried once, and its kernel died again"
    return {"notebook_text": getattr(error, "notebook_text", None), "record": None,
            "seconds": 0.0, "error": described}


def collect(item: Submitted, session: Session, out_dir: Path, cache_dir: Path,
            progress: Progress) -> str:
    """File one finished run; the line that says how it went."""
    result = item.collect.result() if item.collect.status == "finished" else _failure(item)
    again = result["error"] is None and retried(session, item.task)
    sweep = {"concurrency": session.concurrency_of(result.get("worker")),
             "cores": session.cores, "worker": result.get("worker"), "retried": again}
    executed, filed = file_result(item.run, result, out_dir, cache_dir, sweep)
    if result["error"] is not None:
        progress.failed_runs.append(item.index)
        progress.failed.append({"notebook": item.run.notebook,
                                "parameters": item.run.parameters, "error": result["error"]})
        kept = f"; executed notebook kept: {executed}" if executed else ""
        return f"FAILED {item.run.describe()}: {result['error']}{kept}"
    progress.finished.append(item.index)
    progress.made[item.index] = result["record"]
    notes = ["retried once: its kernel died the first time"] if again else []
    if filed is not None and filed != item.run.record_path(cache_dir):
        notes.append("filed under the key its worker settled on, not the one foretold here")
    return (f"ok     {item.run.describe()} in {result['seconds']:.0f} s"
            + (f" ({'; '.join(notes)})" if notes else ""))


def _execute(grid: Grid, todo: list[int], out_dir: Path, cache_dir: Path, options: dict,
             stop: StopOnSignals, progress: Progress) -> None:
    """Run ``todo`` on Dask, filing each result as it comes."""
    from distributed import as_completed
    from tqdm import tqdm

    with connect(options["scheduler"], options["cores"], len(todo), stop) as session:
        print(f"On {session.describe()}; a cell may run {options['timeout'] or 'without limit'}"
              + (" s." if options["timeout"] else "."), flush=True)
        submitted = submit(session, grid, todo, options["timeout"])
        by_future = {item.collect: item for item in submitted}
        with tqdm(total=len(todo), desc=f"sweep {grid.stem}", unit="run",
                  file=sys.stderr) as bar:
            try:
                for future in as_completed(by_future):
                    item = by_future[future]
                    bar.write(collect(item, session, out_dir, cache_dir, progress),
                              file=sys.stdout)
                    bar.update()
                    item.task = item.head = None  # a 02's model files stay on its worker
                    # only while a 03 that takes them has not run (Dask keeps what a task needs)
            finally:
                session.client.cancel([future for item in submitted
                                       for future in (item.task, item.collect) if future])


def _report_stop(stopped: Stopped, grid: Grid, todo: list[int], progress: Progress) -> None:
    print(f"\nStopped by {SIGNAL_NAMES.get(stopped.signum, stopped.signum)}; the runs of this "
          "sweep:")
    for index in todo:
        state = ("finished" if index in progress.finished
                 else "failed" if index in progress.failed_runs else "not finished")
        print(f"  {state:<12} {grid.runs[index].describe()}")


def run_sweep(grid: Grid, grid_file: str, out_dir: Path, scheduler: str | None = None,
              cores_per_run: int = 2, summary_out: str | None = None,
              timeout: float | None = DEFAULT_TIMEOUT) -> int:
    """Run every run of ``grid`` whose record is not in the cache; the exit status: 0 when all
    are done, 1 when one failed, 2 when the scheduler's workers cannot run them, 128 + the
    signal's number when stopped."""
    cache_dir = default_cache_dir()
    todo = [index for index, run in enumerate(grid.runs)
            if not run.record_path(cache_dir).is_file()]
    done = len(grid.runs) - len(todo)
    print(f"sweep {grid.stem}: {len(grid.runs)} runs; {done} already done (their records are in "
          f"{cache_dir}), {len(todo)} to run" + ("." if todo else ": nothing to run."), flush=True)
    progress, status, stop = Progress(), 0, StopOnSignals()
    options = {"scheduler": scheduler, "cores": cores_per_run, "timeout": timeout or None}
    try:
        with stop:
            if todo:
                _execute(grid, todo, out_dir, cache_dir, options, stop, progress)
    except Stopped as stopped:
        status = stopped.exit_status
        _report_stop(stopped, grid, todo, progress)
    except ClusterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    path = write_summary(summary(grid, grid_file, cache_dir, progress.failed, progress.made),
                         grid, cache_dir, summary_out)
    print(f"Summary: {path}" + (f" and {summary_out}" if summary_out else ""))
    if progress.failed:
        print(f"{len(progress.failed)} of {len(todo)} runs failed (named above).")
    return status or (1 if progress.failed else 0)
