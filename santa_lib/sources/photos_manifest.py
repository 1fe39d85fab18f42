"""The manifest of the 2022 photos, ``original-photos.tsv`` (shipped beside this module): for each
photo its git blob SHA-1 (the one hash known for all 922), its size in bytes (``-`` where
unknown) and its path at the pinned commit."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import NamedTuple

from santa_lib.sources.folder import SPLITS, DataError

MANIFEST_LINE = re.compile(r"([0-9a-f]{40})\t(\d+|-)\t"  # git blob SHA-1, bytes, path
                           rf"(split/((?:{'|'.join(SPLITS)})/[^./\\][^/\\]*/[^./\\][^/\\]*))")


class PhotosError(DataError):
    """The photos cannot be had (offline, bad manifest or options); the message says what to do."""


class PhotoEntry(NamedTuple):
    """One photo: git blob SHA-1, size, path (``split/train/x.jpg``) and place (``train/x.jpg``)."""

    blob_sha1: str
    size: int | None
    path: str
    relative: Path


def git_blob_sha1(content: bytes) -> str:
    """The SHA-1 git gives ``content`` as a blob: ``sha1(b"blob <size>\\0" + content)``."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def load_manifest(manifest: str | os.PathLike | None = None) -> list[PhotoEntry]:
    """The photos the shipped manifest (or another in its format) lists, checked line by line."""
    where = Path(__file__).with_name("original-photos.tsv") if manifest is None else Path(manifest)
    entries = []
    try:
        lines = where.expanduser().read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise PhotosError(f"cannot read the manifest {where}: {error}. Give a readable "
                          "tab-separated manifest file.") from None
    for number, line in enumerate(lines, start=1):
        if match := MANIFEST_LINE.fullmatch(line):
            size = None if match[2] == "-" else int(match[2])
            entries.append(PhotoEntry(match[1], size, match[3], Path(match[4])))
        elif line.strip() and not line.startswith("#"):
            raise PhotosError(f"{where}, line {number}: {line!r} is not git_blob_sha1<TAB>bytes "
                              f"(or -)<TAB>split/<{'|'.join(SPLITS)}>/<class>/<file>: correct it.")
    if not entries:
        raise PhotosError(f"the manifest {where} lists no photos: give one that does.")
    if len({entry.relative for entry in entries}) != len(entries):
        raise PhotosError(f"the manifest {where} lists a photo twice: remove the duplicate.")
    return entries


def manifest_key(entries: list[PhotoEntry], source: str) -> dict[str, object]:
    """What a complete download's marker records: the photos' ``source``, their count and a hash
    of the listing (a folder made from another manifest is not taken for this one)."""
    listing = "".join(f"{entry.blob_sha1} {entry.path}\n" for entry in entries)
    return {"source": source, "photos": len(entries),
            "manifest_sha1": hashlib.sha1(listing.encode()).hexdigest()}


def manifest_size(entries: list[PhotoEntry]) -> str:
    """The photos' count and total size in words: ``"922 photos, about 183 MB"``."""
    megabytes = sum(entry.size or 0 for entry in entries) / 1e6
    return f"{len(entries)} photos, about {megabytes:.0f} MB"
