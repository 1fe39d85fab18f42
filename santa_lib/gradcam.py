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
never been called"``, ``"has no defined input"``), so :func:`gradient_model` re-wires the same
layers, with the same weights, into a new functional model whose outputs include the chosen
layer's. It works the same on a model reloaded with ``keras.models.load_model`` and under the
``mixed_bfloat16`` policy (the maths here is done in float32).
"""

from __future__ import annotations

from typing import Literal

import keras
import numpy as np

from santa_lib.freezing import nested_base

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


def gradient_model(model, layer_name: str = "block5_conv4"):
    """The same layers and weights as ``model``, re-wired to also output ``layer_name``'s output.

    ``model`` must be a chain of layers (a ``Sequential``, as in the lesson); ``layer_name`` may
    sit in a model nested in it (the base) or directly in it. The new functional model takes
    what ``model`` takes and has three outputs: the layer's output, the input of the last layer
    (the head's features, from which the score's logit is computed), and the prediction, equal
    to ``model(images)``.
    """
    base = find_base(model, layer_name)
    inputs = keras.Input(shape=_input_shape(model), name="pictures")
    outputs, conv_output, last_input = inputs, None, None
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    for index, layer in enumerate(layers):
        if index == len(layers) - 1:
            last_input = outputs
        if layer is base:
            inner = keras.Model(base.inputs, [base.get_layer(layer_name).output, *base.outputs],
                                name=f"{base.name}_with_{layer_name}")
            conv_output, outputs = inner(outputs)
        else:
            outputs = layer(outputs)
            if layer.name == layer_name:
                conv_output = outputs
    return keras.Model(inputs, [conv_output, last_input, outputs],
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
    import tensorflow as tf

    is_sigmoid_dense = (isinstance(last_layer, keras.layers.Dense)
                        and last_layer.activation is keras.activations.sigmoid)
    if not is_sigmoid_dense:
        return tf.reshape(tf.cast(prediction, tf.float32), [-1]), False
    logit = tf.matmul(tf.cast(last_input, tf.float32), tf.cast(last_layer.kernel, tf.float32))
    if last_layer.use_bias:
        logit = logit + tf.cast(last_layer.bias, tf.float32)
    return tf.reshape(logit, [-1]), True


def _check_target(target: str) -> str:
    if target not in TARGETS:
        raise ValueError(f"target must be one of {list(TARGETS)}, got {target!r}.")
    return target


def _class_score(santa_scores, is_logit: bool, probability, target: str):
    """The score of the target class: for 'not_santa', minus the logit, or 1 - P."""
    import tensorflow as tf

    if target == "santa":
        wants_santa = tf.ones_like(probability, dtype=tf.bool)
    elif target == "not_santa":
        wants_santa = tf.zeros_like(probability, dtype=tf.bool)
    else:  # predicted: santa when P(santa) > 0.5, as Keras' accuracy counts it
        wants_santa = probability > 0.5
    other = -santa_scores if is_logit else 1.0 - santa_scores
    return tf.where(wants_santa, santa_scores, other)


def _heatmaps_of_batch(grad_model, last_layer, images: np.ndarray, target: str) -> np.ndarray:
    """Coarse heatmaps (n, h, w) in [0, 1] for one batch, at the conv layer's resolution."""
    import tensorflow as tf

    batch = tf.convert_to_tensor(images, dtype=tf.float32)
    with tf.GradientTape() as tape:
        conv_output, last_input, prediction = grad_model(batch, training=False)
        santa_scores, is_logit = santa_score(last_layer, last_input, prediction)
        probability = tf.reshape(tf.cast(prediction, tf.float32), [-1])
        score = _class_score(santa_scores, is_logit, probability, target)
    gradients = tf.cast(tape.gradient(score, conv_output), tf.float32)
    channel_weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    weighted = tf.reduce_sum(channel_weights * tf.cast(conv_output, tf.float32), axis=-1)
    heatmaps = tf.nn.relu(weighted)
    peaks = tf.reduce_max(heatmaps, axis=(1, 2), keepdims=True)
    return np.asarray(tf.math.divide_no_nan(heatmaps, peaks))


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
    import tensorflow as tf

    _check_target(target)
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be a batch (n, height, width, 3), got shape {images.shape}.")
    grad_model = gradient_model(model, layer_name)
    last_layer = model.layers[-1]
    height, width = images.shape[1:3]
    maps = []
    for start in range(0, len(images), batch_size):
        coarse = _heatmaps_of_batch(grad_model, last_layer, images[start:start + batch_size],
                                    target)
        fine = tf.image.resize(coarse[..., None], (height, width), method="bilinear")
        maps.append(np.clip(np.asarray(fine)[..., 0], 0.0, 1.0))
    if not maps:
        return np.zeros((0, height, width), dtype="float32")
    return np.concatenate(maps).astype("float32")
