"""Frozen and trainable parts of the lesson's model (home notebooks: 02 and 03).

The notebooks set ``trainable`` themselves (``base.trainable = False``, then a loop over
``base.layers`` that unfreezes from a layer name on); this module holds what is not the lesson's
point: cutting a model into its frozen front and trainable rest, so that the front's output on
the never-changing validation pictures is computed once
(:class:`santa_lib.training.FrozenFrontValidation`).
"""

from __future__ import annotations


def nested_base(model):
    """The convolutional base inside ``model``: its first layer that is itself a Keras model
    (VGG19 in the lesson's models), or None when it has none."""
    import keras

    return next((layer for layer in model.layers if isinstance(layer, keras.Model)), None)


def frozen_front_and_rest(model):
    """Cut ``model`` where training starts: ``(front, rest)``, or None when nothing is frozen.

    ``front`` maps the model's input (raw pictures) to the output of the last frozen layer of
    its nested base, including the layers before the base (such as preprocessing); ``rest`` maps
    that output to the prediction. Both share the model's own layers and weights, so ``rest``
    follows the training of ``model``.
    """
    import keras

    base = nested_base(model)
    if base is None:
        raise ValueError(f"{model.name} has no nested base model; its layers are "
                         f"{[layer.name for layer in model.layers]}.")
    position = model.layers.index(base)
    base_layers = [layer for layer in base.layers
                   if not isinstance(layer, keras.layers.InputLayer)]
    first_trainable = next((i for i, layer in enumerate(base_layers)
                            if base.trainable and layer.trainable), len(base_layers))
    if first_trainable == 0:
        return None
    if first_trainable == len(base_layers):  # the whole base is frozen: it stays one layer
        frozen, trainable = [*model.layers[:position], base], model.layers[position + 1:]
    else:
        frozen = [*model.layers[:position], *base_layers[:first_trainable]]
        trainable = [*base_layers[first_trainable:], *model.layers[position + 1:]]
    inputs = keras.Input(model.input_shape[1:])
    outputs = inputs
    for layer in frozen:
        outputs = layer(outputs)
    front = keras.Model(inputs, outputs, name=f"{model.name}_frozen_front")
    rest_inputs = keras.Input(front.output_shape[1:])
    outputs = rest_inputs
    for layer in trainable:
        outputs = layer(outputs)
    return front, keras.Model(rest_inputs, outputs, name=f"{model.name}_trainable_rest")
