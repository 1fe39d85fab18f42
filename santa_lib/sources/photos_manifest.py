"""The manifest of the 2022 photos, ``original-photos.tsv`` (shipped next to this module): each
photo's git blob SHA-1, size in bytes (``-`` if unknown) and path at the pinned commit.

The git blob SHA-1 is the one hash known for all 922 photos, and it is computed from a file's
bytes alone (:func:`git_blob_sha1`), so it is the only hash the download checks.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath

from santa_lib.sources.folder import SPLITS, DataError, is_ignored

MANIFEST_NAME = "original-photos.tsv"
MANIFEST_PREFIX = "split"
SHA1_PATTERN = re.compile(r"[0-9a-f]{40}")
UNKNOWN_SIZE = "-"


class PhotosError(DataError):
    """The photos cannot be had (offline, bad manifest or options); the message says what to do."""


@dataclass(frozen=True)
class PhotoEntry:
    """One photo: its git blob SHA-1, size in bytes (None if unknown) and repository path
    (such as ``split/train/santa/00000123.jpg``)."""

    blob_sha1: str
    size: int | None
    path: str

    @property
    def relative(self) -> Path:
        """Where the photo lands inside the destination: the path without ``split/``."""
        return Path(*PurePosixPath(self.path).parts[1:])


def git_blob_sha1(content: bytes) -> str:
    """The SHA-1 git gives ``content`` as a blob: ``sha1(b"blob <size>\\0" + content)``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def _entry(line: str, where: str) -> PhotoEntry:
    """One manifest line, checked; a PhotosError naming ``where`` (file and line) otherwise."""
    fields = line.split("\t")
    if len(fields) != 3:
        raise PhotosError(f"{where}: expected git_blob_sha1<TAB>bytes<TAB>"
                          f"split/<split>/<class>/<file>, got {line!r}.")
    digest, size, path = fields
    parts = PurePosixPath(path).parts
    if not SHA1_PATTERN.fullmatch(digest):
        raise PhotosError(f"{where}: {digest!r} is not a git_blob_sha1 (lower-case hexadecimal).")
    if size != UNKNOWN_SIZE and not size.isdigit():
        raise PhotosError(f"{where}: size {size!r} is neither bytes nor {UNKNOWN_SIZE!r}.")
    if (len(parts) != 4 or parts[0] != MANIFEST_PREFIX or parts[1] not in SPLITS or "\\" in path
            or any(part in ("..", ".") or is_ignored(Path(part)) for part in parts[2:])):
        raise PhotosError(f"{where}: {path!r} is not of the form "
                          f"{MANIFEST_PREFIX}/<{'|'.join(SPLITS)}>/<class>/<file>.")
    return PhotoEntry(digest, None if size == UNKNOWN_SIZE else int(size), path)


def load_manifest(manifest: str | os.PathLike | None = None) -> list[PhotoEntry]:
    """The photos to download: the shipped manifest, or another manifest file.

    One ``git_blob_sha1<TAB>bytes<TAB>path`` line per photo; lines starting with ``#`` are
    comments. Raises :class:`PhotosError` naming the file and line of anything malformed.
    """
    if manifest is None:
        where = f"santa_lib/sources/{MANIFEST_NAME}"
        text = resources.files("santa_lib.sources").joinpath(MANIFEST_NAME).read_text("utf-8")
    else:
        where = str(manifest)
        try:
            text = Path(manifest).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise PhotosError(f"cannot read the manifest {where}: {error}. Give a readable "
                              "tab-separated manifest file.") from None
    entries = [_entry(line, f"{where}, line {number}")
               for number, line in enumerate(text.splitlines(), start=1)
               if line.strip() and not line.startswith("#")]
    if not entries:
        raise PhotosError(f"the manifest {where} lists no photos: give one that does.")
    if len({entry.relative for entry in entries}) != len(entries):
        raise PhotosError(f"the manifest {where} lists a photo twice: remove the duplicate.")
    return entries
