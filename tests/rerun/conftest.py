"""The re-run checks execute notebooks in real kernels (minutes): only `make rerun-test` runs
them, by setting SANTA_RERUN_TEST=1; the default unit run (`pytest tests`) skips this folder."""

import os

import pytest


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SANTA_RERUN_TEST") == "1":
        return
    skip = pytest.mark.skip(reason="run by `make rerun-test` (SANTA_RERUN_TEST=1)")
    for item in items:
        if "tests/rerun/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(skip)
