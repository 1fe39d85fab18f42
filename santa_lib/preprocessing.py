"""VGG19's input preprocessing as a layer, so models take pictures as they are (notebooks 01-03).

The ImageNet weights of VGG19 were trained on pictures in one particular form: colour channels in
BGR order, with the ImageNet mean of each channel subtracted
(``keras.applications.vgg19.preprocess_input``). Putting that step inside the model, as its first
layer, means a saved model reloaded anywhere takes raw 0-255 RGB pixels: ``model.predict(photo)``
and ``model.evaluate(images, labels)`` need no extra step, and nobody can forget it.

The layer is registered with Keras, so ``keras.models.load_model`` rebuilds it from a ``.keras``
file once this module has been imported (``import santa_lib.preprocessing``).
"""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="santa_lib")
class VGG19Preprocessing(keras.layers.Layer):
    """``keras.applications.vgg19.preprocess_input`` as a layer: raw RGB 0-255 in, BGR centred out.

    It has no weights, so it changes no parameter or trainable-tensor count. It computes in
    float32 under any dtype policy (a mixed-precision model casts its output for the next layer).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("dtype", "float32")
        super().__init__(**kwargs)

    def call(self, images):
        return keras.applications.vgg19.preprocess_input(keras.ops.cast(images, "float32"))

    def compute_output_shape(self, input_shape):
        return input_shape
