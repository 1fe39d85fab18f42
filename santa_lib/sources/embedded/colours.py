"""Colours for the synthetic pictures: HSV ranges, shading and the palettes the figures share.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

A colour is picked by drawing hue, saturation and value from ranges with the picture's random
generator. The order of the draws is part of every picture: changing it changes the images, which
needs a new ``GENERATOR_VERSION``.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

Colour = tuple[int, int, int]
"""An RGB colour, each channel 0..255."""

Span = tuple[float, float]
"""A ``(low, high)`` range a number is drawn from uniformly."""

BLACK_LEATHER: Colour = (20, 16, 14)
"""Boots, belts and gloves, Santa's and others'."""

CHANNEL_MAX = 255


def hsv(hue: float, saturation: float, value: float) -> Colour:
    """The RGB colour of an HSV triple; hue wraps around, saturation and value are clipped."""
    red, green, blue = colorsys.hsv_to_rgb(
        hue % 1.0, min(max(saturation, 0.0), 1.0), min(max(value, 0.0), 1.0)
    )
    return (round(red * CHANNEL_MAX), round(green * CHANNEL_MAX), round(blue * CHANNEL_MAX))


def shade(colour: Colour, factor: float) -> Colour:
    """``colour`` darkened (``factor`` below 1) or lightened (above 1), clipped to 0..255."""
    red, green, blue = (int(min(CHANNEL_MAX, max(0, channel * factor))) for channel in colour)
    return (red, green, blue)


def _draw(rng: np.random.Generator, span: float | Span) -> float:
    """A number drawn uniformly from ``span``, or ``span`` itself when it is a fixed number."""
    if isinstance(span, tuple):
        return rng.uniform(*span)
    return span


@dataclass(frozen=True)
class HsvRange:
    """A family of colours: a range (or a fixed value) for each of hue, saturation and value."""

    hue: float | Span
    saturation: float | Span
    value: float | Span

    def pick(self, rng: np.random.Generator) -> Colour:
        """One colour of the family: draws hue, then saturation, then value."""
        return hsv(_draw(rng, self.hue), _draw(rng, self.saturation), _draw(rng, self.value))


SANTA_RED = HsvRange(hue=(-0.025, 0.02), saturation=(0.75, 1.0), value=(0.55, 0.95))
"""The red of Santa's suit, also used for red coats, cars, houses, gifts..."""

SKIN = HsvRange(hue=(0.04, 0.09), saturation=(0.25, 0.6), value=(0.35, 0.98))

GREY_CLOTH = HsvRange(hue=0.0, saturation=0.0, value=(0.1, 0.75))
BROWN_CLOTH = HsvRange(hue=(0.05, 0.11), saturation=(0.4, 0.8), value=(0.25, 0.6))

NOT_RED_HUES: Span = (0.06, 0.94)
"""Hues far enough from 0 (red) on the colour wheel."""

NOT_RED_MAX_SATURATION = 0.95
NOT_RED_VALUES: Span = (0.3, 0.9)
DEFAULT_MIN_SATURATION = 0.35

WHITE_HUES: Span = (0.0, 1.0)
WHITE_SATURATIONS: Span = (0.0, 0.07)
WHITE_VALUES: Span = (0.86, 1.0)

# Ordinary clothing draws one of CLOTHING_KINDS kinds evenly; every kind above RED is a
# saturated non-red colour, so half of all clothing is colourful.
CLOTHING_KINDS = 6
GREY, BROWN, RED = 0, 1, 2


def santa_red(rng: np.random.Generator) -> Colour:
    """A Santa-suit red (also used for red cars, coats, houses, ...)."""
    return SANTA_RED.pick(rng)


def snow_white(rng: np.random.Generator) -> Colour:
    """A white with a faint tint: snow, fur trim, beards. Draws value first, then hue, then
    saturation."""
    value = rng.uniform(*WHITE_VALUES)
    return hsv(rng.uniform(*WHITE_HUES), rng.uniform(*WHITE_SATURATIONS), value)


def not_red(rng: np.random.Generator, min_saturation: float = DEFAULT_MIN_SATURATION) -> Colour:
    """A saturated colour that is not red."""
    family = HsvRange(
        hue=NOT_RED_HUES,
        saturation=(min_saturation, NOT_RED_MAX_SATURATION),
        value=NOT_RED_VALUES,
    )
    return family.pick(rng)


def clothing(rng: np.random.Generator) -> Colour:
    """Colour of ordinary clothing: grey or black, brown, red, or (half the time) any other."""
    kind = rng.integers(0, CLOTHING_KINDS)
    if kind == GREY:
        return GREY_CLOTH.pick(rng)
    if kind == BROWN:
        return BROWN_CLOTH.pick(rng)
    if kind == RED:
        return santa_red(rng)
    return not_red(rng)


def skin(rng: np.random.Generator) -> Colour:
    """A skin tone, pale to dark."""
    return SKIN.pick(rng)
