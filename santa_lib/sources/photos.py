"""The 2022 lesson's original photos, downloaded from their public repository on request.

Used by ``python -m santa_lib photos get [DEST]`` and by the notebooks' ``data_dir="photos"``
(:func:`santa_lib.data.find_data` calls :func:`photos_data_dir`).

The 922 photos (542 / 200 / 180 in train / validation / test, classes ``not_santa`` and
``santa``) belong to Flatiron School and are not shipped with this project. Two manifests next to
this module describe them as they are in the repository at a pinned commit:
``original-photos.tsv`` gives each one's path and git blob SHA-1, ``original-photos-sha256.tsv``
the SHA-256 of 921 of them (all but ``split/train/santa/00000123.jpg``).

The downloading is pooch's (:mod:`santa_lib.sources.photos_fetch`): several files at once, each
written under a temporary name, checked against both hashes, and only then given its final name,
so a wrong file (a flipped byte, an HTML page) never lands. Photos already there are verified, not
downloaded again; one that differs is left alone and reported. A machine without internet gets a
clear answer within seconds (:func:`santa_lib.sources.network.host_reachable`). A file cut off
mid-download is fetched again whole by the next attempt or run: there is no byte-level resuming.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.files import atomic_write
from santa_lib.internals.params import whole_number
from santa_lib.sources.network import Probe, host_reachable
from santa_lib.sources.photos_fetch import (
    REQUEST_SECONDS,
    RETRIES,
    DownloadReport,
    Fetcher,
    present_state,
)
from santa_lib.sources.photos_manifest import (
    MANIFEST_PREFIX,
    PhotoEntry,
    PhotosError,
    git_blob_sha1,
    load_manifest,
)

__all__ = ["DownloadReport", "PhotoEntry", "PhotosError", "add_command", "default_photos_dir",
           "download_photos", "git_blob_sha1", "how_to_get_photos", "load_manifest",
           "photos_data_dir", "run_command"]

REPOSITORY = "learn-co-curriculum/dsc-using-pretrained-networks-codealong"
COMMIT = "7689fdd6f7c85e0dc15811136cfa535fad9c19d5"
DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/"
"""Raw files of the pinned commit; a manifest path (``split/...``) is appended to it."""
LICENSE_URL = f"https://github.com/{REPOSITORY}/blob/{COMMIT}/LICENSE.md"

PHOTOS_FOLDER = f"photos-{COMMIT[:7]}"
COMPLETE_MARKER = ".santa_lib_photos_complete"
"""Written into the destination after a run in which every photo was verified."""
LOCK_FILE = ".santa_lib_photos.lock"
"""Held by a run while it downloads, so that two runs into one folder take turns."""

DEFAULT_WORKERS = 8
MAX_WORKERS = 32

NOTICE = (
    "The original photos belong to Flatiron School (learn-co-curriculum) and are published "
    "under the Learn.co Educational Content License. This project does not redistribute them: "
    "you are downloading them from their public repository, for your own use. License: "
    f"{LICENSE_URL}"
)


def default_photos_dir() -> Path:
    """Where ``data_dir="photos"`` and ``photos get`` without DEST keep the photos (the cache)."""
    return default_cache_dir() / PHOTOS_FOLDER


def how_to_get_photos() -> str:
    """Advice for a machine that cannot download the photos itself."""
    return (
        "On a machine with internet, run `python -m santa_lib photos get DEST`, copy the folder "
        "DEST to this machine and use data_dir=DEST (or copy it to "
        f"{default_photos_dir()} so that data_dir=\"photos\" finds it)."
    )


def check_base_url(base_url: str) -> str:
    """``--base-url`` as an ``http(s)://`` address ending in ``/``; ValueError otherwise."""
    parts = urllib.parse.urlsplit(str(base_url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--base-url must be an http:// or https:// address under which the "
                         f"manifest's paths ({MANIFEST_PREFIX}/...) are served, got "
                         f"{base_url!r}.")
    return str(base_url).rstrip("/") + "/"


def _marker_content(entries: Iterable[PhotoEntry]) -> dict[str, object]:
    listing = "".join(f"{entry.blob_sha1} {entry.path}\n" for entry in entries)
    return {"source": f"{REPOSITORY}@{COMMIT}", "photos": listing.count("\n"),
            "manifest_sha1": hashlib.sha1(listing.encode()).hexdigest()}


def photos_complete(dest: str | os.PathLike, entries: list[PhotoEntry]) -> bool:
    """True when a fully verified run left ``dest`` holding every photo of ``entries``.

    Cheap (no hashing): the completeness marker must match the manifest, and every photo must
    be there with its size.
    """
    dest = Path(dest)
    try:
        marker = json.loads((dest / COMPLETE_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if marker != _marker_content(entries):
        return False
    for entry in entries:
        path = dest / entry.relative
        if not path.is_file() or (entry.size is not None and path.stat().st_size != entry.size):
            return False
    return True


def _sort_out_present(entries: list[PhotoEntry], report: DownloadReport,
                      workers: int) -> list[PhotoEntry]:
    """Hash the photos already in the destination; return those still to download."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        states = list(pool.map(lambda entry: present_state(entry, report.dest), entries))
    missing = []
    for entry, state in zip(entries, states, strict=True):
        if state is None:
            missing.append(entry)
        elif state:
            report.failures[entry.relative] = state
        else:
            report.present += 1
    return missing


@contextlib.contextmanager
def _download_lock(dest: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Let two runs into one folder take turns (POSIX; elsewhere pooch's final rename may meet
    a file another run just placed, and that photo is reported)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(dest / LOCK_FILE, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"Waiting for another download into {dest} to finish...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _record_completeness(report: DownloadReport, entries: list[PhotoEntry]) -> None:
    """Write the completeness marker after a fully verified run; remove it otherwise."""
    marker = report.dest / COMPLETE_MARKER
    if report.complete:
        atomic_write(marker, lambda temp: temp.write_text(
            json.dumps(_marker_content(entries), indent=2) + "\n", encoding="utf-8"))
    else:
        marker.unlink(missing_ok=True)


def _say(text: str) -> None:
    print(text, flush=True)  # on stdout, before the progress bar


def _resolve_dest(dest: str | os.PathLike | None) -> Path:
    folder = default_photos_dir() if dest is None else Path(dest).expanduser()
    if folder.exists() and not folder.is_dir():
        raise PhotosError(f"{folder} exists and is not a folder: give a folder (new or existing) "
                          "to download the photos into.")
    return folder


def download_photos(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None,
                    sha256_manifest: str | os.PathLike | None = None,
                    workers: int = DEFAULT_WORKERS, progress: bool = True,
                    probe: Probe = host_reachable, say: Callable[[str], None] = _say,
                    timeout: float = REQUEST_SECONDS, retries: int = RETRIES) -> DownloadReport:
    """Download (and verify) every photo of the manifest into ``dest``: ``python -m santa_lib
    photos get``.

    ``dest`` defaults to :func:`default_photos_dir`, ``base_url`` to :data:`DEFAULT_BASE_URL`,
    the manifests to the shipped ones (see :func:`load_manifest`). Photos already in ``dest`` are
    verified, not downloaded again. Photos that cannot be had are listed in the report's
    ``failures`` while the others still land. ``timeout`` bounds each request (seconds),
    ``retries`` the extra attempts after a server error or a cut connection. Raises
    :class:`PhotosError` within seconds when the host cannot be reached.
    """
    base_url = check_base_url(DEFAULT_BASE_URL if base_url is None else base_url)
    workers = whole_number(workers, "--workers", 1, MAX_WORKERS,
                           why=f"parallel downloads; {DEFAULT_WORKERS} is a good choice")
    entries = load_manifest(manifest, sha256_manifest)
    report = DownloadReport(_resolve_dest(dest), len(entries), base_url)
    missing = _sort_out_present(entries, report, workers) if report.dest.is_dir() else entries
    if not missing:
        _record_completeness(report, entries)
        return report
    reachable, reason = probe(base_url)
    if not reachable:
        raise PhotosError(f"The photos' host cannot be reached: {reason}. " + how_to_get_photos())
    say(NOTICE)
    report.dest.mkdir(parents=True, exist_ok=True)
    with _download_lock(report.dest, say):
        missing = _sort_out_present(missing, report, workers)  # another run may have got some
        if missing:
            Fetcher(report.dest, base_url, missing, probe, timeout, retries).fetch_all(
                report, workers, progress)
        _record_completeness(report, entries)
    return report


def photos_data_dir(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None,
                    sha256_manifest: str | os.PathLike | None = None,
                    probe: Probe = host_reachable) -> Path:
    """The folder for ``data_dir="photos"``: the photos, downloaded first if need be.

    Returns at once when a complete download is there. Otherwise downloads what is missing
    (printing the license notice and a progress bar); offline, raises :class:`PhotosError` (a
    :class:`~santa_lib.sources.folder.DataError`) within seconds with the advice to fetch them
    elsewhere.
    """
    folder = _resolve_dest(dest)
    if photos_complete(folder, load_manifest(manifest, sha256_manifest)):
        return folder
    report = download_photos(folder, base_url=base_url, manifest=manifest,
                             sha256_manifest=sha256_manifest, probe=probe)
    if not report.complete:
        raise PhotosError(f"{report}\nRun `python -m santa_lib photos get` again to download "
                          "what is missing (the photos already there are kept). "
                          + how_to_get_photos())
    return folder


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``photos get [DEST] [--base-url URL] [--workers N]`` to a command line."""
    photos = subparsers.add_parser("photos", help="the 2022 lesson's original photos "
                                                  "(downloaded from their repository)")
    actions = photos.add_subparsers(dest="action", required=True)
    get = actions.add_parser(
        "get", help="download and verify the 922 photos",
        description="Download the 2022 lesson's 922 photos, check each against its hashes, "
                    "and lay them out as DEST/{train,validation,test}/{not_santa,santa}/. "
                    "Photos already there are verified, not downloaded again.")
    get.add_argument("dest", nargs="?", default=None, metavar="DEST",
                     help=f"folder to put them in (default: {PHOTOS_FOLDER} in the lesson's "
                          "cache, where data_dir=\"photos\" looks)")
    get.add_argument("--base-url", default=None, metavar="URL",
                     help="fetch the manifest's paths (split/...) under this address instead "
                          "of the pinned GitHub commit (a mirror, or a local copy over HTTP)")
    get.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="N",
                     help=f"downloads at once (default {DEFAULT_WORKERS})")


def run_command(args: argparse.Namespace) -> int:
    """Run ``photos get`` from parsed arguments: 0 when every photo is in place, else 1."""
    try:
        report = download_photos(args.dest, base_url=args.base_url, workers=args.workers)
    except (ValueError, OSError) as error:  # PhotosError is a ValueError too
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not report.complete:
        print(f"error: {report}\nRun the same command again to retry the missing photos.",
              file=sys.stderr)
        return 1
    print(f"{report}\nUse data_dir={str(report.dest)!r} in the notebooks"
          + (' (or data_dir="photos").' if report.dest == default_photos_dir() else "."))
    return 0
