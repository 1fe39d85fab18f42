"""The sweep's client: runs not yet done sent to Dask distributed, results filed as they come.

By default a ``LocalCluster`` of ``cores // cores_per_run`` single-threaded worker processes
runs here; with ``scheduler`` an existing cluster is used (nothing is started or closed but the
client). A worker that dies mid-run (its nanny starts a new one) has its run retried once
(``distributed.scheduler.allowed-failures`` = 1); a second death names the run failed
(``KilledWorker``). Ctrl-C (SIGINT) or SIGTERM cancels what is pending, ends the local cluster
and every kernel, and says which runs finished.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from santa_lib.internals.cache import default_cache_dir
from santa_lib.sweeps.filing import file_result, summary, write_summary
from santa_lib.sweeps.grid import Grid, SweepRun
from santa_lib.sweeps.task import run_notebook

SIGNAL_NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)", signal.SIGTERM: "SIGTERM"}


class SweepStopped(BaseException):
    """SIGINT or SIGTERM asked the sweep to stop (a BaseException: no ``except Exception``
    swallows it)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class Progress:
    """What became of the runs so far."""

    finished: list[SweepRun] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    failed_runs: list[SweepRun] = field(default_factory=list)


@contextmanager
def _stop_on_signals() -> Iterator[None]:
    """The first SIGINT or SIGTERM raises :class:`SweepStopped`; later ones are ignored, so
    that cleaning up is not cut short."""

    def stop(signum: int, frame) -> None:
        for number in SIGNAL_NAMES:
            signal.signal(number, signal.SIG_IGN)
        raise SweepStopped(signum)

    previous = {number: signal.signal(number, stop) for number in SIGNAL_NAMES}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Processes started inside ignore SIGINT (a terminal's Ctrl-C reaches the whole process
    group): only the client stops the local cluster, in order."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _end_processes(processes: list[psutil.Process], grace_seconds: float = 5.0) -> None:
    """Terminate, then kill, those of ``processes`` still alive."""
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(processes, timeout=grace_seconds)
    for process in alive:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass


def _kernels(processes: list[psutil.Process]) -> list[psutil.Process]:
    found = []
    for process in processes:
        try:
            if any("ipykernel" in part for part in process.cmdline()):
                found.append(process)
        except psutil.Error:
            continue
    return found


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """A block no stop may cut short (ending processes): a signal that comes meanwhile raises
    :class:`SweepStopped` after it, unless signals were already ignored (stopping already)."""
    caught: list[int] = []
    previous = {number: signal.signal(number, lambda signum, frame: caught.append(signum))
                for number in SIGNAL_NAMES}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if caught and previous[caught[0]] not in (signal.SIG_IGN, signal.SIG_DFL):
        raise SweepStopped(caught[0])


