"""The 2022 lesson's original photos, downloaded from their public repository on request.

Used by ``python -m santa_lib photos get [DEST]`` and by the notebooks' ``data_dir="photos"``
(:func:`santa_lib.sources.folder.resolve_data_dir` calls :func:`photos_data_dir`).

The 922 photos (542 / 200 / 180 in train / validation / test, classes ``not_santa`` and
``santa``) belong to Flatiron School and are not shipped with this project. The manifest
``original-photos.tsv`` next to this module lists each one's path in the repository at a pinned
commit and its git blob SHA-1, so every file is checked byte for byte before it lands.

Each file is downloaded into a hidden staging folder inside the destination (``.partial/``),
verified, then renamed into place: nothing half-written is ever at a final path. An interrupted
download continues where it stopped (an HTTP ``Range`` request), files already present and
verified are not downloaded again, and a machine without internet gets a clear answer within
seconds (:func:`santa_lib.sources.network.host_reachable`) with the advice to fetch the photos elsewhere.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import json
import os
import re
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.files import atomic_write
from santa_lib.sources.folder import SPLITS, DataError, is_ignored
from santa_lib.sources.network import host_reachable

REPOSITORY = "learn-co-curriculum/dsc-using-pretrained-networks-codealong"
COMMIT = "7689fdd6f7c85e0dc15811136cfa535fad9c19d5"
DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/"
"""Raw files of the pinned commit; a manifest path (``split/...``) is appended to it."""
LICENSE_URL = f"https://github.com/{REPOSITORY}/blob/{COMMIT}/LICENSE.md"

MANIFEST_NAME = "original-photos.tsv"
MANIFEST_PREFIX = "split"
PHOTOS_FOLDER = f"photos-{COMMIT[:7]}"
COMPLETE_MARKER = ".santa_lib_photos_complete"
"""Written into the destination after a run in which every photo was verified."""
LOCK_FILE = ".santa_lib_photos.lock"
"""Held by a run while it downloads, so that two runs into one folder take turns."""
STAGING_FOLDER = ".partial"
"""Hidden folder inside the destination holding downloads not yet verified."""

DEFAULT_WORKERS = 8
MAX_WORKERS = 32
REQUEST_SECONDS = 20.0
"""Socket time-out of every request: a stalled connection fails instead of hanging."""
ATTEMPTS = 3
RETRY_PAUSE_SECONDS = 0.5
CHUNK_BYTES = 64 * 1024
HASH_CHUNK_BYTES = 1024 * 1024
MAX_UNKNOWN_SIZE_BYTES = 50 * 1024 * 1024
"""Cap for a photo whose size the manifest does not know: more than this is not the photo."""
HTTP_PARTIAL_CONTENT = 206
HTTP_NOT_FOUND = 404
HTTP_RANGE_NOT_SATISFIABLE = 416
HTTP_SERVER_ERROR = 500
USER_AGENT = "santa_lib-photos/1.0 (Python urllib)"
SHA1_PATTERN = re.compile(r"[0-9a-f]{40}")
UNKNOWN_SIZE = "-"

NOTICE = (
    "The original photos belong to Flatiron School (learn-co-curriculum) and are published "
    "under the Learn.co Educational Content License. This project does not redistribute them: "
    "you are downloading them from their public repository, for your own use. License: "
    f"{LICENSE_URL}"
)

Probe = Callable[[str], tuple[bool, str]]


class PhotosError(DataError):
    """The photos cannot be had (offline, bad manifest or options); the message says what to do."""


class _IncompleteError(Exception):
    """The connection ended before the whole file came; the partial file is kept."""


@dataclass(frozen=True)
class PhotoEntry:
    """One photo of the manifest: git blob SHA-1, size in bytes (None if unknown), path."""

    blob_sha1: str
    size: int | None
    path: str
    """The path in the repository, such as ``split/train/santa/00000123.jpg``."""

    @property
    def relative(self) -> Path:
        """Where the photo lands inside the destination: the path without ``split/``."""
        return Path(*PurePosixPath(self.path).parts[1:])


@dataclass
class DownloadReport:
    """What one run did: photos already there, downloaded, and missing with the reason why."""

    dest: Path
    total: int
    base_url: str
    present: int = 0
    downloaded: int = 0
    failures: dict[Path, str] = field(default_factory=dict)
    """Relative path of each photo that is not in ``dest`` -> why, in words."""

    @property
    def complete(self) -> bool:
        """True when every photo of the manifest is in ``dest``, verified."""
        return not self.failures and self.present + self.downloaded == self.total

    def __str__(self) -> str:
        summary = (f"{self.dest}: {self.present + self.downloaded} of {self.total} photos "
                   f"verified ({self.downloaded} downloaded now, {self.present} already there)")
        if self.complete:
            return summary + "."
        lines = [f"{summary}; {len(self.failures)} missing (from {self.base_url}):"]
        lines += [f"  - {path.as_posix()}: {why}" for path, why in sorted(self.failures.items())]
        if all(why.startswith(f"HTTP {HTTP_NOT_FOUND}") for why in self.failures.values()) \
                and len(self.failures) == self.total:
            lines.append(f"None was found: check that {self.base_url} serves the manifest's "
                         f"paths ({MANIFEST_PREFIX}/train/...).")
        return "\n".join(lines)


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


def git_blob_sha1(content: bytes) -> str:
    """The SHA-1 git gives ``content`` as a blob: ``sha1(b"blob <size>\\0" + content)``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def file_blob_sha1(path: Path) -> str:
    """:func:`git_blob_sha1` of a file's bytes, read in chunks."""
    digest = hashlib.sha1(b"blob %d\0" % path.stat().st_size)
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(HASH_CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _photo_path_ok(path: str) -> bool:
    """``split/<split>/<class>/<file>``, with nothing hidden, empty or leading upwards."""
    parts = PurePosixPath(path).parts
    return (len(parts) == 4 and parts[0] == MANIFEST_PREFIX and parts[1] in SPLITS
            and "\\" not in path
            and not any(part in ("..", ".") or is_ignored(Path(part)) for part in parts[2:]))


def _parse_line(line: str, where: str, number: int) -> PhotoEntry:
    fields = line.split("\t")
    expected = "git_blob_sha1<TAB>bytes<TAB>split/<split>/<class>/<file>"
    if len(fields) != 3:
        raise PhotosError(f"{where}, line {number}: expected {expected}, got {line!r}.")
    blob_sha1, size, path = fields
    if not SHA1_PATTERN.fullmatch(blob_sha1):
        raise PhotosError(f"{where}, line {number}: {blob_sha1!r} is not a 40-digit SHA-1.")
    if size != UNKNOWN_SIZE and not size.isdigit():
        raise PhotosError(f"{where}, line {number}: size {size!r} is neither bytes nor "
                          f"{UNKNOWN_SIZE!r}.")
    if not _photo_path_ok(path):
        raise PhotosError(f"{where}, line {number}: {path!r} is not of the form "
                          f"{MANIFEST_PREFIX}/<{'|'.join(SPLITS)}>/<class>/<file>.")
    return PhotoEntry(blob_sha1, None if size == UNKNOWN_SIZE else int(size), path)


def load_manifest(manifest: str | os.PathLike | None = None) -> list[PhotoEntry]:
    """The photos to download: the shipped ``original-photos.tsv``, or another manifest file.

    A manifest has one ``git_blob_sha1<TAB>bytes<TAB>path`` line per photo (``-`` for an
    unknown size); lines starting with ``#`` are comments. Raises :class:`PhotosError` naming
    the file and line of anything malformed.
    """
    if manifest is None:
        where = f"santa_lib/{MANIFEST_NAME}"
        text = resources.files("santa_lib").joinpath(MANIFEST_NAME).read_text(encoding="utf-8")
    else:
        where = str(manifest)
        try:
            text = Path(manifest).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PhotosError(f"cannot read the manifest {where}: {error}. Give a readable "
                              "tab-separated manifest file.") from None
    entries = [_parse_line(line, where, number)
               for number, line in enumerate(text.splitlines(), start=1)
               if line.strip() and not line.startswith("#")]
    if not entries:
        raise PhotosError(f"the manifest {where} lists no photos: give one that does.")
    if len({entry.relative for entry in entries}) != len(entries):
        raise PhotosError(f"the manifest {where} lists a photo twice: remove the duplicate.")
    return entries


def check_base_url(base_url: str) -> str:
    """``--base-url`` as an ``http(s)://`` address ending in ``/``; ValueError otherwise."""
    parts = urllib.parse.urlsplit(str(base_url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"--base-url must be an http:// or https:// address under which the "
                         f"manifest's paths ({MANIFEST_PREFIX}/...) are served, got "
                         f"{base_url!r}.")
    return str(base_url).rstrip("/") + "/"


def check_workers(workers: object) -> int:
    """``--workers`` as a whole number from 1 to :data:`MAX_WORKERS`; ValueError otherwise."""
    if isinstance(workers, bool) or not isinstance(workers, int) or \
            not 1 <= workers <= MAX_WORKERS:
        raise ValueError(f"--workers must be a whole number from 1 to {MAX_WORKERS} (parallel "
                         f"downloads; {DEFAULT_WORKERS} is a good choice), got {workers!r}.")
    return workers


def _manifest_digest(entries: Iterable[PhotoEntry]) -> str:
    listing = "".join(f"{entry.blob_sha1} {entry.path}\n" for entry in entries)
    return hashlib.sha1(listing.encode()).hexdigest()


def _marker_content(entries: list[PhotoEntry]) -> dict[str, object]:
    return {"source": f"{REPOSITORY}@{COMMIT}", "manifest_sha1": _manifest_digest(entries),
            "photos": len(entries)}


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


def _content_length(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _range_start(response: http.client.HTTPResponse) -> int | None:
    """The first byte of a 206 answer (``Content-Range: bytes N-M/T``), None if unreadable."""
    found = re.match(r"bytes (\d+)-", response.headers.get("Content-Range", ""))
    return int(found.group(1)) if found else None


def _describe(error: BaseException) -> str:
    if isinstance(error, urllib.error.URLError) and not isinstance(error, urllib.error.HTTPError):
        return str(error.reason)
    return str(error) or type(error).__name__


class _Downloader:
    """Fetches photos into ``dest`` from several threads: staging, resuming, verifying."""

    def __init__(self, dest: Path, base_url: str, bar: tqdm, probe: Probe) -> None:
        self.dest = dest
        self.base_url = base_url
        self.bar = bar
        self.probe = probe
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.host_lost = threading.Event()
        self.lost_reason = ""
        self.files_done = 0
        self.landed = 0

    def count_bytes(self, delta: int) -> None:
        """Move the progress bar by ``delta`` bytes (negative when a file starts over)."""
        with self.lock:
            self.bar.update(delta)

    def count_file(self, total: int) -> None:
        """Count one more file settled (landed or failed) in the bar's ``n/total files``."""
        with self.lock:
            self.files_done += 1
            self.bar.set_postfix_str(f"{self.files_done}/{total} files", refresh=False)

    def fetch(self, entry: PhotoEntry) -> str | None:
        """Download, verify and place one photo: None when it landed, else why it did not."""
        staged = self.dest / STAGING_FOLDER / entry.relative
        url = self.base_url + urllib.parse.quote(entry.path)
        counted = [0]

        def on_size(size: int) -> None:
            self.count_bytes(size - counted[0])
            counted[0] = size

        why, connection_failed = "not attempted", False
        for attempt in range(ATTEMPTS):
            if self.stop.is_set() or self.host_lost.is_set():
                return f"not downloaded: {self.lost_reason or 'the download was stopped'}"
            if attempt:
                time.sleep(RETRY_PAUSE_SECONDS * attempt)
            connection_failed = False
            try:
                resumed = self._transfer(url, staged, entry, on_size)
                verdict = self._place(staged, entry)
            except urllib.error.HTTPError as error:
                staged.unlink(missing_ok=True)
                on_size(0)
                why = f"HTTP {error.code} {error.reason}"
                if error.code < HTTP_SERVER_ERROR and error.code != HTTP_RANGE_NOT_SATISFIABLE:
                    return why
                continue
            except (_IncompleteError, urllib.error.URLError, ConnectionError, TimeoutError,
                    http.client.HTTPException) as error:
                why, connection_failed = _describe(error), True
                continue
            except OSError as error:
                return (f"cannot write it under {self.dest} ({error}): free some space or fix "
                        "the folder's permissions, then run again")
            if verdict is None or not resumed:
                return verdict
            why = verdict  # the kept part may have been the bad one: once more from scratch
            on_size(0)
        if connection_failed:
            self._check_host(url, why)
            kept = ("; the part downloaded is kept and the next run continues it"
                    if staged.is_file() else "")
            return f"the connection failed {ATTEMPTS} times (last: {why}){kept}"
        return why

    def _transfer(self, url: str, staged: Path, entry: PhotoEntry,
                  on_size: Callable[[int], None]) -> bool:
        """Fetch ``url`` into ``staged``, continuing a partial file; True when it continued one.

        Raises :class:`_IncompleteError` when the body ends early (the partial file is kept).
        """
        staged.parent.mkdir(parents=True, exist_ok=True)
        have = staged.stat().st_size if staged.is_file() else 0
        headers = {"User-Agent": USER_AGENT}
        if have:
            headers["Range"] = f"bytes={have}-"
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=REQUEST_SECONDS) as response:
            partial = response.status == HTTP_PARTIAL_CONTENT
            if partial and (not have or _range_start(response) != have):
                staged.unlink(missing_ok=True)
                raise _IncompleteError("the server resumed at another byte than asked")
            start = have if partial else 0  # a 200 answer starts the file over
            limit = entry.size if entry.size is not None else MAX_UNKNOWN_SIZE_BYTES
            expected = _content_length(response)
            received = 0
            with open(staged, "ab" if partial else "wb") as handle:
                while chunk := response.read(CHUNK_BYTES):
                    if self.stop.is_set():
                        raise _IncompleteError("stopped")
                    handle.write(chunk)
                    received += len(chunk)
                    on_size(start + received)
                    if start + received > limit:
                        return partial  # longer than the photo: the hash check refuses it
            on_size(start + received)
        if expected is not None and received < expected:
            raise _IncompleteError(f"the connection closed after {received:,} of {expected:,} "
                                   "bytes")
        return partial

    def _place(self, staged: Path, entry: PhotoEntry) -> str | None:
        """Move a verified download into place; refuse (and delete) one with the wrong hash."""
        found = file_blob_sha1(staged)
        if found != entry.blob_sha1:
            size = staged.stat().st_size
            staged.unlink()
            return (f"refused: the downloaded file ({size:,} bytes) has git blob SHA-1 {found}, "
                    f"not {entry.blob_sha1}; it was not kept. Check --base-url, or try again "
                    "later")
        final = self.dest / entry.relative
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)
        with self.lock:
            self.landed += 1
        return None

    def _check_host(self, url: str, why: str) -> None:
        """After a file failed for good, stop the others quickly when the host is gone, or
        when it accepts connections but has not delivered one photo in this run."""
        if self.host_lost.is_set():
            return
        reachable, reason = self.probe(url)
        with self.lock:
            if not reachable:
                self.lost_reason = f"the host stopped answering ({reason})"
            elif not self.landed:
                self.lost_reason = f"the host delivered no photo ({why})"
            else:
                return
        self.host_lost.set()


def _present_state(entry: PhotoEntry, dest: Path) -> str | None:
    """None when the photo is not at its final path, "" when it is there and verified, else
    why the file there cannot be used (it is left alone)."""
    path = dest / entry.relative
    if not path.exists():
        return None
    if path.is_file() and file_blob_sha1(path) == entry.blob_sha1:
        return ""
    return (f"{path} is there but is not the original photo (its git blob SHA-1 differs): "
            "delete it and run again to download the original")


def _sort_out_present(entries: list[PhotoEntry], report: DownloadReport,
                      workers: int) -> list[PhotoEntry]:
    """Hash the photos already in the destination; return those still to download."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        states = list(pool.map(lambda entry: _present_state(entry, report.dest), entries))
    missing = []
    for entry, state in zip(entries, states, strict=True):
        if state is None:
            missing.append(entry)
        elif state:
            report.failures[entry.relative] = state
        else:
            report.present += 1
    return missing


def _download_all(missing: list[PhotoEntry], report: DownloadReport, base_url: str,
                  workers: int, progress: bool, probe: Probe) -> None:
    """Download ``missing`` in a thread pool, recording each outcome in ``report``."""
    known_bytes = sum(entry.size or 0 for entry in missing)
    # on stdout: in a notebook (data_dir="photos"), anything on stderr shows as an error
    with tqdm(total=known_bytes, unit="B", unit_scale=True, desc="photos", file=sys.stdout,
              disable=not progress) as bar:
        downloader = _Downloader(report.dest, base_url, bar, probe)
        pool = ThreadPoolExecutor(max_workers=workers)
        try:
            futures = {pool.submit(downloader.fetch, entry): entry for entry in missing}
            for future in as_completed(futures):
                why = future.result()
                downloader.count_file(len(missing))
                if why is None:
                    report.downloaded += 1
                else:
                    report.failures[futures[future].relative] = why
        except BaseException:
            downloader.stop.set()  # Ctrl-C: running downloads stop, partial files are kept
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _remove_empty_staging(dest: Path) -> None:
    staging = dest / STAGING_FOLDER
    for folder in sorted((p for p in staging.rglob("*") if p.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if staging.is_dir() and not any(staging.iterdir()):
        staging.rmdir()


@contextlib.contextmanager
def _download_lock(dest: Path, say: Callable[[str], None]) -> Iterator[None]:
    """Let two runs into one folder take turns (POSIX; elsewhere renaming a file that another
    run is still writing fails instead, and that photo is reported)."""
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
        _remove_empty_staging(report.dest)
    else:
        marker.unlink(missing_ok=True)


def _say(text: str) -> None:
    print(text, flush=True)  # before the progress bar


def _resolve_dest(dest: str | os.PathLike | None) -> Path:
    folder = default_photos_dir() if dest is None else Path(dest).expanduser()
    if folder.exists() and not folder.is_dir():
        raise PhotosError(f"{folder} exists and is not a folder: give a folder (new or existing) "
                          "to download the photos into.")
    return folder


def download_photos(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None, workers: int = DEFAULT_WORKERS,
                    progress: bool = True, probe: Probe = host_reachable,
                    say: Callable[[str], None] = _say) -> DownloadReport:
    """Download (and verify) every photo of the manifest into ``dest``: ``python -m santa_lib
    photos get``.

    ``dest`` defaults to :func:`default_photos_dir`, ``base_url`` to :data:`DEFAULT_BASE_URL`,
    ``manifest`` to the shipped one. Photos already in ``dest`` are verified, not downloaded
    again. Photos that cannot be had are listed in the report's ``failures`` while the others
    still land. Raises :class:`PhotosError` within seconds when the host cannot be reached.
    """
    base_url = check_base_url(DEFAULT_BASE_URL if base_url is None else base_url)
    workers = check_workers(workers)
    entries = load_manifest(manifest)
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
        _download_all(missing, report, base_url, workers, progress, probe)
        _record_completeness(report, entries)
    return report


def photos_data_dir(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None,
                    probe: Probe = host_reachable) -> Path:
    """The folder for ``data_dir="photos"``: the photos, downloaded first if need be.

    Returns at once when a complete download is there. Otherwise downloads what is missing
    (printing the license notice and a progress bar); offline, raises :class:`PhotosError` (a
    :class:`~santa_lib.sources.folder.DataError`) within seconds with the advice to fetch them elsewhere.
    """
    folder = _resolve_dest(dest)
    if photos_complete(folder, load_manifest(manifest)):
        return folder
    report = download_photos(folder, base_url=base_url, manifest=manifest, probe=probe)
    if not report.complete:
        raise PhotosError(f"{report}\nRun `python -m santa_lib photos get` again to download "
                          "what is missing (interrupted downloads continue). "
                          + how_to_get_photos())
    return folder


def add_command(subparsers: argparse._SubParsersAction) -> None:
    """Add ``photos get [DEST] [--base-url URL] [--workers N]`` to a command line."""
    photos = subparsers.add_parser("photos", help="the 2022 lesson's original photos "
                                                  "(downloaded from their repository)")
    actions = photos.add_subparsers(dest="action", required=True)
    get = actions.add_parser(
        "get", help="download and verify the 922 photos",
        description="Download the 2022 lesson's 922 photos, check each against its git hash, "
                    "and lay them out as DEST/{train,validation,test}/{not_santa,santa}/. "
                    "Photos already there are not downloaded again; interrupted downloads "
                    "continue.")
    get.add_argument("dest", nargs="?", default=None, metavar="DEST",
                     help=f"folder to put them in (default: {PHOTOS_FOLDER} in the lesson's "
                          "cache, where data_dir=\"photos\" looks)")
    get.add_argument("--base-url", default=DEFAULT_BASE_URL, metavar="URL",
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
