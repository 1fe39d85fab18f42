"""Grad-CAM: where in a picture the model looks for its answer (home notebook: 03_fine_tuning).

Grad-CAM (Selvaraju et al., 2017) takes one convolutional layer, by default VGG19's last,
``block5_conv4``, and asks how the class score changes with each of its channels. Each channel's
weight is the mean gradient of the score over the layer's positions; the heatmap is the
weighted sum of the channels, with negative values cut to zero (``relu``), scaled to [0, 1] and
stretched to the picture's size. At the lesson's 64x64 input ``block5_conv4`` is 4x4, so the
maps are coarse: sixteen cells, each covering a 16x16-pixel patch of the picture.

The lesson's model is a ``Sequential`` holding the VGG19 base as a nested functional ``Model``,
starting from raw 0-255 pixels (the preprocessing is its first layer). Keras 3 does not let us
ask such a model for an inner layer's output directly (``"graph disconnected"``, ``"layer has
never been called"``, ``"has no defined input"``), so :func:`gradient_models` re-wires the same
layers, with the same weights, into two new functional models that meet at the chosen layer:
the gradient is taken with respect to the second one's input. It works the same on a model
reloaded with ``keras.models.load_model`` and under the ``mixed_bfloat16`` policy (the maths here
is done in float32), and on every Keras backend: the scores are Keras ops, the heatmaps NumPy,
and only the gradient itself is the backend's (:func:`santa_lib.internals.backend.input_gradient`).
"""

from __future__ import annotations

from typing import Literal

import keras
import numpy as np

from santa_lib.freezing import nested_base
from santa_lib.internals.backend import input_gradient

Target = Literal["predicted", "santa", "not_santa"]
TARGETS: tuple[str, ...] = ("predicted", "santa", "not_santa")


def conv_layer_names(model) -> list[str]:
    """Names of every 2-D convolution in ``model`` and in the models nested in it, in order."""
    names = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            names.extend(conv_layer_names(layer))
        elif isinstance(layer, keras.layers.Conv2D):
            names.append(layer.name)
    return names


def _layer_names(model) -> set[str]:
    return {layer.name for layer in model.layers}


def find_base(model, layer_name: str):
    """The layer of ``model`` holding ``layer_name``: a nested ``Model`` (the base), or ``None``.

    ``None`` means the layer sits directly in ``model``. A clear ``ValueError`` listing the
    convolutional layers is raised when no layer of that name exists.
    """
    base = nested_base(model)
    if base is not None and layer_name in _layer_names(base):
        return base
    if layer_name in _layer_names(model):
        return None
    convs = conv_layer_names(model)
    raise ValueError(
        f"no layer named {layer_name!r} in {model.name} or in a model nested in it. "
        f"Its convolutional layers are: {', '.join(convs) or '(none)'}; "
        "Grad-CAM usually takes the last one."
    )


def _input_shape(model) -> tuple:
    try:
        return tuple(model.input_shape[1:])
    except (AttributeError, ValueError):
        first = next(layer for layer in model.layers
                     if not isinstance(layer, keras.layers.InputLayer))
        return tuple(first.input_shape[1:])


def _chain(model) -> list:
    """``model``'s layers in order, with the layers of its nested base in place of the base."""
    base = nested_base(model)
    chain = []
    for layer in model.layers:
        inner = base.layers if layer is base else [layer]
        chain.extend(item for item in inner if not isinstance(item, keras.layers.InputLayer))
    return chain


def gradient_models(model, layer_name: str = "block5_conv4"):
    """``(front, back)``: the same layers and weights as ``model``, cut after ``layer_name``.

    ``model`` must be a chain of layers (a ``Sequential``, as in the lesson); ``layer_name`` may
    sit in a model nested in it (the base) or directly in it. ``front`` takes what ``model``
    takes and returns the layer's output; ``back`` takes that output and returns the input of the
    last layer (the head's features, from which the score's logit is computed) and the
    prediction, so ``back(front(images))[1]`` equals ``model(images)``.
    """
    find_base(model, layer_name)  # a clear error for a name the model does not have
    chain = _chain(model)
    cut = next(index for index, layer in enumerate(chain) if layer.name == layer_name) + 1
    inputs = keras.Input(shape=_input_shape(model), name="pictures")
    outputs = inputs
    for layer in chain[:cut]:
        outputs = layer(outputs)
    front = keras.Model(inputs, outputs, name=f"{model.name}_to_{layer_name}")
    conv_input = keras.Input(shape=tuple(outputs.shape[1:]), name=f"{layer_name}_output")
    outputs, last_input = conv_input, conv_input
    for layer in chain[cut:]:
        last_input = outputs
        outputs = layer(outputs)
    back = keras.Model(conv_input, [last_input, outputs], name=f"{model.name}_from_{layer_name}")
    return front, back


