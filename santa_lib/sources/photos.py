"""The 2022 lesson's original photos, downloaded from their public repository on request.

Used by ``python -m santa_lib photos get [DEST]`` and by the notebooks' ``data_dir="photos"``
(:func:`santa_lib.data.find_data` calls :func:`photos_data_dir`). The 922 photos (542 / 200 / 180
in train / validation / test, classes ``not_santa`` and ``santa``) belong to Flatiron School and
are not shipped; ``original-photos.tsv`` (:mod:`~santa_lib.sources.photos_manifest`) lists them.

Each download is checked before it lands (:mod:`~santa_lib.sources.photos_fetch`). Photos already
there are verified, not downloaded again; one that differs is left alone and reported. Offline,
the answer comes within seconds. A file cut off mid-download is fetched again whole.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.files import FolderMarker
from santa_lib.internals.params import whole_number
from santa_lib.sources.network import Probe, host_reachable
from santa_lib.sources.photos_fetch import (
    REQUEST_SECONDS,
    RETRIES,
    DownloadReport,
    Fetcher,
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
MARKER = FolderMarker(COMPLETE_MARKER)
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
    return ("On a machine with internet, run `python -m santa_lib photos get DEST`, copy the "
            "folder DEST to this machine and use data_dir=DEST (or copy it to "
            f"{default_photos_dir()} so that data_dir=\"photos\" finds it).")


def check_base_url(base_url: str) -> str:
    """``--base-url`` as an ``http(s)://`` address ending in ``/``; ValueError otherwise."""
    parts = urllib.parse.urlsplit(str(base_url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--base-url must be an http:// or https:// address under which the "
                         f"manifest's paths ({MANIFEST_PREFIX}/...) are served, got "
                         f"{base_url!r}.")
    return str(base_url).rstrip("/") + "/"


def _marker_key(entries: list[PhotoEntry]) -> dict[str, object]:
    listing = "".join(f"{entry.blob_sha1} {entry.path}\n" for entry in entries)
    return {"source": f"{REPOSITORY}@{COMMIT}", "photos": len(entries),
            "manifest_sha1": hashlib.sha1(listing.encode()).hexdigest()}


def photos_complete(dest: str | os.PathLike, entries: list[PhotoEntry]) -> bool:
    """True when a fully verified run left ``dest`` holding every photo of ``entries``; cheap
    (no hashing): its marker matches the manifest, and every photo is there with its size."""
    return MARKER.matches(dest, _marker_key(entries)) and all(
        (path := Path(dest, entry.relative)).is_file()
        and entry.size in (None, path.stat().st_size) for entry in entries)


def _sort_out_present(entries: list[PhotoEntry], report: DownloadReport) -> list[PhotoEntry]:
    """Verify the photos already in the destination, leaving alone (and reporting) any that
    differs; return those still to download."""
    missing = []
    for entry in entries:
        path = report.dest / entry.relative
        if not path.exists():
            missing.append(entry)
        elif path.is_file() and git_blob_sha1(path.read_bytes()) == entry.blob_sha1:
            report.present += 1
        else:
            report.failures[entry.relative] = (
                f"{path} is there but is not the original photo (its hash differs): delete it "
                "and run again to download the original")
    return missing


@contextlib.contextmanager
def _download_lock(dest: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Let two runs into one folder take turns (POSIX; elsewhere they overlap, harmlessly)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(dest / LOCK_FILE, "a") as handle:  # closing it releases the lock
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"Waiting for another download into {dest} to finish...")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


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
                    workers: int = DEFAULT_WORKERS, progress: bool = True,
                    probe: Probe = host_reachable, say: Callable[[str], None] = _say,
                    timeout: float = REQUEST_SECONDS, retries: int = RETRIES) -> DownloadReport:
    """Download (and verify) every photo of the manifest into ``dest``: ``python -m santa_lib
    photos get``.

    ``dest`` defaults to :func:`default_photos_dir`, ``base_url`` to :data:`DEFAULT_BASE_URL`,
    the manifest to the shipped one (see :func:`load_manifest`). Photos already in ``dest`` are
    verified, not downloaded again. Photos that cannot be had are listed in the report's
    ``failures`` while the others still land. ``timeout`` bounds each request (seconds),
    ``retries`` the extra attempts after a server error or a cut connection. Raises
    :class:`PhotosError` within seconds when the host cannot be reached.
    """
    base_url = check_base_url(DEFAULT_BASE_URL if base_url is None else base_url)
    workers = whole_number(workers, "--workers", 1, MAX_WORKERS,
                           why=f"parallel downloads; {DEFAULT_WORKERS} is a good choice")
    entries = load_manifest(manifest)
    report = DownloadReport(_resolve_dest(dest), len(entries), base_url)
    missing = _sort_out_present(entries, report) if report.dest.is_dir() else entries
    if missing:
        reachable, reason = probe(base_url)
        if not reachable:
            raise PhotosError(f"The photos' host cannot be reached: {reason}. "
                              + how_to_get_photos())
        say(NOTICE)
        report.dest.mkdir(parents=True, exist_ok=True)
    with _download_lock(report.dest, say) if missing else contextlib.nullcontext():
        missing = _sort_out_present(missing, report)  # another run may have got some
        if missing:
            Fetcher(report.dest, base_url, missing, probe, timeout, retries).fetch_all(
                report, workers, progress)
        if report.complete:
            MARKER.write(report.dest, _marker_key(entries))
        else:
            MARKER.remove(report.dest)
    return report


def photos_data_dir(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None,
                    probe: Probe = host_reachable) -> Path:
    """The folder for ``data_dir="photos"``: the photos, downloaded first if need be.

    Returns at once when a complete download is there. Otherwise downloads what is missing
    (printing the license notice and a progress bar); offline, raises :class:`PhotosError` (a
    :class:`~santa_lib.sources.folder.DataError`) within seconds with the advice to fetch them
    elsewhere.
    """
    folder = _resolve_dest(dest)
    if photos_complete(folder, load_manifest(manifest)):
        return folder
    report = download_photos(folder, base_url=base_url, manifest=manifest, probe=probe)
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
        description="Download the 2022 lesson's 922 photos, check each against its hash, "
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
