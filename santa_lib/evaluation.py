"""A trained model's predictions on held-out pictures, and its mistakes (notebooks 01-03).

Given ``model.predict``'s probabilities, :func:`confusion_matrix` and :func:`misclassified` show
which test pictures a method gets wrong, and how wrong (drawn by :mod:`santa_lib.plots`; each of
notebooks 01-03 ends with its method's mistakes); :func:`gradcam_examples` picks pictures for
notebook 03's Grad-CAM.
"""

from __future__ import annotations

import numpy as np

from santa_lib.data import Split


def _checked_pair(labels: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    labels = np.asarray(labels).reshape(-1)
    probabilities = np.asarray(probabilities, dtype="float64").reshape(-1)
    if labels.shape != probabilities.shape:
        raise ValueError(f"{len(labels)} labels but {len(probabilities)} probabilities: "
                         "give one probability per picture.")
    if not np.isin(labels, (0, 1)).all():
        raise ValueError(f"labels must be 0 or 1, got {sorted(set(labels.tolist()))[:5]}.")
    return labels.astype("int64"), probabilities


def predicted_labels(probabilities: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """1 (santa) where P(santa) > ``threshold``, else 0: the rule Keras' ``accuracy`` uses."""
    return (np.asarray(probabilities).reshape(-1) > threshold).astype("int64")


def confusion_matrix(labels: np.ndarray, probabilities: np.ndarray,
                     threshold: float = 0.5) -> np.ndarray:
    """2x2 counts: row = true class, column = predicted class (0 = not_santa, 1 = santa).

    The diagonal holds the correct predictions, so ``trace / sum`` is the accuracy that
    ``model.evaluate`` reports.
    """
    labels, probabilities = _checked_pair(labels, probabilities)
    predicted = predicted_labels(probabilities, threshold)
    matrix = np.zeros((2, 2), dtype="int64")
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


def misclassified(labels: np.ndarray, probabilities: np.ndarray, limit: int | None = 16,
                  threshold: float = 0.5) -> np.ndarray:
    """Indices of the wrongly predicted pictures, most confidently wrong first.

    Confidence in the wrong answer is the distance between P(santa) and the true label (a
    Santa given 0.02 comes before one given 0.4); ties keep the pictures' order. At most
    ``limit`` indices (``None``: all of them).
    """
    labels, probabilities = _checked_pair(labels, probabilities)
    wrong = np.flatnonzero(predicted_labels(probabilities, threshold) != labels)
    distance = np.abs(probabilities[wrong] - labels[wrong])
    ordered = wrong[np.argsort(-distance, kind="stable")]
    return ordered if limit is None else ordered[:limit]


def gradcam_examples(labels: np.ndarray, probabilities: np.ndarray, per_group: int = 2,
                     threshold: float = 0.5) -> np.ndarray:
    """Up to ``per_group`` pictures of each kind: Santa right, Santa wrong, not Santa right, not
    Santa wrong, the most confident first in each group (a handful for Grad-CAM to explain)."""
    labels, probabilities = _checked_pair(labels, probabilities)
    right = predicted_labels(probabilities, threshold) == labels
    confidence = np.abs(probabilities - 0.5)
    chosen = []
    for label in (1, 0):
        for correct in (True, False):
            group = np.flatnonzero((labels == label) & (right == correct))
            chosen.extend(group[np.argsort(-confidence[group], kind="stable")][:per_group])
    return np.asarray(chosen, dtype="int64")


def red_share(images: np.ndarray) -> np.ndarray:
    """Each picture's share of strongly red pixels (red at least 120 of 255 and half again its
    green and its blue): the colour of Santa's suit, and of much that is not Santa."""
    return red_pixels(images).mean(axis=(1, 2))


def red_pixels(images: np.ndarray) -> np.ndarray:
    """Per picture, which pixels are strongly red (:func:`red_share`'s rule), as booleans."""
    pixels = np.asarray(images, dtype="float32")
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return (red >= 120) & (red >= 1.5 * green) & (red >= 1.5 * blue)


def mistake_observations(split: Split, probabilities: np.ndarray, threshold: float = 0.5) -> str:
    """What a split's mistakes share, in numbers: per true class, how many pictures were called
    the other class, and their share of strongly red pixels (:func:`red_share`) against the
    pictures of that class the model got right."""
    labels, probabilities = _checked_pair(split.labels, probabilities)
    wrong = predicted_labels(probabilities, threshold) != labels
    red = red_share(split.images)
    names = split.class_names
    lines = []
    for label in (0, 1):
        ours, other = names[label], names[1 - label]
        mistaken = wrong & (labels == label)
        right = ~wrong & (labels == label)
        text = (f"It called {mistaken.sum()} of the {(labels == label).sum()} {ours} pictures "
                f"{other}")
        if mistaken.any() and right.any():
            text += (f"; strongly red pixels make up {red[mistaken].mean():.0%} of those, on "
                     f"average over all {mistaken.sum()} (not only the gallery's most confident), "
                     f"against {red[right].mean():.0%} of the {ours} pictures it got "
                     f"right: {_redness(red[mistaken].mean(), red[right].mean())}")
        lines.append(text + ".")
    return "\n".join(lines)


def _redness(mistaken: float, right: float) -> str:
    """How the mistakes' share of red compares with the right answers': apart only where they
    differ by 5 points and by half again."""
    if mistaken >= right + 0.05 and mistaken >= 1.5 * right:
        return "these mistakes are the redder, so red may have pulled the model their way"
    if mistaken <= right - 0.05 and mistaken * 1.5 <= right:
        return "these mistakes are the less red, so the model may have missed the red it expects"
    return "about as red, so red alone does not explain these mistakes"


def heat_on_red(images: np.ndarray, heatmaps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per picture: the share of its Grad-CAM heat that falls on strongly red pixels
    (:func:`red_share`'s), and the share of the picture those pixels cover. A coarse heatmap is
    stretched over the picture as :func:`santa_lib.plots.gradcam_grid` draws it."""
    images, heatmaps = np.asarray(images), np.asarray(heatmaps, dtype="float64")
    height, width = images.shape[1:3]
    rows = np.arange(height) * heatmaps.shape[1] // height
    columns = np.arange(width) * heatmaps.shape[2] // width
    heat = heatmaps[:, rows][:, :, columns]
    red = red_pixels(images)
    total = heat.sum(axis=(1, 2))
    on_red = np.divide((heat * red).sum(axis=(1, 2)), total, out=np.zeros_like(total),
                       where=total > 0)
    return on_red, red.mean(axis=(1, 2))


def gradcam_observations(images: np.ndarray, heatmaps: np.ndarray, labels: np.ndarray,
                         probabilities: np.ndarray, class_names: tuple[str, ...],
                         threshold: float = 0.5) -> str:
    """What the Grad-CAM figure shows, in numbers: per group of pictures (true class, right or
    wrong), how much of the heat fell on strongly red pixels against how much of the pictures
    they cover; drawn to red where the heat's share is half again the area's and 10 points more."""
    labels, probabilities = _checked_pair(labels, probabilities)
    on_red, area = heat_on_red(images, heatmaps)
    right = predicted_labels(probabilities, threshold) == labels
    lines = []
    for label in (1, 0):
        for correct in (True, False):
            group = (labels == label) & (right == correct)
            if not group.any():
                continue
            heat, cover = on_red[group].mean(), area[group].mean()
            drawn = heat >= 1.5 * cover and heat >= cover + 0.10
            lines.append(f"{class_names[label]}, answered {'right' if correct else 'wrong'} "
                         f"({group.sum()}): {heat:.0%} of the heat lies on pixels that are "
                         f"strongly red in the picture, which cover {cover:.0%} of it: "
                         + ("drawn to red." if drawn else "not drawn to red beyond its area."))
    return "\n".join(lines)
