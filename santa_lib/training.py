"""Models and training for the three methods (home notebooks: 01, 02 and 03).

- Method 1 trains :func:`build_feature_classifier` on features from :mod:`santa_lib.features`.
- Method 2 puts the frozen base inside :func:`build_frozen_base_model` and trains the head on
  augmented images (:func:`training_dataset`, with :func:`santa_lib.augment.augmentation`).
- Method 3 starts from method 2's trained model, unfreezes the last block
  (:func:`santa_lib.freezing.unfreeze_from`), recompiles with a low learning rate and trains on.

Images enter the models already preprocessed (see :func:`santa_lib.base.preprocess_images`), so
the models are exactly the reference's: base, Flatten, Dense, Dense.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np

from santa_lib.base import preprocess_images
from santa_lib.cache import arrays_fingerprint, atomic_write, cache_key, default_cache_dir
from santa_lib.data import Split
from santa_lib.features import cached_outputs, weights_fingerprint


def compile_binary(model, learning_rate: float) -> None:
    """Compile for two classes: RMSprop, binary cross-entropy, accuracy."""
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        loss="binary_crossentropy",
        metrics=["accuracy"],
    )


def build_feature_classifier(input_dim: int, units: int = 256):
    """Method 1's classifier on flattened features: Dense(units, relu) then Dense(1, sigmoid)."""
    return keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(units, activation="relu", name="dense"),
            keras.layers.Dense(1, activation="sigmoid", name="output", dtype="float32"),
        ],
        name="feature_classifier",
    )


def build_frozen_base_model(base, units: int = 132):
    """Methods 2 and 3: the base, Flatten, Dense(units, relu), Dense(1, sigmoid).

    The base is not frozen here: the notebook does it, to show the trainable counts change.
    """
    return keras.Sequential(
        [
            base,
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(units, activation="relu", name="head_dense"),
            keras.layers.Dense(1, activation="sigmoid", name="head_output",
                               dtype="float32"),  # stable loss under bfloat16 too
        ],
        name="santa_classifier",
    )


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


def array_batches(inputs: np.ndarray, labels: np.ndarray, batch_size: int):
    """In-memory arrays as batches in order, for ``evaluate`` (see :func:`steady_threads`)."""
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((inputs, labels)).batch(batch_size)
    return steady_threads(dataset.prefetch(1))


def training_dataset(split: Split, batch_size: int, augment=None, seed: int = 0,
                     repeat: bool = False):
    """Shuffled batches of (preprocessed image, label); every image once per epoch.

    ``augment`` (from :func:`santa_lib.augment.augmentation`) is applied to raw pixels before
    preprocessing, freshly for every batch: the data set is never cached after augmentation.
    One batch is prepared while the model trains on the previous one (see
    :func:`steady_threads`).
    """
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((split.images, split.labels))
    dataset = dataset.shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(batch_size)

    def prepare(images, labels):
        images = tf.cast(images, "float32")
        if augment is not None:
            images = augment(images, training=True)
        return preprocess_images(images), labels

    return steady_threads(dataset.map(prepare).prefetch(1))


def split_frozen(model):
    """Split a base-plus-head model into its frozen front and the trainable rest.

    Returns ``(front, rest)``: ``front`` maps images to the output of the last frozen layer of
    the base (the whole base when it is frozen), ``rest`` maps that output to the prediction,
    sharing the model's own layers and weights. None when nothing at the front is frozen.
    """
    base, head = model.layers[0], model.layers[1:]
    layers = [layer for layer in base.layers if not isinstance(layer, keras.layers.InputLayer)]
    if base.trainable and any(layer.trainable for layer in layers):
        first = next(i for i, layer in enumerate(layers) if layer.trainable)
        if first == 0:
            return None
        frozen_end = layers[first - 1]
        front = keras.Model(base.input, frozen_end.output,
                            name=f"{base.name}_to_{frozen_end.name}")
        tail = layers[first:]
    else:
        front, tail = base, []
    inputs = keras.Input(front.output_shape[1:])
    outputs = inputs
    for layer in [*tail, *head]:
        outputs = layer(outputs)
    return front, keras.Model(inputs, outputs, name="trainable_rest")


