"""Freezing and unfreezing layers, and seeing what will train (home notebooks: 02 and 03).

A frozen layer keeps its weights: the optimizer never sees them. In Keras that is the
``trainable`` flag, and a change only takes effect for training after ``compile`` is called again.
"""

from __future__ import annotations


def count_trainable_tensors(model) -> int:
    """How many weight tensors (kernels and biases) the optimizer will update."""
    return len(model.trainable_weights)


def freeze(model) -> None:
    """Freeze every layer of ``model`` (typically the convolutional base)."""
    model.trainable = False


def unfreeze_from(base, layer_name: str) -> list[str]:
    """Make ``layer_name`` and every layer after it trainable, and freeze all earlier layers.

    Layers are chosen by name, never by position, so the choice survives changes to the model.
    Returns the names of the layers that are now trainable.
    """
    names = [layer.name for layer in base.layers]
    if layer_name not in names:
        raise ValueError(
            f"no layer named {layer_name!r} in {base.name}; its layers are: {', '.join(names)}."
        )
    base.trainable = True
    start = names.index(layer_name)
    for index, layer in enumerate(base.layers):
        layer.trainable = index >= start
    return [layer.name for layer in base.layers[start:]]


def trainable_table(model) -> str:
    """A plain-text table: each layer's name, type, ``trainable`` flag and trainable tensors."""
    rows = [("layer", "type", "trainable", "tensors")]
    for layer in model.layers:
        rows.append((layer.name, type(layer).__name__, str(layer.trainable),
                     str(len(layer.trainable_weights))))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             .rstrip() for row in rows]
    lines.append(f"trainable weight tensors: {count_trainable_tensors(model)}")
    return "\n".join(lines)