def gradient_model(model, layer_name: str = "block5_conv4"):
    """One model with three outputs: ``layer_name``'s output, the last layer's input and the
    prediction, equal to ``model(images)`` (:func:`gradient_models` joined back together)."""
    front, back = gradient_models(model, layer_name)
    inputs = keras.Input(shape=_input_shape(model), name="pictures")
    conv_output = front(inputs)
    return keras.Model(inputs, [conv_output, *back(conv_output)],
                       name=f"{model.name}_gradcam_{layer_name}")


def santa_score(last_layer, last_input, prediction) -> tuple:
    """The score for 'santa' per picture, and whether it is a logit: ``(scores, is_logit)``.

    When the model ends in ``Dense(1, sigmoid)``, as the lesson's does, the score is the
    log-odds of 'santa', computed in float32 from the last layer's input and weights: the score
    before the final squashing, as Grad-CAM's authors recommend. For one picture its gradient
    is the gradient of P(santa) times the positive factor ``1 / (P (1 - P))``, so the heatmap,
    scaled to [0, 1], is the same; but it does not vanish when a confident prediction rounds P
    to exactly 1.0 in float32. Any other last layer: the score is P(santa) itself.
    """
    ops = keras.ops
    is_sigmoid_dense = (isinstance(last_layer, keras.layers.Dense)
                        and last_layer.activation is keras.activations.sigmoid)
    if not is_sigmoid_dense:
        return ops.reshape(ops.cast(prediction, "float32"), (-1,)), False
    logit = ops.matmul(ops.cast(last_input, "float32"), ops.cast(last_layer.kernel, "float32"))
    if last_layer.use_bias:
        logit = logit + ops.cast(last_layer.bias, "float32")
    return ops.reshape(logit, (-1,)), True


def _check_target(target: str) -> str:
    if target not in TARGETS:
        raise ValueError(f"target must be one of {list(TARGETS)}, got {target!r}.")
    return target


def _class_score(santa_scores, is_logit: bool, probability, target: str):
    """The score of the target class: for 'not_santa', minus the logit, or 1 - P."""
    ops = keras.ops
    if target == "santa":
        wants_santa = ops.ones_like(probability, dtype="bool")
    elif target == "not_santa":
        wants_santa = ops.zeros_like(probability, dtype="bool")
    else:  # predicted: santa when P(santa) > 0.5, as Keras' accuracy counts it
        wants_santa = ops.greater(probability, 0.5)
    other = -santa_scores if is_logit else 1.0 - santa_scores
    return ops.where(wants_santa, santa_scores, other)


def _heatmaps_of_batch(front, back, last_layer, images: np.ndarray,
                       target: str) -> np.ndarray:
    """Coarse heatmaps (n, h, w) in [0, 1] for one batch, at the conv layer's resolution."""
    conv_output = np.asarray(keras.ops.convert_to_numpy(
        front(images.astype("float32"), training=False)), dtype="float32")

    def class_scores(conv):
        last_input, prediction = back(conv, training=False)
        santa_scores, is_logit = santa_score(last_layer, last_input, prediction)
        probability = keras.ops.reshape(keras.ops.cast(prediction, "float32"), (-1,))
        return _class_score(santa_scores, is_logit, probability, target)

    gradients = input_gradient(class_scores, conv_output)
    channel_weights = gradients.mean(axis=(1, 2), keepdims=True)
    heatmaps = np.maximum((channel_weights * conv_output).sum(axis=-1), 0.0)
    peaks = heatmaps.max(axis=(1, 2), keepdims=True)
    return np.divide(heatmaps, peaks, out=np.zeros_like(heatmaps), where=peaks > 0)


def gradcam_heatmaps(model, images: np.ndarray, layer_name: str = "block5_conv4",
                     target: Target = "predicted", batch_size: int = 32) -> np.ndarray:
    """Grad-CAM heatmaps of ``images`` (raw 0-255 RGB, as the model takes them): ``(n, H, W)``.

    ``target`` chooses the score whose gradient is followed:

    - ``"predicted"`` (default): the class the model predicts for each picture, so the map
      shows what made it say what it said (right or wrong);
    - ``"santa"``: the evidence for Santa, whatever was predicted;
    - ``"not_santa"``: the evidence against Santa.

    The score is the log-odds of the class (see :func:`santa_score`). Each map is scaled so
    its largest value is 1; a map with no positive evidence is all zeros. Maps are stretched
    bilinearly from the layer's grid (4x4 for ``block5_conv4`` at 64x64) to the pictures' size.
    """
    _check_target(target)
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be a batch (n, height, width, 3), got shape {images.shape}.")
    front, back = gradient_models(model, layer_name)
    last_layer = model.layers[-1]
    height, width = images.shape[1:3]
    maps = []
    for start in range(0, len(images), batch_size):
        coarse = _heatmaps_of_batch(front, back, last_layer, images[start:start + batch_size],
                                    target)
        fine = keras.ops.image.resize(coarse[..., None], (height, width),
                                      interpolation="bilinear")
        maps.append(np.clip(keras.ops.convert_to_numpy(fine)[..., 0], 0.0, 1.0))
    if not maps:
        return np.zeros((0, height, width), dtype="float32")
    return np.concatenate(maps).astype("float32")
