"""Pictures for the lesson: sample images and training curves (home notebooks: 00 and 01)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from santa_lib.data import Split


def history_dict(history) -> dict[str, list[float]]:
    """The per-epoch metrics of a Keras ``History`` (or an already plain dict)."""
    values = getattr(history, "history", history)
    if not isinstance(values, Mapping):
        raise TypeError(
            f"expected a keras History or a dict of lists, got {type(history).__name__}")
    return {key: list(map(float, series)) for key, series in values.items()}


def plot_history(history, title: str = "Training curves"):
    """Accuracy and loss per epoch, training (dots) against validation (line), side by side.

    Returns the figure (closed, so a notebook shows it once, as the cell's value).
    """
    import matplotlib.pyplot as plt

    values = history_dict(history)
    missing = [key for key in ("accuracy", "loss", "val_accuracy", "val_loss") if key not in values]
    if missing:
        raise ValueError(
            f"history lacks {missing}: train with metrics=['accuracy'] and validation data. "
            f"It has {sorted(values)}."
        )
    epochs = np.arange(1, len(values["loss"]) + 1)
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    for axis, metric in zip(axes, ("accuracy", "loss"), strict=True):
        axis.plot(epochs, values[metric], "o", label=f"training {metric}")
        axis.plot(epochs, values[f"val_{metric}"], "-", label=f"validation {metric}")
        axis.set_xlabel("epoch")
        axis.set_title(metric.capitalize())
        axis.set_xticks(epochs if len(epochs) <= 20 else epochs[:: max(1, len(epochs) // 10)])
        axis.legend()
    figure.suptitle(title)
    figure.tight_layout()
    plt.close(figure)
    return figure


def sample_grid(split: Split, per_class: int = 6, seed: int = 0,
                class_titles: Sequence[str] | None = None):
    """A grid with ``per_class`` random images of each class, one row per class."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    titles = class_titles or split.class_names
    figure, axes = plt.subplots(len(split.class_names), per_class,
                                figsize=(1.6 * per_class, 1.8 * len(split.class_names)),
                                squeeze=False)
    for label, row in enumerate(axes):
        indices = np.flatnonzero(split.labels == label)
        chosen = rng.choice(indices, size=min(per_class, len(indices)), replace=False)
        for axis in row:
            axis.axis("off")
        for axis, index in zip(row, chosen, strict=False):
            axis.imshow(split.images[index])
            axis.set_title(titles[label], fontsize=9)
    figure.suptitle(f"{split.name}: {per_class} random images per class")
    figure.tight_layout()
    plt.close(figure)
    return figure


def augmentation_grid(split: Split, augment, index: int = 0, count: int = 6):
    """One training image and ``count - 1`` random augmentations of it, in a row."""
    import matplotlib.pyplot as plt

    image = split.images[index].astype("float32")
    batch = np.repeat(image[None], count - 1, axis=0)
    augmented = np.asarray(augment(batch, training=True))
    figure, axes = plt.subplots(1, count, figsize=(1.6 * count, 2.0))
    for axis, picture, title in zip(axes, [image, *augmented],
                                    ["original"] + ["augmented"] * (count - 1), strict=True):
        axis.imshow(np.clip(picture, 0, 255).astype("uint8"))
        axis.set_title(title, fontsize=9)
        axis.axis("off")
    figure.tight_layout()
    plt.close(figure)
    return figure
