"""What differs between Keras' backends (TensorFlow, JAX, PyTorch), in one place.

The rest of santa_lib is written in Keras and NumPy and runs unchanged whichever backend
``KERAS_BACKEND`` (or ``~/.keras/keras.json``) chooses; TensorFlow is the default. Each concern
that needs a backend's own code is one function here:

- :func:`describe`: the backend and the device it computes on, in words (the set-up cell);
- :func:`compiled_forward`: ``model(images, training=False)`` as one compiled call per batch;
- :func:`input_gradient`: the gradient of a sum of scores with respect to their input
  (Grad-CAM);
- :func:`gpu_capabilities`: the compute capabilities of the NVIDIA GPUs the backend sees
  (whether bfloat16 is native).

Only TensorFlow's branches import TensorFlow, so a JAX or PyTorch machine needs none.
"""

from __future__ import annotations

import weakref

import keras
import numpy as np

_FORWARD_CALLS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def name() -> str:
    """The Keras backend in use: ``"tensorflow"``, ``"jax"`` or ``"torch"``."""
    return keras.backend.backend()


def _cpu() -> str:
    """The CPU, named: a figure's speed (and its last digits) belong to the machine."""
    from santa_lib.internals.environment import machine

    return f"the CPU, {machine()}"


def _device() -> str:
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        return f"{len(gpus)} GPU{'s' if len(gpus) > 1 else ''}" if gpus else _cpu()
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return _cpu() if device.platform == "cpu" else f"a {device.device_kind} GPU"
    if backend == "torch":
        import torch

        if torch.cuda.is_available():
            return f"a {torch.cuda.get_device_name(0)} GPU"
        return _cpu()
    return "its default device"


def describe() -> str:
    """``"Keras 3.15.1 on TensorFlow, on the CPU, Intel(R) Xeon(R) Processor, 2 cores (...)."``:
    what the set-up cell prints first."""
    shown = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}.get(name(), name())
    return f"Keras {keras.__version__} on {shown}, on {_device()}."


def compiled_forward(model):
    """``model(images, training=False)`` as one compiled call, made once per model; returns a
    float32 NumPy array whatever the model computes in.

    On TensorFlow, a ``tf.function`` called directly: far less overhead per batch than
    ``predict()`` on a small CPU, which keeps both cores busy (docs/development.md, "Both
    cores"). On JAX and PyTorch, Keras' own ``predict_on_batch``, compiled by Keras once.
    """
    if model in _FORWARD_CALLS:
        return _FORWARD_CALLS[model]
    # through a weak reference: a function holding the model would keep its key alive
    model_ref = weakref.ref(model)
    if name() == "tensorflow":
        import tensorflow as tf

        @tf.function
        def graph_call(batch):
            return tf.cast(model_ref()(batch, training=False), tf.float32)

        def forward(batch):
            return np.asarray(graph_call(batch))

        forward.graph = graph_call  # its traces can be counted
    else:
        def forward(batch):
            outputs = model_ref().predict_on_batch(batch)
            return np.asarray(keras.ops.convert_to_numpy(outputs), dtype="float32")
    _FORWARD_CALLS[model] = forward
    return forward


def input_gradient(function, inputs: np.ndarray) -> np.ndarray:
    """The gradient of ``sum(function(x))`` with respect to ``x``, at ``x = inputs`` (float32).

    ``function`` is written in Keras ops (it may call Keras models); with scores that do not
    mix the pictures of a batch, each picture's slice is the gradient of its own score.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(inputs)
        with tf.GradientTape() as tape:
            tape.watch(x)
            total = tf.reduce_sum(function(x))
        gradient = tape.gradient(total, x)
    elif backend == "jax":
        import jax
        import jax.numpy as jnp

        gradient = jax.grad(lambda x: jnp.sum(function(x)))(jnp.asarray(inputs))
    elif backend == "torch":
        x = keras.ops.convert_to_tensor(inputs).detach().requires_grad_(True)
        function(x).sum().backward()
        gradient = x.grad
    else:
        raise NotImplementedError(f"no gradient for Keras' {backend!r} backend")
    return np.asarray(keras.ops.convert_to_numpy(gradient), dtype="float32")


def gpu_capabilities() -> list[tuple[int, int]]:
    """``(major, minor)`` compute capability of each NVIDIA GPU the backend sees."""
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        found = []
        for gpu in tf.config.list_physical_devices("GPU"):
            capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
            if capability:
                found.append(tuple(capability))
        return found
    if backend == "jax":
        import jax

        return [tuple(int(part) for part in str(device.compute_capability).split(".")[:2])
                for device in jax.devices() if getattr(device, "compute_capability", None)]
    if backend == "torch":
        import torch

        return [tuple(torch.cuda.get_device_capability(index))
                for index in range(torch.cuda.device_count())]
    return []
