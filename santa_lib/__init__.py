"""Helpers for the Santa-or-not transfer-learning lesson.

The notebooks write the Keras they teach themselves; these modules hold the rest. Each holds one
idea and names the notebook that introduces it:

- ``embedded``      the synthetic data set the lesson runs on by default (notebook 00)
- ``photos``        the 2022 lesson's photos, downloaded and verified on request (notebook 00)
- ``splitting``     your own photos, split into train / validation / test (command line)
- ``data``          the rules of a data folder, and reading it into arrays (notebook 00)
- ``checks``        ``check-data``: every problem of a data folder at once (command line)
- ``params``        checking a notebook's parameters first (every notebook)
- ``quiet_start``   TensorFlow's start-up lines kept out of notebooks (every notebook)
- ``network``       asking a download host whether it can be reached (00-03, photos)
- ``weights``       where VGG19's weights come from: ImageNet, a file, or random (00-03)
- ``base``          building VGG19's convolutional base, calibrating random weights (01-03)
- ``preprocessing`` VGG19's input preprocessing as a layer inside the models (01-03)
- ``precision``     float32 or bfloat16 arithmetic (notebooks 01-03)
- ``features``      running the frozen base once, cached on disk (notebook 01)
- ``augment``       the 2022 lesson's augmentation, each picture resampled once (02, 03)
- ``freezing``      layer names, and the frozen front of a model (notebooks 02, 03)
- ``training``      pipelines, cached validation, notebook 02's saved model (02, 03)
- ``evaluation``    predictions, confusion matrices, misclassified pictures (01-03)
- ``gradcam``       where the fine-tuned model looks (notebook 03)
- ``finetuning``    how far fine-tuning moved each block's weights (notebook 03)
- ``results``       each method's record, for the comparison (notebooks 01-04)
- ``timing``        wall-clock timing of each method (notebooks 01-03)
- ``plots``         sample grids, curves, errors, heatmaps, comparison (notebooks 00-04)
- ``cache``         where the lesson keeps what it computes once, written atomically

Importing the package does not import TensorFlow, but makes its first import quiet
(:mod:`santa_lib.quiet_start`).
"""

import os

from santa_lib import quiet_start

# TensorFlow reads this once, when it is first imported: keep its C++ run-time chatter out of
# notebook outputs unless the user asked for it.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
quiet_start.install()

__version__ = "1.1.0"
