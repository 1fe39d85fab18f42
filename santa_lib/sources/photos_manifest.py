"""The manifests of the 2022 photos: which files, where, and the hashes each must have.

``original-photos.tsv`` lists all 922 photos of the pinned commit with their git blob SHA-1 and
size; ``original-photos-sha256.tsv`` adds the SHA-256 of 921 of them (the one pooch checks).
Both ship with the package, next to this module; :mod:`santa_lib.sources.photos` uses them.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path, PurePosixPath

from santa_lib.sources.folder import SPLITS, DataError, is_ignored

MANIFEST_NAME = "original-photos.tsv"
SHA256_MANIFEST_NAME = "original-photos-sha256.tsv"
MANIFEST_PREFIX = "split"
SHA1_PATTERN = re.compile(r"[0-9a-f]{40}")
SHA256_PATTERN = re.compile(r"[0-9a-f]{64}")
UNKNOWN_SIZE = "-"
HASH_CHUNK_BYTES = 1024 * 1024


class PhotosError(DataError):
    """The photos cannot be had (offline, bad manifest or options); the message says what to do."""


@dataclass(frozen=True)
class PhotoEntry:
    """One photo: git blob SHA-1, size in bytes (None if unknown), path, SHA-256 if known."""

    blob_sha1: str
    size: int | None
    path: str
    """The path in the repository, such as ``split/train/santa/00000123.jpg``."""
    sha256: str | None = None

    @property
    def relative(self) -> Path:
        """Where the photo lands inside the destination: the path without ``split/``."""
        return Path(*PurePosixPath(self.path).parts[1:])


def git_blob_sha1(content: bytes) -> str:
    """The SHA-1 git gives ``content`` as a blob: ``sha1(b"blob <size>\\0" + content)``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def file_blob_sha1(path: Path) -> str:
    """The SHA-1 git gives a file's bytes as a blob (``sha1(b"blob <size>\\0" + content)``)."""
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


def _read_rows(manifest: str | os.PathLike | None, shipped: str, pattern: re.Pattern,
               what: str) -> tuple[str, list[tuple[str, int | None, str, int]]]:
    """``(where, [(hash, size, path, line number), ...])`` of one manifest, checked line by line."""
    if manifest is None:
        where = f"santa_lib/sources/{shipped}"
        text = resources.files("santa_lib.sources").joinpath(shipped).read_text(encoding="utf-8")
    else:
        where = str(manifest)
        try:
            text = Path(manifest).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PhotosError(f"cannot read the manifest {where}: {error}. Give a readable "
                              "tab-separated manifest file.") from None
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3:
            raise PhotosError(f"{where}, line {number}: expected {what}<TAB>bytes<TAB>"
                              f"split/<split>/<class>/<file>, got {line!r}.")
        digest, size, path = fields
        if not pattern.fullmatch(digest):
            raise PhotosError(f"{where}, line {number}: {digest!r} is not a {what} (lower-case "
                              "hexadecimal).")
        if size != UNKNOWN_SIZE and not size.isdigit():
            raise PhotosError(f"{where}, line {number}: size {size!r} is neither bytes nor "
                              f"{UNKNOWN_SIZE!r}.")
        if not _photo_path_ok(path):
            raise PhotosError(f"{where}, line {number}: {path!r} is not of the form "
                              f"{MANIFEST_PREFIX}/<{'|'.join(SPLITS)}>/<class>/<file>.")
        rows.append((digest, None if size == UNKNOWN_SIZE else int(size), path, number))
    return where, rows


def load_manifest(manifest: str | os.PathLike | None = None,
                  sha256_manifest: str | os.PathLike | None = None) -> list[PhotoEntry]:
    """The photos to download: the shipped manifests, or other manifest files.

    ``manifest`` has one ``git_blob_sha1<TAB>bytes<TAB>path`` line per photo (``-`` for an
    unknown size); ``sha256_manifest`` has ``sha256<TAB>bytes<TAB>path`` lines for some or all of
    them. Lines starting with ``#`` are comments. Without ``sha256_manifest``, the shipped one is
    used with the shipped ``manifest`` only. Raises :class:`PhotosError` naming the file and line
    of anything malformed.
    """
    where, rows = _read_rows(manifest, MANIFEST_NAME, SHA1_PATTERN, "git_blob_sha1")
    entries = {path: PhotoEntry(digest, size, path) for digest, size, path, _ in rows}
    if not entries:
        raise PhotosError(f"the manifest {where} lists no photos: give one that does.")
    if len({entry.relative for entry in entries.values()}) != len(rows):
        raise PhotosError(f"the manifest {where} lists a photo twice: remove the duplicate.")
    if sha256_manifest is None and manifest is not None:
        return list(entries.values())
    sha_where, sha_rows = _read_rows(sha256_manifest, SHA256_MANIFEST_NAME, SHA256_PATTERN,
                                     "sha256")
    for digest, size, path, number in sha_rows:
        entry = entries.get(path)
        if entry is None or None not in (size, entry.size) and size != entry.size:
            raise PhotosError(f"{sha_where}, line {number}: {path!r} of {size} bytes is not in "
                              f"{where}: give SHA-256 sums of that manifest's photos.")
        entries[path] = replace(entry, sha256=digest)
    return list(entries.values())
