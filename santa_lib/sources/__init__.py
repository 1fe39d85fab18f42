"""Where the pictures and the pretrained weights come from; the lesson only asks for a folder.

- ``folder``     the rules of a data folder (split/class/image) and decoding its images
- ``checks``     ``check-data``: every problem of a folder at once
- ``splitting``  ``split``: a folder of class folders into train / validation / test
- ``embedded``   the synthetic pictures the lesson runs on by default (a generator)
- ``photos``     the 2022 lesson's photos, downloaded and verified (``photos get``)
- ``imagenet``   VGG19's ImageNet weights file: Keras' cache, installing a copy offline
- ``network``    asking a download host whether it can be reached, within seconds

These import only each other and :mod:`santa_lib.internals`, never the lesson's modules.
"""
