"""Feeding and checking the training of methods 2 and 3 (home notebook: 02; also used by 03).

The notebooks build, compile, fit and evaluate their models in plain Keras. This module holds
the machinery around those calls:

- :func:`training_batches` and :func:`batches_in_order`: pipelines of raw pictures, the
  training one shuffled and augmented afresh every epoch (tf.data on TensorFlow,
  :class:`ArrayBatches` on JAX and PyTorch);
- :class:`FrozenFrontValidation`: a callback that scores the validation split each epoch while
  running the frozen front of the model over it only once;
- :func:`method2_model_path`, :func:`fine_tuned_model_path`, :func:`save_model_atomically`:
  where notebook 02 leaves its trained model for notebook 03 (and 03 its fine-tuned one);
- :func:`train_method2_head`: notebook 02's steps in one call, for notebook 03 run on its own.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import keras
import numpy as np

from santa_lib.data import Split
from santa_lib.features import cached_outputs
from santa_lib.freezing import frozen_front_and_rest, nested_base
from santa_lib.internals.backend import name as backend_name
from santa_lib.internals.cache import arrays_fingerprint, cache_key, default_cache_dir
from santa_lib.internals.files import atomic_write
from santa_lib.internals.results import Run, images_seen
from santa_lib.preprocessing import VGG19Preprocessing
from santa_lib.weights import WeightsChoice, weights_key

HEAD_UNITS = 132
"""Method 2's hidden layer, as in the 2022 lesson: Dense(132) on 2048 features, 270,468 weights."""


def steady_threads(dataset):
    """Turn off tf.data's autotuning for ``dataset``; its callers fix small buffers instead.

    Measured on a 2-core CPU: while a pipeline with autotuning (Keras' default for arrays, or
    ``AUTOTUNE`` anywhere) feeds the model, most processes run the convolutions at one core's
    speed (about 26 instead of 40 images/s for method 2) for the whole run, in ``fit``,
    ``evaluate``, ``predict`` and ``train_on_batch`` alike, with or without XLA or oneDNN.
    With autotuning off, every run used both cores. Our pipelines are light (decoded images
    in memory, a few image ops per batch), so fixed settings lose nothing.
    """
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def batches_in_order(images: np.ndarray, labels: np.ndarray, batch_size: int):
    """Pictures and labels in order, in batches, for ``evaluate`` (see :func:`steady_threads`)."""
    if backend_name() != "tensorflow":
        return ArrayBatches(images, labels, batch_size)
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).batch(batch_size)
    return steady_threads(dataset.prefetch(1))


def training_batches(split: Split, batch_size: int, augment=None, seed: int = 0,
                     steps_per_epoch: int | None = None):
    """Shuffled batches of (raw picture, label) for ``fit``; every picture once per epoch.

    ``augment`` (a layer such as :func:`santa_lib.augment.augmentation`) transforms the pictures
    freshly for every batch: nothing is cached after augmentation. With ``steps_per_epoch`` set
    (short smoke runs), the batches repeat so that every epoch gets its steps. One batch is
    prepared while the model trains on the previous one (see :func:`steady_threads`). Pass
    ``shuffle=False`` to ``fit``: the batches shuffle themselves, and Keras' default
    ``shuffle=True`` only warns that it ignores them.
    """
    if backend_name() != "tensorflow":
        return ArrayBatches(split.images, split.labels, batch_size, shuffle=True,
                            augment=augment, seed=seed, steps_per_epoch=steps_per_epoch)
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((split.images, split.labels))
    dataset = dataset.shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
    if steps_per_epoch is not None:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size)

    def prepare(images, labels):
        images = tf.cast(images, "float32")
        if augment is not None:
            images = augment(images, training=True)
        return images, labels

    return steady_threads(dataset.map(prepare).prefetch(1))


