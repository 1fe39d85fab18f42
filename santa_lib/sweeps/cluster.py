"""The sweep's Dask cluster, seen from the client: a ``LocalCluster`` started here, or workers of
an existing scheduler (``--scheduler``), each declaring the cores it may give to runs.

Every run asks for ``resources={"cores": N}`` (``--cores-per-run``); a worker runs a notebook
only while it has that many of its declared ``cores`` free, so how many notebooks run at once on
a worker follows its ``cores``, not its threads (a worker keeps a thread more than its runs, for
the small tasks that pass results on). The local cluster has one worker process per run that
fits on this machine, each declaring its share of the cores, and retries a run whose worker died
once (``distributed.scheduler.allowed-failures`` = 1). An existing scheduler's workers are
started with ``dask worker ADDRESS --nthreads T --resources "cores=C"``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from santa_lib.internals.stopping import (
    StopOnSignals,
    end_processes,
    process_trees,
    sigint_ignored,
)

WORKER_WAIT_SECONDS = 60
"""How long a sweep on ``--scheduler`` waits for a first worker to join."""


class ClusterError(RuntimeError):
    """A scheduler whose workers cannot run the sweep's runs (the message says what to do)."""


def worker_command(scheduler: str, cores: int) -> str:
    """The command that starts a worker able to run runs of ``cores`` cores."""
    return (f'dask worker {scheduler} --nthreads {cores + 1} --resources "cores={cores}"')


@dataclass
class Session:
    """A client, its local cluster (None on ``--scheduler``) and what each worker can run."""

    client: object
    cores: int
    cluster: object = None
    slots: dict[str, int] = field(default_factory=dict)
    """Worker address to how many runs it can hold at once (its ``cores`` // the run's, at
    most its threads)."""
    concurrency: dict[str, int] = field(default_factory=dict)
    """Worker address to how many runs its machine (all its workers) can hold at once."""

    def refresh(self) -> None:
        """Read the workers again from the scheduler (:attr:`slots`, :attr:`concurrency`)."""
        try:
            workers = self.client.scheduler_info(n_workers=-1)["workers"]
        except TypeError:  # distributed before 2025: every worker without asking
            workers = self.client.scheduler_info()["workers"]
        self.slots = {address: min(int(worker.get("resources", {}).get("cores", 0)
                                       // self.cores), int(worker.get("nthreads", 1)))
                      for address, worker in workers.items()}
        hosts: dict[str, int] = {}
        for address, worker in workers.items():
            host = worker.get("host", address)
            hosts[host] = hosts.get(host, 0) + self.slots[address]
        self.concurrency = {address: hosts[worker.get("host", address)]
                            for address, worker in workers.items()}

    def concurrency_of(self, worker: str | None) -> int | None:
        """How many runs the machine of ``worker`` (an address) can hold at once."""
        if worker is not None and worker not in self.concurrency:
            self.refresh()
        return self.concurrency.get(worker)

    def describe(self) -> str:
        """``a local cluster: 2 workers, up to 2 runs at once, 1 core per run``."""
        self.refresh()
        workers, runs = len(self.slots), sum(self.slots.values())
        where = "a local cluster" if self.cluster is not None else "the scheduler's workers"
        return (f"{where}: {workers} worker{'s' * (workers != 1)}, up to {runs} "
                f"run{'s' * (runs != 1)} at once, {self.cores} core{'s' * (self.cores != 1)} "
                "per run")


def _local_cluster(cores: int, runs: int):
    """A local cluster of one worker per run that fits, each declaring its share of cores."""
    import dask
    from distributed import LocalCluster

    machine = os.cpu_count() or 1
    workers = max(1, min(runs, machine // cores))
    # the scheduler reads this as it starts, here in this process: a worker that dies mid-run
    # gets its run retried once; Dask's configuration is left as it was afterwards
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}), sigint_ignored():
        return LocalCluster(n_workers=workers, threads_per_worker=2, processes=True,
                            dashboard_address=None,
                            resources={"cores": max(cores, machine // workers)})


def _check_workers(session: Session, scheduler: str) -> None:
    """Raise :class:`ClusterError` when no worker of ``scheduler`` declares enough cores."""
    try:
        session.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
    except TimeoutError:
        raise ClusterError(f"no worker joined the scheduler at {scheduler} within "
                           f"{WORKER_WAIT_SECONDS} s: start one on each machine with "
                           f"`{worker_command(scheduler, session.cores)}`.") from None
    session.refresh()
    if not any(session.concurrency.values()):
        raise ClusterError(f"no worker of the scheduler at {scheduler} declares "
                           f"cores={session.cores} or more (--cores-per-run {session.cores}): "
                           f"start workers with `{worker_command(scheduler, session.cores)}`, "
                           "or give a smaller --cores-per-run.")


def _worker_pids(cluster) -> set[int]:
    """The process ids of a local cluster's workers (its nannies' children)."""
    workers = (getattr(cluster, "workers", None) or {}).values()
    return {pid for pid in (getattr(worker, "pid", None) for worker in list(workers)) if pid}


@contextmanager
def connect(scheduler: str | None, cores: int, runs: int,
            stop: StopOnSignals) -> Iterator[Session]:
    """A :class:`Session` on a new local cluster, or on ``scheduler``. At the end (held against
    stops), the local cluster's processes are ended, its kernels first: those only; nothing
    is ended on a scheduler of one's own."""
    from distributed import Client

    session = None
    try:
        if scheduler:
            try:
                session = Session(Client(scheduler, timeout="30s"), cores)
            except (OSError, TimeoutError) as error:
                raise ClusterError(f"cannot reach the scheduler at {scheduler} ({error}): check "
                                   "the address (tcp://HOST:8786) and that `dask scheduler` "
                                   "runs there.") from None
            _check_workers(session, scheduler)
        else:
            cluster = _local_cluster(cores, runs)
            session = Session(Client(cluster), cores, cluster)
        yield session
    finally:
        with stop.held():
            _close(session)


def _close(session: Session | None) -> None:
    """Close the client; end a local cluster: its kernels at once, then the cluster, then any
    of its processes still alive."""
    if session is None:
        return
    workers = _worker_pids(session.cluster) if session.cluster is not None else set()
    started = process_trees(workers)
    end_processes([process for process in started if process.pid not in workers],
                  grace_seconds=3.0)
    session.client.close(timeout=10)
    if session.cluster is not None:
        session.cluster.close(timeout=15)
    end_processes(started)
