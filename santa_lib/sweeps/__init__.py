"""``python -m santa_lib sweep GRID.yaml``: a grid of notebook parameters run on Dask distributed.

- :mod:`santa_lib.sweeps.grid`: the grid file read into runs, each keyed as its record will be;
- :mod:`santa_lib.sweeps.keys`: that key foretold (``"auto"`` settled, the backend read);
- :mod:`santa_lib.sweeps.task`: what a worker does with one run (papermill);
- :mod:`santa_lib.sweeps.cluster`: the local cluster or ``--scheduler``'s workers, their cores;
- :mod:`santa_lib.sweeps.filing`: executed notebooks, records and the summary, on the client;
- :mod:`santa_lib.sweeps.driver`: the client: keys, resources, retries, 03 after 02, stops.

It needs ``distributed`` (``pip install "santa_lib[sweep]"``); nothing else of santa_lib does.
"""

DEFAULT_TIMEOUT = 3600
"""Seconds one cell of a swept notebook may run by default (``--timeout``): an hour, far above
the longest cell of the reference settings on a 2-core CPU, so only a hung cell reaches it."""