class ArrayBatches(keras.utils.PyDataset):
    """Batches of (float32 pictures, labels) for ``fit`` and ``evaluate`` on JAX and PyTorch,
    where tf.data is not at hand: in order, or shuffled afresh (and augmented) every epoch.

    The same batches :func:`training_batches` and :func:`batches_in_order` give on TensorFlow,
    with one difference in short runs: with ``steps_per_epoch`` set, each epoch takes the first
    batches of a fresh shuffle rather than continuing where the last epoch stopped.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, batch_size: int, *,
                 shuffle: bool = False, augment=None, seed: int = 0,
                 steps_per_epoch: int | None = None):
        super().__init__()
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.shuffle, self.augment, self.steps_per_epoch = shuffle, augment, steps_per_epoch
        self.rng = np.random.default_rng(seed)
        self.order = self._new_order()

    def _new_order(self) -> np.ndarray:
        count = len(self.labels)
        return self.rng.permutation(count) if self.shuffle else np.arange(count)

    def __len__(self) -> int:
        batches = -(-len(self.labels) // self.batch_size)
        return self.steps_per_epoch or batches

    def __getitem__(self, index: int):
        span = range(index * self.batch_size, (index + 1) * self.batch_size)
        if self.steps_per_epoch is None:
            chosen = self.order[span.start:span.stop]
        else:  # short runs: wrap round the epoch's order when the steps ask for more pictures
            chosen = np.take(self.order, span, mode="wrap")
        images = self.images[chosen].astype("float32")
        if self.augment is not None:
            images = keras.ops.convert_to_numpy(self.augment(images, training=True))
        return images, self.labels[chosen]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self.order = self._new_order()


def frozen_front_inputs(model, images: np.ndarray):
    """``(rest, inputs)``: the part of ``model`` after its frozen front, and what it takes for
    ``images``, the front's outputs, computed once and kept in the feature cache.

    ``rest(inputs)`` equals ``model(images)``. A model with nothing frozen in front (or no nested
    base) is its own rest, taking the pictures as they are.
    """
    cut = frozen_front_and_rest(model) if nested_base(model) is not None else None
    if cut is None:
        return model, np.asarray(images, dtype="float32")
    front, rest = cut
    return rest, cached_outputs(front, images)[0]


def rest_probabilities(rest, inputs: np.ndarray, batch_size: int = 100) -> np.ndarray:
    """P(santa) for each row of ``inputs``, calling ``rest`` directly, batch by batch (1-D)."""
    if len(inputs) == 0:
        return np.zeros(0, dtype="float32")
    return np.concatenate([
        np.asarray(keras.ops.convert_to_numpy(rest(inputs[start:start + batch_size],
                                                   training=False)), dtype="float32")
        for start in range(0, len(inputs), batch_size)
    ]).reshape(-1)


class FrozenFrontValidation(keras.callbacks.Callback):
    """Validation scores each epoch, with the frozen front of the model run only once.

    A frozen layer gives the same output for a validation picture in every epoch (its weights do
    not change, and validation pictures are never augmented), so the front of the model up to
    the last frozen layer runs once, through the feature cache, when training starts
    (:func:`frozen_front_inputs`); each epoch only the trainable rest runs. The scores land in
    the logs as ``val_loss`` and ``val_accuracy``, the same numbers
    ``fit(validation_data=...)`` would give, so the history, the printed lines and later
    callbacks (such as early stopping) see them as usual. Pass it first in ``callbacks``.

    The rest is called directly, batch by batch, rather than compiled and evaluated: a compiled
    evaluation is one more graph for TensorFlow to trace per ``fit``, and in short runs that
    many traces print TensorFlow's "excessive retracing" warning into the notebook.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, batch_size: int = 100):
        super().__init__()
        self.images, self.labels, self.batch_size = images, labels, batch_size
        self.rest, self.inputs = None, None

    def on_train_begin(self, logs=None):
        self.rest, self.inputs = frozen_front_inputs(self.model, self.images)

    def on_epoch_end(self, epoch, logs=None):
        probabilities = rest_probabilities(self.rest, self.inputs, self.batch_size).reshape(-1, 1)
        labels = self.labels.reshape(-1, 1).astype("float32")
        # the lesson's loss and metric: binary cross-entropy, accuracy at 0.5
        loss = keras.ops.convert_to_numpy(keras.losses.binary_crossentropy(labels, probabilities))
        if logs is not None:
            logs["val_loss"] = float(np.mean(loss))
            logs["val_accuracy"] = float(np.mean((probabilities > 0.5) == (labels > 0.5)))


