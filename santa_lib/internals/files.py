"""Writing files and folders atomically: the one way the project writes anything it keeps.

Everything is first written under a temporary name beside its destination, then renamed into
place in one step. A reader (another notebook, a second instructor's run) sees either nothing or
the whole file, never half of one, and an interrupted write leaves no debris under the real name.
A folder made whole this way gets a :class:`FolderMarker`, written last, saying what made it.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path


def default_mode(folder: bool = False) -> int:
    """The permissions a new file (or folder) gets here: 0o666 (0o777) less the umask.

    ``tempfile`` makes its files 0o600 and folders 0o700; what lands is given these instead.
    """
    umask = os.umask(0)
    os.umask(umask)
    return (0o777 if folder else 0o666) & ~umask


def _temporary_sibling(path: Path, folder: bool) -> Path:
    suffixes = "".join(path.suffixes)
    stem = path.name[:len(path.name) - len(suffixes)] if suffixes else path.name
    if folder:
        return Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}-"))
    # every suffix kept (``.weights.h5``, not just ``.h5``): some writers check the name
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{stem}-", suffix=suffixes)
    os.close(handle)
    return Path(name)


def _remove(temp: Path) -> None:
    if temp.is_dir() and not temp.is_symlink():
        shutil.rmtree(temp, ignore_errors=True)
    else:
        temp.unlink(missing_ok=True)


def _rename_into_place(temp: Path, path: Path) -> None:
    """Rename ``temp`` to ``path``; a folder may replace an empty folder (also on Windows)."""
    try:
        os.replace(temp, path)
    except OSError:
        if not (temp.is_dir() and path.is_dir() and not any(path.iterdir())):
            raise
        path.rmdir()  # only succeeds while it is still empty
        os.replace(temp, path)


def atomic_write(path: os.PathLike | str, write: Callable[[Path], object], *,
                 folder: bool = False, keep_partial: bool = False) -> Path:
    """Call ``write(temp)``, then rename ``temp`` to ``path`` in one step; returns ``path``.

    ``temp`` is a new empty file beside ``path`` (with all of its suffixes), or with
    ``folder=True`` a new empty folder, which ``path`` may replace only when absent or empty.
    When ``write`` raises, nothing lands and ``temp`` is removed, unless ``keep_partial`` is set
    and ``write`` wrote something: then the partial result lands (an executed notebook cut short
    keeps the cells that ran) and the exception goes on.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = _temporary_sibling(path, folder)
    try:
        try:
            write(temp)
        except BaseException:
            if keep_partial and temp.exists() and (temp.is_dir() or temp.stat().st_size > 0):
                os.chmod(temp, default_mode(folder))
                _rename_into_place(temp, path)
            raise
        os.chmod(temp, default_mode(folder))
        _rename_into_place(temp, path)
    finally:
        if temp.exists():
            _remove(temp)
    return path


def atomic_write_text(path: os.PathLike | str, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"))


class FolderMarker:
    """The file that says "this folder is complete": written last into a folder, it holds a key
    (JSON) naming what made the folder and from what, such as ``{"made_by": ..., "seed": 0}``.

    A folder with a marker whose key matches was made whole by its maker with those settings; a
    folder without one was not made (or not finished) by it, and its maker leaves it alone.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        """The marker's file name inside each folder, such as ``.santa_lib_split``."""

    def present(self, folder: os.PathLike | str) -> bool:
        """True when ``folder`` has the marker file (readable or not)."""
        return (Path(folder) / self.name).is_file()

    def read(self, folder: os.PathLike | str) -> object | None:
        """The key in ``folder``'s marker, or None when it has none or it cannot be read."""
        try:
            return json.loads((Path(folder) / self.name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def matches(self, folder: os.PathLike | str, key: object) -> bool:
        """True when ``folder``'s marker holds ``key`` (as JSON: tuples read back as lists)."""
        found = self.read(folder)
        return found is not None and found == json.loads(json.dumps(key))

    def write(self, folder: os.PathLike | str, key: object) -> Path:
        """Write ``key`` (anything JSON takes) as ``folder``'s marker, atomically; its path."""
        return atomic_write_text(Path(folder) / self.name, json.dumps(key, indent=2) + "\n")

    def remove(self, folder: os.PathLike | str) -> None:
        """Remove ``folder``'s marker, if any: the folder no longer counts as complete."""
        (Path(folder) / self.name).unlink(missing_ok=True)