class FrozenFrontValidation(keras.callbacks.Callback):
    """Validation scores from the frozen front's outputs, computed once.

    The frozen front of the model gives the same output for a validation image in every epoch,
    so it runs once (through the feature cache); each epoch only the trainable rest runs. The
    scores land in the logs as ``val_loss`` and ``val_accuracy``, as with ``validation_data``.

    The rest is called directly, batch by batch, rather than compiled and ``evaluate``-d: a
    compiled evaluation would be one more graph for TensorFlow to trace per ``fit``, and in short
    runs (smoke parameters) that many traces in a few calls prints TensorFlow's "excessive
    retracing" warning into the notebook.
    """

    def __init__(self, rest, inputs: np.ndarray, labels: np.ndarray, batch_size: int = 100):
        super().__init__()
        self.rest, self.inputs, self.labels, self.batch_size = rest, inputs, labels, batch_size

    def on_epoch_end(self, epoch, logs=None):
        probabilities = np.concatenate([
            np.asarray(self.rest(self.inputs[start:start + self.batch_size], training=False))
            for start in range(0, len(self.inputs), self.batch_size)
        ]).reshape(-1, 1)
        labels = self.labels.reshape(-1, 1).astype("float32")
        # the whole model's loss and metric: binary cross-entropy, accuracy at 0.5
        loss = keras.losses.binary_crossentropy(labels, probabilities)
        if logs is not None:
            logs["val_loss"] = float(np.mean(loss))
            logs["val_accuracy"] = float(np.mean((probabilities > 0.5) == (labels > 0.5)))


def fit_on_images(model, train: Split, validation: Split, epochs: int, batch_size: int,
                  augment=None, seed: int = 0, steps_per_epoch: int | None = None):
    """Train ``model`` on (augmented) images, validating on the unaugmented validation split.

    ``steps_per_epoch=None`` runs every training image once per epoch (the last batch may be
    smaller); a number caps the steps, for quick smoke runs. Validation runs the frozen part of
    the model once, not every epoch (:class:`FrozenFrontValidation`); the scores are the same.
    """
    dataset = training_dataset(train, batch_size, augment, seed, repeat=steps_per_epoch is not None)
    split = split_frozen(model)
    if split is None:
        validation_args = dict(validation_data=array_batches(
            preprocess_images(validation.images), validation.labels, max(batch_size, 50)))
        callbacks = []
    else:
        front, rest = split
        inputs, _ = cached_outputs(front, validation.images)
        validation_args = {}
        callbacks = [FrozenFrontValidation(rest, inputs, validation.labels, 100)]
    return model.fit(
        dataset,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        callbacks=callbacks,
        shuffle=False,  # the data set shuffles itself, every epoch
        verbose=2,
        **validation_args,
    )


def save_model(model, path: str | os.PathLike) -> Path:
    """Save a model as a ``.keras`` file atomically (a concurrent reader never sees half a file)."""
    return atomic_write(path, lambda temp: model.save(temp))


def load_model(path: str | os.PathLike):
    """Load a ``.keras`` model saved by :func:`save_model`."""
    return keras.models.load_model(path)


def flatten_features(features: np.ndarray) -> np.ndarray:
    """(n, 2, 2, 512) -> (n, 2048): the input layout of method 1's classifier."""
    return features.reshape(len(features), -1)


def head_model_path(base, train: Split, validation: Split, *, epochs: int, batch_size: int,
                    learning_rate: float, steps_per_epoch: int | None, seed: int,
                    cache_dir: str | os.PathLike | None = None) -> Path:
    """Where notebook 02 saves its trained model and notebook 03 looks for it.

    The name is a key of everything that determines that model (images, the base's weights and
    the training settings), so notebook 03 never starts from a model trained on other terms.
    """
    key = cache_key(
        "method2-v2",
        arrays_fingerprint([train.images, train.labels, validation.images]),
        weights_fingerprint(base),
        base.dtype_policy.name,
        epochs, batch_size, learning_rate, steps_per_epoch, seed,
    )
    return Path(cache_dir or default_cache_dir()) / "models" / f"method2-{key}.keras"