def method2_model(base, image_size: int):
    """Method 2's model around ``base``: preprocessing, the base, Flatten, Dense(132), Dense(1).

    The same layers notebook 02 writes out; used when notebook 03 has to train the head itself.
    """
    return keras.Sequential([
        keras.Input(shape=(image_size, image_size, 3)),
        VGG19Preprocessing(name="preprocessing"),
        base,
        keras.layers.Flatten(name="flatten"),
        keras.layers.Dense(HEAD_UNITS, activation="relu", name="head_dense"),
        keras.layers.Dense(1, activation="sigmoid", name="head_output", dtype="float32"),
    ], name="santa_classifier")


def train_method2_head(run: Run, choice: WeightsChoice, train: Split, validation: Split,
                       augment):
    """Notebook 02's steps in one call: build, freeze the base, compile, fit. Returns the model.

    For notebook 03 run on its own, when notebook 02's model is not in the cache; the settings
    are the run's method-2 ones (``head_epochs``, ``head_learning_rate``), and the time and
    pictures it took are recorded in ``run`` as the head's cost.
    """
    settings = run.method2_settings()
    started = time.perf_counter()
    image_size = settings["image_size"]
    base = keras.applications.VGG19(weights=choice.keras_weights, include_top=False,
                                    input_shape=(image_size, image_size, 3))
    model = method2_model(base, image_size)
    base.trainable = False
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=settings["learning_rate"]),
                  loss="binary_crossentropy", metrics=["accuracy"])
    keep_best = keras.callbacks.EarlyStopping(monitor="val_accuracy", mode="max",
                                              patience=settings["epochs"],
                                              restore_best_weights=True)
    steps = settings["steps_per_epoch"]
    history = model.fit(
        training_batches(train, settings["batch_size"], augment, settings["seed"], steps),
        epochs=settings["epochs"], steps_per_epoch=steps, verbose=2, shuffle=False,
        callbacks=[FrozenFrontValidation(validation.images, validation.labels), keep_best])
    run.record_head(time.perf_counter() - started, images_seen(history, settings, len(train)),
                    "trained in this notebook", history)
    return model


def _model_path(kind: str, settings: dict, choice: WeightsChoice, train: Split,
                validation: Split, cache_dir: str | os.PathLike | None) -> Path:
    key = cache_key(
        kind,
        arrays_fingerprint([train.images, train.labels, validation.images, validation.labels]),
        weights_key(choice, settings["image_size"], train.images, settings["seed"]),
        keras.mixed_precision.global_policy().name,
        sorted((name, value) for name, value in settings.items() if name != "my_photo"),
    )
    return Path(cache_dir or default_cache_dir()) / "models" / f"{kind}-{key}.keras"


def method2_model_path(run: Run, train: Split, validation: Split, choice: WeightsChoice,
                       cache_dir: str | os.PathLike | None = None) -> Path:
    """The ``.keras`` file where notebook 02 saves its trained model for notebook 03.

    Named by a key of everything that determines that model (pictures, the base's weights,
    precision, the method-2 settings of ``run``: in notebook 03, ``head_epochs`` and
    ``head_learning_rate``), so notebook 03 never starts from a model trained on other terms,
    and knows the name before building anything.
    """
    return _model_path("method2-v4", run.method2_settings(), choice, train, validation,
                       cache_dir)


def fine_tuned_model_path(run: Run, train: Split, validation: Split, choice: WeightsChoice,
                          cache_dir: str | os.PathLike | None = None) -> Path:
    """The ``.keras`` file where notebook 03 saves its fine-tuned model (named like
    :func:`method2_model_path`, by all of notebook 03's settings)."""
    return _model_path("fine-tuned-v1", dict(run.parameters), choice, train, validation,
                       cache_dir)


def save_model_atomically(model, path: str | os.PathLike) -> Path:
    """``model.save(path)``, written atomically: a notebook reading it never sees half a file."""
    return atomic_write(path, model.save)