@contextmanager
def _client(scheduler: str | None, cores_per_run: int | None, runs: int) -> Iterator[tuple]:
    """A Dask client (on a new local cluster without ``scheduler``) and the thread count each
    run's kernel is held to: ``cores_per_run`` when the local cluster has several workers, or
    as given with ``scheduler``; None: not held. At the end, every process started here is gone."""
    import dask
    from distributed import Client, LocalCluster

    client = cluster = None
    try:
        if scheduler:
            client, threads = Client(scheduler, timeout="30s"), cores_per_run
        else:
            workers = max(1, min(runs, (os.cpu_count() or 1) // cores_per_run))
            dask.config.set({"distributed.scheduler.allowed-failures": 1})
            with _sigint_ignored():
                cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                       processes=True, dashboard_address=None)
            client, threads = Client(cluster), (cores_per_run if workers > 1 else None)
        yield client, threads
    finally:
        with _signals_deferred():
            started = psutil.Process().children(recursive=True)
            _end_processes(_kernels(started), grace_seconds=3.0)
            if client is not None:
                client.close(timeout=10)
            if cluster is not None:
                cluster.close(timeout=15)
            _end_processes(started)


def _describe_failure(run: SweepRun, error: str, executed: Path | None) -> str:
    kept = f"; executed notebook kept: {executed}" if executed else ""
    return f"FAILED {run.describe()}: {error}{kept}"


def _collect(future, run: SweepRun, out_dir: Path, cache_dir: Path, progress: Progress) -> str:
    """File one finished future; the line that says how it went."""
    if future.status == "finished":
        result = future.result()
    else:
        error = future.exception() if future.status == "error" else None
        result = {"notebook_text": None, "record": None, "seconds": 0.0,
                  "error": f"{type(error).__name__}: {error}" if error else future.status}
    executed = file_result(run, result, out_dir, cache_dir)
    if result["error"] is None:
        progress.finished.append(run)
        return f"ok     {run.describe()} in {result['seconds']:.0f} s"
    progress.failed_runs.append(run)
    progress.failed.append({"notebook": run.notebook, "parameters": run.record_parameters,
                            "error": result["error"]})
    return _describe_failure(run, result["error"], executed)


def _execute(grid: Grid, todo: list[SweepRun], out_dir: Path, cache_dir: Path,
             scheduler: str | None, cores_per_run: int | None, progress: Progress) -> None:
    """Run ``todo`` on Dask, in grid order (by priority), filing each result as it comes."""
    from distributed import as_completed
    from tqdm import tqdm

    with _client(scheduler, cores_per_run, len(todo)) as (client, threads):
        futures = {client.submit(run_notebook, run.notebook, grid.texts[run.notebook],
                                 run.parameters, threads, priority=len(todo) - index,
                                 pure=False): run
                   for index, run in enumerate(todo)}
        with tqdm(total=len(todo), desc=f"sweep {grid.stem}", unit="run",
                  file=sys.stderr) as bar:
            try:
                for future in as_completed(futures):
                    line = _collect(future, futures[future], out_dir, cache_dir, progress)
                    bar.write(line, file=sys.stdout)
                    bar.update()
            finally:
                client.cancel(list(futures))


def _report_stop(signum: int, todo: list[SweepRun], progress: Progress) -> None:
    print(f"\nStopped by {SIGNAL_NAMES.get(signum, signum)}; the runs of this sweep:")
    for run in todo:
        state = ("finished" if run in progress.finished
                 else "failed" if run in progress.failed_runs else "not finished")
        print(f"  {state:<12} {run.describe()}")


def run_sweep(grid: Grid, grid_file: str, out_dir: Path, scheduler: str | None = None,
              cores_per_run: int | None = 2, summary_out: str | None = None) -> int:
    """Run every run of ``grid`` whose record is not in the cache; the exit status: 0 when all
    are done, 1 when one failed, 128 + the signal's number when stopped."""
    started = time.perf_counter()
    cache_dir = default_cache_dir()
    todo = [run for run in grid.runs if not run.record_path(cache_dir).is_file()]
    done = len(grid.runs) - len(todo)
    print(f"sweep {grid.stem}: {len(grid.runs)} runs; {done} already done (their records are in "
          f"{cache_dir}), {len(todo)} to run" + ("." if todo else ": nothing to run."))
    progress, status = Progress(), 0
    try:
        with _stop_on_signals():
            if todo:
                _execute(grid, todo, out_dir, cache_dir, scheduler, cores_per_run, progress)
    except SweepStopped as stop:
        status = 128 + stop.signum
        _report_stop(stop.signum, todo, progress)
    path = write_summary(summary(grid, grid_file, time.perf_counter() - started, cache_dir,
                                 progress.failed), grid, cache_dir, summary_out)
    print(f"Summary: {path}" + (f" and {summary_out}" if summary_out else ""))
    if progress.failed:
        print(f"{len(progress.failed)} of {len(todo)} runs failed (named above).")
    return status or (1 if progress.failed else 0)
