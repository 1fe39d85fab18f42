"""The 2022 lesson's 922 original photos (Flatiron School's, not shipped), downloaded by ``photos
get`` and ``data_dir="photos"``, each checked against its git blob SHA-1 before it lands.
"""

from __future__ import annotations

import os
import re
import sys
import urllib.parse
import warnings
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import requests
from tqdm import TqdmWarning, tqdm

from santa_lib.internals.cache import default_cache_dir
from santa_lib.internals.files import FolderMarker
from santa_lib.internals.params import whole_number
from santa_lib.sources.network import Probe, host_reachable
from santa_lib.sources.photos_manifest import (
    PhotoEntry,
    PhotosError,
    git_blob_sha1,
    load_manifest,
    manifest_key,
    manifest_size,
)

try:
    import fcntl
except ImportError:  # Windows: two runs into one folder overlap, harmlessly
    fcntl = None

REPOSITORY = "learn-co-curriculum/dsc-using-pretrained-networks-codealong"
COMMIT = "7689fdd6f7c85e0dc15811136cfa535fad9c19d5"
DEFAULT_BASE_URL = f"https://raw.githubusercontent.com/{REPOSITORY}/{COMMIT}/"
URL_VARIABLE = "SANTA_LIB_PHOTOS_URL"
"""An environment variable: the photos' base URL instead of the pinned commit (a course's mirror,
a local server), for ``photos get``, ``data_dir="photos"`` and ``data_dir="auto"``."""
LICENSE_URL = f"https://github.com/{REPOSITORY}/blob/{COMMIT}/LICENSE.md"
PHOTOS_FOLDER = f"photos-{COMMIT[:7]}"
COMPLETE_MARKER = ".santa_lib_photos_complete"  # written when every photo was verified
MARKER = FolderMarker(COMPLETE_MARKER)
LOCK_FILE = ".santa_lib_photos.lock"  # held by a run while it downloads: two runs take turns
POOCH_LEFTOVER = re.compile(r"tmp[a-z0-9_]{8}")  # pooch's temporary file, left by a killed run
REQUEST_SECONDS, RETRIES, DEFAULT_WORKERS, MAX_WORKERS = 20.0, 2, 8, 32
LISTED_FAILURES = 20  # a report names at most this many missing photos
MISSES_BEFORE_GIVING_UP = 8  # photos refused (HTTP 4xx) before any landed: a wrong address
NOTICE = ("The original photos belong to Flatiron School (learn-co-curriculum) and are published "
          "under the Learn.co Educational Content License. This project does not redistribute "
          f"them: you are downloading them from their public repository. License: {LICENSE_URL}")


