"""Pictures for the lesson (home notebooks: 00 and 01; what each method learned: 01-04).

- the data and training: :func:`sample_grid` (00), :func:`augmentation_grid` (02),
  :func:`plot_history` (01-03);
- what each method learned: :func:`plot_confusion_matrix`, :func:`misclassified_gallery`
  (with :mod:`santa_lib.evaluation`), :func:`gradcam_grid` (with :mod:`santa_lib.gradcam`).

The three methods side by side are drawn by :func:`santa_lib.comparison.comparison_chart`.

Every function returns its figure closed, so a notebook shows it once, as the cell's value.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import numpy as np

from santa_lib.data import Split
from santa_lib.internals.results import history_values, scored_epoch


def plot_history(history, title: str = "Training curves", earlier=None,
                 earlier_label: str = "head training"):
    """Accuracy and loss per epoch, training (dots) against validation (line), side by side,
    with the epoch whose weights were kept marked (the best validation accuracy).

    ``earlier``: the history of a training this one continued (notebook 03: the head's), drawn
    first and shaded, so both phases read as one run; each phase numbers its own epochs from 1,
    as the sentences under the figure do. Returns the figure (closed, so a notebook shows it
    once, as the cell's value).
    """
    import matplotlib.pyplot as plt

    values = _checked_history(history)
    before = _checked_history(earlier) if earlier is not None else {}
    first = len(before.get("loss", []))
    joined = {key: before.get(key, []) + values[key] for key in values}
    positions = np.arange(1, len(joined["loss"]) + 1)
    numbers = [*range(1, first + 1), *range(1, len(values["loss"]) + 1)]
    kept = scored_epoch(values)
    phase = "fine-tuning epoch" if first else "epoch"
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
    for axis, metric in zip(axes, ("accuracy", "loss"), strict=True):
        axis.plot(positions, joined[metric], "o", label=f"training {metric}")
        axis.plot(positions, joined[f"val_{metric}"], "-", label=f"validation {metric}")
        axis.axvline(first + kept, color="tab:green", linestyle=":", label=f"kept: {phase} {kept}")
        if first:
            axis.axvspan(0.5, first + 0.5, color="gray", alpha=0.12, label=earlier_label)
        axis.set_xlabel(f"epoch ({earlier_label}, then fine-tuning)" if first else "epoch")
        axis.set_title(metric.capitalize())
        step = 1 if len(positions) <= 20 else max(1, len(positions) // 10)
        axis.set_xticks(positions[::step], [str(number) for number in numbers[::step]])
        axis.legend(fontsize=8)
    figure.suptitle(title)
    plt.close(figure)
    return figure


def _checked_history(history) -> dict[str, list[float]]:
    values = history_values(history)
    missing = [key for key in ("accuracy", "loss", "val_accuracy", "val_loss") if key not in values]
    if missing:
        raise ValueError(
            f"history lacks {missing}: train with metrics=['accuracy'] and validation data. "
            f"It has {sorted(values)}."
        )
    return values


def sample_grid(split: Split, per_class: int = 6, seed: int = 0,
                class_titles: Sequence[str] | None = None):
    """A grid with ``per_class`` random images of each class, one row per class."""
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(seed)
    titles = class_titles or split.class_names
    rows = len(split.class_names)
    figure, axes = plt.subplots(rows, per_class, figsize=(1.6 * per_class, 2.0 * rows + 0.5),
                                squeeze=False, layout="constrained")
    for label, row in enumerate(axes):
        indices = np.flatnonzero(split.labels == label)
        chosen = rng.choice(indices, size=min(per_class, len(indices)), replace=False)
        for axis in row:
            axis.axis("off")
        for axis, index in zip(row, chosen, strict=False):
            axis.imshow(split.images[index])
            axis.set_title(titles[label], fontsize=9)
    figure.suptitle(f"{split.name}: {per_class} random images per class")
    plt.close(figure)
    return figure


def augmentation_grid(split: Split, augment, index: int = 0, count: int = 6):
    """One training image and ``count - 1`` random augmentations of it, in a row."""
    import matplotlib.pyplot as plt

    image = split.images[index].astype("float32")
    batch = np.repeat(image[None], count - 1, axis=0)
    import keras

    augmented = keras.ops.convert_to_numpy(augment(batch, training=True))
    figure, axes = plt.subplots(1, count, figsize=(1.6 * count, 2.0))
    for axis, picture, title in zip(axes, [image, *augmented],
                                    ["original"] + ["augmented"] * (count - 1), strict=True):
        axis.imshow(np.clip(picture, 0, 255).astype("uint8"))
        axis.set_title(title, fontsize=9)
        axis.axis("off")
    figure.tight_layout()
    plt.close(figure)
    return figure


GALLERY_LIMIT = 16
"""The most pictures :func:`misclassified_gallery` shows."""


def plot_confusion_matrix(matrix: np.ndarray,
                          class_names: Sequence[str] = ("not_santa", "santa"),
                          title: str = "Confusion matrix"):
    """Counts of true (rows) against predicted (columns) classes, with each row's share.

    Cells are shaded by their share of the row, so a class with fewer pictures reads the same;
    row labels give each class's total, and the title the overall accuracy.
    """
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix, dtype="int64")
    size = len(class_names)
    if matrix.shape != (size, size):
        raise ValueError(f"a confusion matrix for {size} classes is {size}x{size}, "
                         f"got shape {matrix.shape}.")
    row_totals = matrix.sum(axis=1)
    shares = matrix / np.maximum(row_totals, 1)[:, None]
    total, correct = int(matrix.sum()), int(np.trace(matrix))
    figure, axis = plt.subplots(figsize=(4.4, 3.8))
    axis.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for (row, column), count in np.ndenumerate(matrix):
        axis.text(column, row, f"{count}\n{shares[row, column]:.0%}", ha="center",
                  va="center", fontsize=13, color="white" if shares[row, column] > 0.5 else "black")
    axis.set_xticks(range(size), [f"predicted\n{name}" for name in class_names])
    axis.set_yticks(range(size), [f"true {name}\n({count} pictures)"
                                  for name, count in zip(class_names, row_totals, strict=True)])
    axis.tick_params(length=0)
    accuracy = f"accuracy {correct / total:.3f}" if total else "no pictures"
    axis.set_title(f"{title}\n{correct} of {total} right, {accuracy}", fontsize=11)
    figure.tight_layout()
    plt.close(figure)
    return figure


def _probability_label(class_name: str, probability: float, threshold: float = 0.5) -> str:
    """``"P(santa)=0.12"``: two decimals, more where two would round onto the threshold and hide
    which side of it the value is; ``"P(santa)<0.01"`` / ``">0.99"``, never a rounded 0 or 1."""
    text = f"{probability:.2f}"
    digits = 2
    while float(text) == threshold and probability != threshold and digits < 6:
        digits += 1
        text = f"{probability:.{digits}f}"
    if text == "0.00" and probability > 0:
        return f"P({class_name})<0.01"
    elif text == "1.00" and probability < 1:
        return f"P({class_name})>0.99"
    return f"P({class_name})={text}"


def _message_figure(title: str, message: str):
    """A small figure that says, in words, why there is nothing to draw."""
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6.0, 1.6))
    axis.axis("off")
    axis.text(0.5, 0.5, textwrap.fill(message, 70), ha="center", va="center", fontsize=11,
              transform=axis.transAxes)
    figure.suptitle(title)
    figure.tight_layout()
    plt.close(figure)
    return figure


def misclassified_gallery(split: Split, probabilities: np.ndarray, indices: Sequence[int],
                          class_names: Sequence[str] | None = None,
                          title: str = "Misclassified pictures, most confidently wrong first",
                          columns: int = 8, threshold: float = 0.5):
    """The pictures at ``indices`` (at most 16, in the order given), each titled with its true
    class and the model's P(santa), e.g. ``"true santa\\nP(santa)=0.12"``.

    ``probabilities`` holds P(santa) for every picture of ``split``; ``indices`` usually comes
    from :func:`santa_lib.evaluation.misclassified`. The subtitle says how many pictures are
    wrong in all; with nothing to show, the figure says so in words.
    """
    import matplotlib.pyplot as plt

    probabilities = np.asarray(probabilities, dtype="float64").reshape(-1)
    if len(probabilities) != len(split):
        raise ValueError(f"{len(probabilities)} probabilities for the {len(split)} pictures of "
                         f"{split.name}: give one per picture, in the split's order.")
    names = tuple(class_names or split.class_names)
    wrong = int(np.sum((probabilities > threshold) != (split.labels > 0.5)))
    shown = np.asarray(indices, dtype="int64").reshape(-1)[:GALLERY_LIMIT]
    if len(shown) == 0:
        message = (f"Nothing misclassified: all {len(split)} {split.name} pictures are "
                   "predicted correctly." if wrong == 0 else
                   f"No pictures chosen ({wrong} of the {len(split)} {split.name} pictures "
                   "are misclassified).")
        return _message_figure(title, message)
    columns = min(columns, len(shown))
    rows = math.ceil(len(shown) / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.95 * rows + 0.7),
                                squeeze=False)
    for axis in axes.flat:
        axis.axis("off")
    for axis, index in zip(axes.flat, shown, strict=False):
        axis.imshow(split.images[index])
        axis.set_title(f"true {names[int(split.labels[index])]}\n"
                       f"{_probability_label(names[1], probabilities[index], threshold)}",
                       fontsize=9)
    figure.suptitle(f"{title}\n{len(shown)} shown; {wrong} of the {len(split)} {split.name} "
                    "pictures are wrong", fontsize=11)
    figure.tight_layout()
    plt.close(figure)
    return figure


def answer_titles(probabilities: np.ndarray, labels: np.ndarray | None = None,
                  class_names: Sequence[str] = ("not_santa", "santa")) -> list[str]:
    """Titles saying the model's P(santa), and, where the true class is known, the true class
    and whether the answer was right or wrong."""
    titles = []
    for index, probability in enumerate(np.asarray(probabilities, dtype="float64").reshape(-1)):
        answer = _probability_label(class_names[1], probability)
        if labels is None:
            titles.append(f"{answer}\nsays {class_names[int(probability > 0.5)]}")
            continue
        truth = int(np.asarray(labels).reshape(-1)[index] > 0.5)
        verdict = "right" if int(probability > 0.5) == truth else "WRONG"
        titles.append(f"true {class_names[truth]}\n{answer}: {verdict}")
    return titles


def gradcam_grid(images: np.ndarray, heatmaps: np.ndarray, titles: Sequence[str] | None = None,
                 columns: int = 4, alpha: float = 0.45,
                 title: str = "Where the model looks (Grad-CAM)"):
    """Each picture above itself with its Grad-CAM heatmap laid over it (``alpha``: opacity).

    ``heatmaps`` are in [0, 1] (from :func:`santa_lib.gradcam.gradcam_heatmaps`); a coarser map
    is stretched over the picture. Red marks what pushed the score up most, blue nothing.
    ``titles`` usually come from :func:`answer_titles`.
    """
    import matplotlib.pyplot as plt

    images, heatmaps = np.asarray(images), np.asarray(heatmaps, dtype="float32")
    if len(images) != len(heatmaps) or len(images) == 0:
        raise ValueError(f"need one heatmap per picture and at least one picture, got "
                         f"{len(images)} pictures and {len(heatmaps)} heatmaps.")
    titles = list(titles) if titles is not None else [""] * len(images)
    columns = min(columns, len(images))
    pairs = math.ceil(len(images) / columns)
    figure, axes = plt.subplots(2 * pairs, columns, squeeze=False, layout="constrained",
                                figsize=(max(2.1 * columns + 0.8, 3.8), 4.0 * pairs + 0.4))
    for axis in axes.flat:
        axis.axis("off")
    heat = None
    for index, (image, heatmap, label) in enumerate(zip(images, heatmaps, titles, strict=True)):
        row, column = 2 * (index // columns), index % columns
        top, bottom = axes[row, column], axes[row + 1, column]
        picture = np.clip(image, 0, 255).astype("uint8")
        extent = (-0.5, picture.shape[1] - 0.5, picture.shape[0] - 0.5, -0.5)
        top.imshow(picture)
        top.set_title(label, fontsize=9)
        if column == 0:
            for axis, name in ((top, "picture"), (bottom, "Grad-CAM")):
                axis.text(-0.06, 0.5, name, rotation=90, ha="right", va="center",
                          fontsize=9, transform=axis.transAxes)
        bottom.imshow(picture)
        heat = bottom.imshow(heatmap, cmap="jet", vmin=0.0, vmax=1.0, alpha=alpha,
                             extent=extent, interpolation="bilinear")
    figure.colorbar(heat, ax=axes.ravel().tolist(), shrink=0.6, pad=0.02,
                    label="heat (0 = none, 1 = most)")
    figure.suptitle(title)
    plt.close(figure)
    return figure
