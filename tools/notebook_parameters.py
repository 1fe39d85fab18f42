"""A notebook file's ``parameters`` cell, and the YAML files that override it (tools only).

The installed package never reads the repository's notebooks; the runner, the report and the
student copies do, through this module. Both readers are santa_lib's own
(:func:`santa_lib.internals.params.parameters_cell`,
:func:`santa_lib.internals.params.load_parameters_file`), the ones the sweeps use: one parser of
a parameters cell, one loader of a parameters file (``1e-5`` read as a number).
"""

from __future__ import annotations

from pathlib import Path

from santa_lib.internals.params import ParameterFileError, load_parameters_file, parameters_cell


def notebook_defaults(notebook: str | Path) -> dict[str, object]:
    """The values assigned in a notebook's cell tagged ``parameters`` (empty without one).

    The lesson's parameters cells hold ``name = literal`` lines only (``make test`` checks it).
    """
    return parameters_cell(notebook)


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's ``parameters`` cell."""
    return set(notebook_defaults(notebook))


def load_parameters(path: Path | None) -> dict:
    """The mapping in a YAML parameters file (empty without one); ``SystemExit`` with the
    message when it cannot be read."""
    if path is None:
        return {}
    try:
        return load_parameters_file(path)
    except ParameterFileError as error:
        raise SystemExit(f"error: {error}") from None