def _pooch():
    """pooch, imported on the first download, not with this module (which every notebook's
    ``data_dir="auto"`` imports): it imports ``tqdm.auto``, which warns on stderr in a Jupyter
    kernel without ipywidgets; the download shows tqdm's plain bar instead."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TqdmWarning)
        import pooch
    return pooch


class _GiveUp(Exception):  # noqa: N818 (not a ValueError, so that pooch does not retry it)
    """A failure another attempt would not mend, in words."""


@dataclass
class DownloadReport:
    """What one run did: photos already there, downloaded, and missing with the reason why."""

    dest: Path
    total: int
    base_url: str
    present: int = 0
    downloaded: int = 0
    failures: dict[Path, str] = field(default_factory=dict)  # relative path -> why, in words

    @property
    def complete(self) -> bool:
        """True when every photo of the manifest is in ``dest``, verified."""
        return not self.failures and self.present + self.downloaded == self.total

    def __str__(self) -> str:
        text = (f"{self.dest}: {self.present + self.downloaded} of {self.total} photos verified "
                f"({self.downloaded} downloaded now, {self.present} already there)")
        if self.complete:
            return text + "."
        listed = sorted(self.failures.items())
        text += f"; {len(self.failures)} missing (from {self.base_url}):" + "".join(
            f"\n  - {path.as_posix()}: {why}" for path, why in listed[:LISTED_FAILURES])
        if len(listed) > LISTED_FAILURES:
            text += f"\n  - and {len(listed) - LISTED_FAILURES} more"
        if len(self.failures) == self.total and all(
                why.startswith(("HTTP 404", "not downloaded: the host refused"))
                for why in self.failures.values()):
            text += (f"\nNone was found: check that {self.base_url} serves the manifest's paths "
                     "(split/train/...).")
        return text


def default_photos_dir() -> Path:
    """Where ``data_dir="photos"`` and ``photos get`` without DEST keep the photos (the cache)."""
    return default_cache_dir() / PHOTOS_FOLDER


def photos_base_url() -> str:
    """Where the photos are fetched from: ``$SANTA_LIB_PHOTOS_URL`` when set, else the pinned
    commit of their public repository."""
    return os.environ.get(URL_VARIABLE, "").strip() or DEFAULT_BASE_URL


def photos_ready(folder: str | os.PathLike | None = None,
                 manifest: str | os.PathLike | None = None) -> bool:
    """Whether ``folder`` (default: the cache's) holds every photo of the manifest, verified by
    an earlier download (its marker) and still of the right sizes; no network is asked."""
    folder = default_photos_dir() if folder is None else Path(folder).expanduser()
    entries = load_manifest(manifest)
    return MARKER.matches(folder, manifest_key(entries, f"{REPOSITORY}@{COMMIT}")) and all(
        (path := folder / entry.relative).is_file()
        and entry.size in (None, path.stat().st_size) for entry in entries)


def auto_source(probe: Probe = host_reachable) -> tuple[str, str]:
    """What ``data_dir="auto"`` goes for, asked without downloading: ``("photos", why)`` when
    they are in the cache or their host answers now, else ``("embedded", why)``."""
    if photos_ready():
        return "photos", "the 2022 photos are in the lesson's cache"
    base_url = photos_base_url()
    reachable, reason = probe(base_url)
    if reachable:
        return "photos", f"the 2022 photos' host answers ({base_url})"
    return "embedded", (f"the 2022 photos are not in the lesson's cache and {reason}; "
                        f"{URL_VARIABLE} can name a mirror that has them")


def how_to_get_photos() -> str:
    """Advice for a machine that cannot download the photos itself."""
    return ("On a machine with internet, run `python -m santa_lib photos get DEST`, copy the "
            "folder DEST to this machine and use data_dir=DEST (or copy it to "
            f"{default_photos_dir()} so that data_dir=\"photos\" finds it).")


class _Fetcher:
    """Downloads photos in parallel, each verified before pooch gives it its final name."""

    def __init__(self, report: DownloadReport, entries: list[PhotoEntry], probe: Probe,
                 timeout: float, retries: int) -> None:
        self.report, self.entries, self.probe, self.attempts = report, entries, probe, retries + 1
        self.landed, self.stopped = [], ""  # the photos downloaded; why the rest is not
        self.misses = 0  # photos the host refused before any landed
        pooch = _pooch()
        self.http = pooch.HTTPDownloader(progressbar=False, timeout=timeout)
        self.pooch = pooch.Pooch(  # retries 5xx and cut connections, places verified files
            report.dest, report.base_url, retry_if_failed=retries,
            registry=dict.fromkeys(entry.relative.as_posix() for entry in entries),
            urls={entry.relative.as_posix(): report.base_url + urllib.parse.quote(entry.path)
                  for entry in entries})

    def _download(self, entry: PhotoEntry, url: str, output_file: str, caller: object) -> None:
        """pooch's downloader: ``url`` into ``output_file`` (a temporary name), verified."""
        if self.stopped:
            raise _GiveUp(f"not downloaded: {self.stopped}")
        try:
            self.http(url, output_file, caller)
        except requests.HTTPError as error:  # raised with the response
            if error.response.status_code >= 500:
                raise  # pooch tries again, as after a cut connection
            raise _GiveUp(f"HTTP {error.response.status_code} {error.response.reason}") from None
        content = Path(output_file).read_bytes()
        if (found := git_blob_sha1(content)) != entry.blob_sha1:
            raise _GiveUp(f"refused: the downloaded file ({len(content):,} bytes) has git blob "
                          f"SHA-1 {found}, not {entry.blob_sha1}; it was not kept. Check "
                          "--base-url, or try again later")

    def fetch(self, entry: PhotoEntry) -> str | None:
        """Verify a photo already there, or download, verify and place it: None when it is in
        place, else why not. One that differs is left alone."""
        if (path := self.report.dest / entry.relative).exists():
            if path.is_file() and git_blob_sha1(path.read_bytes()) == entry.blob_sha1:
                return None
            return (f"{path} is there but is not the original photo (its hash differs): delete "
                    "it and run again to download the original")
        try:
            self.pooch.fetch(entry.relative.as_posix(), downloader=partial(self._download, entry))
        except _GiveUp as verdict:
            if str(verdict).startswith("HTTP 4") and not self.landed:
                self.misses += 1
                if self.misses >= MISSES_BEFORE_GIVING_UP and not self.stopped:
                    self.stopped = (f"the host refused the first {self.misses} photos "
                                    f"({verdict}): is {self.report.base_url} the right address?")
            return str(verdict)
        except requests.RequestException as error:
            why = f"the download failed {self.attempts} times (last: {error})"
            reachable, reason = self.probe(self.report.base_url)
            if not reachable:
                self.stopped = f"the host stopped answering ({reason})"
            elif not self.landed:
                self.stopped = self.stopped or f"the host delivered no photo ({why})"
            return why
        self.landed.append(entry)
        return None

    def fetch_all(self, workers: int, progress: bool) -> None:
        """Fetch every photo into the report, in parallel, with a progress bar on stdout."""
        for folder in {self.report.dest / entry.relative.parent for entry in self.entries}:
            folder.mkdir(parents=True, exist_ok=True)  # before the threads race to make them
            for leftover in folder.iterdir():
                if POOCH_LEFTOVER.fullmatch(leftover.name) and leftover.is_file():
                    leftover.unlink()
        with ThreadPoolExecutor(workers) as pool:
            try:
                outcomes = list(tqdm(pool.map(self.fetch, self.entries), total=len(self.entries),
                                     desc="photos", unit="photo", file=sys.stdout,
                                     disable=not progress))
            except BaseException:  # Ctrl-C: the running downloads end at their next attempt
                self.stopped = "the download was stopped"
                raise
        self.report.downloaded = len(self.landed)
        self.report.present = outcomes.count(None) - len(self.landed)
        self.report.failures.update((entry.relative, why) for entry, why
                                    in zip(self.entries, outcomes, strict=True) if why is not None)


def download_photos(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None, workers: int = DEFAULT_WORKERS,
                    progress: bool = True, probe: Probe = host_reachable,
                    say: Callable[[str], None] = print,
                    timeout: float = REQUEST_SECONDS, retries: int = RETRIES) -> DownloadReport:
    """Download into ``dest`` (default: the cache) each photo of the manifest not yet there,
    verified; the report names those that could not be had. ``retries``: attempts added after a
    5xx or a cut connection. An unreachable host raises :class:`PhotosError` within seconds."""
    base_url = photos_base_url() if base_url is None else str(base_url)
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise PhotosError(f"--base-url (or ${URL_VARIABLE}) must be an http:// or https:// "
                          "address under which the manifest's paths (split/...) are served, "
                          f"got {base_url!r}.")
    workers = whole_number(workers, "--workers", 1, MAX_WORKERS,
                           why=f"parallel downloads; {DEFAULT_WORKERS} is a good choice")
    entries = load_manifest(manifest)
    folder = default_photos_dir() if dest is None else Path(dest).expanduser()
    if folder.exists() and not folder.is_dir():
        raise PhotosError(f"{folder} exists and is not a folder: give a folder (new or existing) "
                          "to download the photos into.")
    report = DownloadReport(folder, len(entries), base_url.rstrip("/") + "/")
    if not all((folder / entry.relative).exists() for entry in entries):
        reachable, reason = probe(report.base_url)
        if not reachable:
            raise PhotosError(f"The photos' host cannot be reached: {reason}. "
                              + how_to_get_photos())
        say(NOTICE)
        say(f"Downloading what is missing of the {manifest_size(entries)} (once), from "
            f"{report.base_url} into {folder}:")
        folder.mkdir(parents=True, exist_ok=True)
    logger = _pooch().get_logger()
    level = logger.level
    with open(folder / LOCK_FILE, "a") as lock:  # closing it releases the lock
        try:  # another run into the folder finishes first
            fcntl and fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"Waiting for another download into {folder} to finish ...")
            fcntl.flock(lock, fcntl.LOCK_EX)
        logger.setLevel("WARNING")  # the progress bar, not a line per photo on stderr
        try:
            _Fetcher(report, entries, probe, timeout, retries).fetch_all(workers, progress)
        finally:
            logger.setLevel(level)
    if report.complete:
        MARKER.write(folder, manifest_key(entries, f"{REPOSITORY}@{COMMIT}"))
    else:
        MARKER.remove(folder)
    return report


def photos_data_dir(dest: str | os.PathLike | None = None, *, base_url: str | None = None,
                    manifest: str | os.PathLike | None = None, probe: Probe = host_reachable,
                    timeout: float = REQUEST_SECONDS) -> Path:
    """The folder for ``data_dir="photos"``: at once, without the network, when a verified
    download is there, else once the missing photos are downloaded (offline: PhotosError).
    ``timeout``: seconds to wait for one photo before trying it again."""
    folder = default_photos_dir() if dest is None else Path(dest).expanduser()
    if photos_ready(folder, manifest):
        return folder
    report = download_photos(folder, base_url=base_url, manifest=manifest, probe=probe,
                             timeout=timeout)
    if not report.complete:
        raise PhotosError(f"{report}\nRun `python -m santa_lib photos get` again to download "
                          "what is missing (the photos already there are kept). "
                          + how_to_get_photos())
    return folder
