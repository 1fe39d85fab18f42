"""``python -m santa_lib sweep GRID.yaml``: a grid of notebook parameters run on Dask distributed.

- :mod:`santa_lib.sweeps.grid`: the grid file read into runs, each keyed as its record will be;
- :mod:`santa_lib.sweeps.keys`: that key foretold (``"auto"`` settled, the backend read);
- :mod:`santa_lib.sweeps.task`: what a worker does with one run (papermill);
- :mod:`santa_lib.sweeps.cluster`: the local cluster or ``--scheduler``'s workers, their cores;
- :mod:`santa_lib.sweeps.filing`: executed notebooks, records and the summary, on the client;
- :mod:`santa_lib.sweeps.driver`: the client: keys, resources, retries, 03 after 02, stops.

It needs ``distributed`` (``pip install "santa_lib[sweep]"``); nothing else of santa_lib does.
"""
