"""Drawing shapes for the synthetic pictures: ellipses, rectangles, limbs and the painter type.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

Every figure (a person, a tree, a car...) is a *painter*: a function that draws it with its
feet at ``(centre_x, feet_y)``, ``height`` pixels tall, deciding its details with the picture's
random generator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PIL import ImageDraw

from santa_lib.sources.embedded.colours import Colour

Draw = ImageDraw.ImageDraw
Point = tuple[float, float]

Painter = Callable[[Draw, np.random.Generator, float, float, float], None]
"""``painter(draw, rng, centre_x, feet_y, height)`` draws one figure standing at a spot."""

LEFT, RIGHT = -1, 1
SIDES = (LEFT, RIGHT)
"""Signs that mirror a part to the left or right of a figure's centre line."""


def random_side(rng: np.random.Generator) -> int:
    """:data:`LEFT` or :data:`RIGHT`, evenly."""
    return RIGHT if rng.random() < 0.5 else LEFT


def line_width(width: float) -> int:
    """A line width PIL accepts: ``width`` rounded, at least one pixel."""
    return max(1, round(width))


def ellipse(
    draw: Draw, centre_x: float, centre_y: float, radius_x: float, radius_y: float, fill: Colour
) -> None:
    """A filled ellipse around a centre."""
    draw.ellipse(
        [centre_x - radius_x, centre_y - radius_y, centre_x + radius_x, centre_y + radius_y],
        fill=fill,
    )


def disc(draw: Draw, centre_x: float, centre_y: float, radius: float, fill: Colour) -> None:
    """A filled circle."""
    ellipse(draw, centre_x, centre_y, radius, radius, fill)


def centred_box(centre_x: float, half_width: float, top: float, bottom: float) -> list[float]:
    """The corners ``[x0, y0, x1, y1]`` of a box centred on ``centre_x``, from ``top`` to
    ``bottom``."""
    return [centre_x - half_width, top, centre_x + half_width, bottom]


def rectangle(draw: Draw, corners: Sequence[float], fill: Colour) -> None:
    """A filled rectangle between two opposite corners ``(x0, y0, x1, y1)``, in any order."""
    x0, y0, x1, y1 = corners
    draw.rectangle([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], fill=fill)


def limb(draw: Draw, start: Point, end: Point, width: float, fill: Colour) -> None:
    """A thick line with rounded ends: an arm, a leg, a neck."""
    draw.line([start, end], fill=fill, width=line_width(width))
    disc(draw, start[0], start[1], width / 2, fill)
    disc(draw, end[0], end[1], width / 2, fill)
