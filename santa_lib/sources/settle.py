"""What a ``data_dir`` or ``weights`` value comes to on this machine, named as a run's record is
keyed by it (:func:`santa_lib.internals.records.key_parameters`): ``"auto"`` settled, a path
resolved. One home for that rule, used where a value must be known without running the notebook:
notebook 05 finding the records of runs made on this machine, and a sweep foretelling each run's
key. The notebooks themselves settle through :func:`santa_lib.data.choose_data` and
:func:`santa_lib.weights.choose_weights`, which ask the same questions and then fetch.
"""

from __future__ import annotations

import os
from pathlib import Path

from santa_lib.internals.params import AUTO, EMBEDDED, PHOTOS, check_weights
from santa_lib.sources.network import Probe, host_reachable


def settled_data(data_dir: str | os.PathLike, probe: Probe = host_reachable, *,
                 cache_only: bool = False) -> str:
    """``embedded``, ``photos`` or a folder's resolved path. ``"auto"``: the photos when they
    are in the lesson's cache, or (unless ``cache_only``: what a run made here before chose)
    when their host answers now; else the embedded pictures."""
    if str(data_dir) == AUTO:
        from santa_lib.sources.photos import auto_source, photos_ready

        if cache_only:
            return PHOTOS if photos_ready() else EMBEDDED
        return auto_source(probe)[0]
    if str(data_dir) in (EMBEDDED, PHOTOS):
        return str(data_dir)
    return str(Path(data_dir).expanduser().resolve())


def settled_weights(weights: object, probe: Probe = host_reachable, *,
                    cache_only: bool = False) -> str:
    """``imagenet``, ``random`` or a weights file's resolved path. ``"auto"``: ImageNet's when
    Keras has them cached, or (unless ``cache_only``) when their host answers now; else
    random (the offline fallback)."""
    try:
        choice = check_weights(weights)
    except ValueError:  # no such file: the notebook will say so, and file no record
        return str(Path(str(weights)).expanduser().resolve())
    if isinstance(choice, Path):
        return str(choice.resolve())
    if choice == "auto":
        from santa_lib.sources.imagenet import imagenet_available

        return "imagenet" if imagenet_available(probe, cache_only=cache_only)[0] else "random"
    return choice
