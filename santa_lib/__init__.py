"""Helpers for the Santa-or-not transfer-learning lesson.

Each module holds one idea and names the notebook that introduces it:

- ``embedded``  the synthetic data set the lesson runs on by default (notebook 00)
- ``data``      reading a split/class folder tree into arrays (notebook 00)
- ``seeding``   one seed for Python, NumPy and Keras (every notebook)
- ``base``      the VGG19 convolutional base and its weights (notebook 01)
- ``features``  running the frozen base once, cached on disk (notebook 01)
- ``freezing``  freezing, unfreezing by name, trainable tables (notebooks 02 and 03)
- ``augment``   the 2022 lesson's augmentation, each picture resampled once (notebooks 02, 03)
- ``training``  the models and fitting of the three methods (notebooks 01-03)
- ``precision`` float32 or bfloat16 arithmetic (notebooks 01-03)
- ``evaluation`` test-set scores (notebooks 01-03)
- ``timing``    wall-clock timing of each method (notebooks 01-03)
- ``plots``     sample grids and training curves (notebooks 00-03)

Importing the package does not import TensorFlow; the modules that need it do.
"""

import os

# TensorFlow reads this once, when it is first imported: keep its C++ start-up chatter out of
# notebook outputs unless the user asked for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__version__ = "1.0.0"
