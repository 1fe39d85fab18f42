"""The sweep summaries shipped with the lesson, made by ``make sweep`` on the embedded data.

``seeds.json`` (``params/sweeps/seeds.yaml``) and ``finetune-rate.json``
(``params/sweeps/finetune-rate.yaml``): each names the machine and the date it was made on.
Notebook 05 reads them (:mod:`santa_lib.spread`) until you run a sweep of your own.
"""
