"""Command line of the lesson's helpers: ``python -m santa_lib COMMAND``.

- ``check-data DIR``: every problem of a data folder at once, with what to do;
- ``weights install FILE`` / ``weights where``: ImageNet weights on an offline machine;
- ``photos get [DEST]``: the 2022 lesson's photos, downloaded and verified;
- ``split SRC DEST``: a folder of class folders made into train / validation / test;
- ``sweep GRID.yaml``: a grid of notebook parameters run with papermill on Dask distributed.
"""

from __future__ import annotations

import argparse
import sys

from santa_lib.sources import splitting
from santa_lib.sweeps import DEFAULT_TIMEOUT


def _add_weights_command(commands) -> None:
    weights = commands.add_parser("weights", help="ImageNet weights for VGG19 on this machine")
    actions = weights.add_subparsers(dest="action", required=True)
    install = actions.add_parser("install", help="check a downloaded no-top weights file and "
                                                 "put it where Keras looks for it")
    install.add_argument("file")
    actions.add_parser("where", help="print where Keras looks for the weights file")


def _run_check_data(args: argparse.Namespace) -> int:
    from santa_lib.sources.checks import check_data

    report = check_data(args.data_dir)
    print(report)
    return 0 if report.usable else 1


def _run_weights(args: argparse.Namespace) -> int:
    from santa_lib.sources.imagenet import WeightsError, cached_weights_path, install_weights

    if args.action == "where":
        path = cached_weights_path()
        print(f"{path} ({'present' if path.is_file() else 'absent'})")
        return 0
    try:
        installed = install_weights(args.file)
    except WeightsError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"Installed {installed}: the lesson's weights='auto' and 'imagenet' now use it.")
    return 0


def _add_photos_command(commands) -> None:
    from santa_lib.sources.photos import DEFAULT_WORKERS, PHOTOS_FOLDER, URL_VARIABLE

    photos = commands.add_parser("photos", help="the 2022 lesson's original photos")
    get = photos.add_subparsers(dest="action", required=True).add_parser(
        "get", help="download and verify the 922 photos", description="Download the 922 "
        "photos, each verified, into DEST/{train,validation,test}/{not_santa,santa}/.")
    get.add_argument("dest", nargs="?", metavar="DEST", help=f"folder to put them in (default: "
                     f"{PHOTOS_FOLDER} in the cache, where data_dir=\"photos\" looks)")
    get.add_argument("--base-url", metavar="URL", help="fetch the manifest's paths (split/...) "
                     f"from this address instead of ${URL_VARIABLE} or the pinned commit (a "
                     "mirror, a local copy)")
    get.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="N",
                     help=f"downloads at once (default {DEFAULT_WORKERS})")


def _run_photos(args: argparse.Namespace) -> int:
    """``photos get``: 0 when every photo is in place, else 1."""
    from santa_lib.sources.photos import PhotosError, default_photos_dir, download_photos

    try:
        report = download_photos(args.dest, base_url=args.base_url, workers=args.workers)
        if not report.complete:
            raise PhotosError(f"{report}\nRun the same command again to retry the missing photos.")
    except (ValueError, OSError) as error:  # PhotosError is a ValueError too
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"{report}\nUse data_dir={str(report.dest)!r} in the notebooks"
          + (' (or data_dir="photos").' if report.dest == default_photos_dir() else "."))
    return 0


def _add_sweep_command(commands) -> None:
    sweep = commands.add_parser(
        "sweep", help="run a grid of notebook parameters (params/sweeps/*.yaml) on Dask",
        description="Run each method notebook listed in GRID at each point of its grid, with "
                    "papermill on Dask distributed; runs whose record is in the cache are "
                    "skipped. Needs: pip install \"santa_lib[sweep]\".")
    sweep.add_argument("grid", help="grid file, e.g. params/sweeps/seeds.yaml")
    sweep.add_argument("--notebooks", default="notebooks", metavar="DIR",
                       help="folder of the notebooks (default: notebooks)")
    sweep.add_argument("--out", metavar="DIR",
                       help="executed notebooks go here (default: build/sweeps/GRID_STEM)")
    sweep.add_argument("--scheduler", metavar="ADDRESS",
                       help="use this Dask scheduler (tcp://host:port) instead of a local "
                            "cluster; its workers declare their cores: dask worker ADDRESS "
                            "--nthreads 3 --resources \"cores=2\"")
    sweep.add_argument("--cores-per-run", type=int, default=2, metavar="N",
                       help="cores each run asks for (Dask resource 'cores') and its kernel's "
                            "threads (default 2): the local cluster has cores // N workers")
    sweep.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                       help=f"a cell that runs longer fails its run (default "
                            f"{DEFAULT_TIMEOUT:g}; 0: no limit)")
    sweep.add_argument("--summary-out", metavar="PATH",
                       help="also write the summary JSON here")


def _run_sweep(args: argparse.Namespace) -> int:
    try:
        import distributed  # noqa: F401
    except ImportError:
        print("error: the sweep command needs Dask distributed, which is not installed: "
              "pip install \"santa_lib[sweep]\" (or pip install -r requirements.txt).",
              file=sys.stderr)
        return 2
    from pathlib import Path

    from santa_lib.sweeps.driver import run_sweep
    from santa_lib.sweeps.grid import GridError, read_grid

    if args.cores_per_run < 1 or args.timeout < 0:
        print("error: --cores-per-run must be 1 or more, and --timeout 0 (no limit) or more.",
              file=sys.stderr)
        return 2
    try:
        grid = read_grid(args.grid, args.notebooks)
    except GridError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path("build", "sweeps", grid.stem)
    return run_sweep(grid, args.grid, out, args.scheduler, args.cores_per_run, args.summary_out,
                     args.timeout or None)


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit status is 0 on success, 1 when the input is unusable (``sweep``:
    2 for an unusable grid, 1 when a run failed, 130 / 143 when stopped)."""
    parser = argparse.ArgumentParser(prog="python -m santa_lib", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-data", help="report every problem of a data folder")
    check.add_argument("data_dir", help="folder holding train/, validation/ and test/")
    _add_weights_command(commands)
    _add_photos_command(commands)
    splitting.add_command(commands)
    _add_sweep_command(commands)
    args = parser.parse_args(argv)
    run = {"check-data": _run_check_data, "weights": _run_weights,
           "photos": _run_photos, "split": splitting.run_command,
           "sweep": _run_sweep}[args.command]
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
