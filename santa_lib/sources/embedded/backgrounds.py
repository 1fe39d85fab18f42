"""Backgrounds for the synthetic pictures: snowy days and nights, rooms, textures, studio colour.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

A background is a float32 ``size x size x 3`` array of pixel values in 0..255 (not yet clipped)
and a *ground line*: the row that figures stand on or near.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image

from santa_lib.sources.embedded.colours import Colour, HsvRange, clothing, shade, snow_white

Background = tuple[np.ndarray, int]
"""``(pixels, ground_y)``."""

GROUND_LINE = (0.6, 0.85)
"""Range of the ground line, as a fraction of the picture's height from the top."""

CHANNEL_MIDDLE = 127.5


def vertical_gradient(
    size: int, top: Colour, bottom: Colour, rows: int | None = None
) -> np.ndarray:
    """A ``rows`` x ``size`` picture fading from ``top`` to ``bottom`` (``rows`` defaults to
    ``size``)."""
    rows = size if rows is None else rows
    fraction = np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None, None]
    top_pixel = np.asarray(top, np.float32)[None, None, :]
    bottom_pixel = np.asarray(bottom, np.float32)[None, None, :]
    return np.broadcast_to(
        top_pixel + (bottom_pixel - top_pixel) * fraction, (rows, size, 3)
    ).copy()


def blotches(rng: np.random.Generator, size: int, amplitude: float, cells: int) -> np.ndarray:
    """Smooth random texture of about +-``amplitude``: a ``cells`` x ``cells`` random grid
    upsampled bicubically."""
    coarse = rng.uniform(0, 255, (cells, cells, 3)).astype(np.uint8)
    image = Image.fromarray(coarse).resize((size, size), Image.Resampling.BICUBIC)
    return (np.asarray(image, np.float32) - CHANNEL_MIDDLE) * (amplitude / CHANNEL_MIDDLE)


# --- outdoors: sky above snow -------------------------------------------------------------------

DAY_SKY_TOP = HsvRange(hue=(0.55, 0.65), saturation=(0.3, 0.7), value=(0.6, 0.95))
DAY_SKY_BOTTOM = HsvRange(hue=(0.52, 0.62), saturation=(0.05, 0.3), value=(0.8, 1.0))
NIGHT_SKY_TOP = HsvRange(hue=(0.6, 0.75), saturation=(0.4, 0.8), value=(0.08, 0.3))
NIGHT_SKY_BOTTOM = HsvRange(hue=(0.6, 0.95), saturation=(0.2, 0.6), value=(0.25, 0.6))
FOREGROUND_SNOW_SHADE = (0.75, 0.95)  # snow darkens from the horizon to the foreground
NIGHT_SNOW_SHADE = (0.45, 0.75)


def _outdoors(rng: np.random.Generator, size: int, ground: int, night: bool) -> Background:
    """A sky gradient above snowy ground, darker at night."""
    sky_top, sky_bottom = (
        (NIGHT_SKY_TOP, NIGHT_SKY_BOTTOM) if night else (DAY_SKY_TOP, DAY_SKY_BOTTOM)
    )
    pixels = vertical_gradient(size, sky_top.pick(rng), sky_bottom.pick(rng))
    horizon_snow = snow_white(rng)
    foreground_snow = shade(snow_white(rng), rng.uniform(*FOREGROUND_SNOW_SHADE))
    snow = vertical_gradient(size, horizon_snow, foreground_snow, size - ground)
    if night:
        snow *= rng.uniform(*NIGHT_SNOW_SHADE)
    pixels[ground:] = snow
    return pixels, ground


def _day(rng: np.random.Generator, size: int, ground: int) -> Background:
    """Outdoors by day."""
    return _outdoors(rng, size, ground, night=False)


def _night(rng: np.random.Generator, size: int, ground: int) -> Background:
    """Outdoors at dusk or night."""
    return _outdoors(rng, size, ground, night=True)


# --- a room -------------------------------------------------------------------------------------

CLOTHING_WALL_PROBABILITY = 0.6  # any colour, red included; otherwise a warm neutral
NEUTRAL_WALL = HsvRange(hue=(0.05, 0.15), saturation=(0.1, 0.4), value=(0.6, 0.95))
WALL_SHADE = (0.7, 1.0)
WALLPAPER_PROBABILITY, STRIPE_PERIOD, STRIPE_SHADE = 0.4, (8, 24), (0.8, 0.95)
FLOORBOARDS = HsvRange(hue=(0.04, 0.12), saturation=(0.3, 0.7), value=(0.2, 0.6))
NEAR_FLOOR_SHADE = 1.3
WINDOW_PROBABILITY = 0.5
WINDOW_LEFT, WINDOW_TOP, WINDOW_SIZE = (0.05, 0.6), (0.05, 0.25), (0.2, 0.35)  # of the picture
WINDOW_SKY = HsvRange(hue=(0.55, 0.7), saturation=0.5, value=(0.2, 0.9))


def _room(rng: np.random.Generator, size: int, ground: int) -> Background:
    """A wall (sometimes red or striped), a wooden floor and maybe a window."""
    if rng.random() < CLOTHING_WALL_PROBABILITY:
        wall = clothing(rng)
    else:
        wall = NEUTRAL_WALL.pick(rng)
    pixels = vertical_gradient(size, wall, shade(wall, rng.uniform(*WALL_SHADE)))
    if rng.random() < WALLPAPER_PROBABILITY:
        period = int(rng.integers(*STRIPE_PERIOD))
        stripe = (np.arange(size) // period) % 2 == 0
        pixels[:, stripe] *= rng.uniform(*STRIPE_SHADE)
    floor = FLOORBOARDS.pick(rng)
    pixels[ground:] = vertical_gradient(size, floor, shade(floor, NEAR_FLOOR_SHADE), size - ground)
    if rng.random() < WINDOW_PROBABILITY:
        left = int(rng.uniform(*WINDOW_LEFT) * size)
        top = int(rng.uniform(*WINDOW_TOP) * size)
        side = int(rng.uniform(*WINDOW_SIZE) * size)
        pixels[top : top + side, left : left + side] = WINDOW_SKY.pick(rng)
    return pixels, ground


# --- textures and studio ------------------------------------------------------------------------

SMOOTH_AMPLITUDE, SMOOTH_CELLS = (30, 70), (3, 8)
FINE_AMPLITUDE, FINE_CELLS = (15, 40), (12, 30)  # fabric, leaves, gravel...
FINE_SHADE = (0.6, 1.2)
CLOTHING_BASE_PROBABILITY = 0.7  # otherwise white
VIGNETTE = (0.2, 0.6)  # how much darker the corners are
STUDIO_GROUND_LINE = (0.85, 1.0)  # in a studio, figures stand low


def _base_colour(rng: np.random.Generator) -> Colour:
    """A clothing colour, or now and then a white."""
    return clothing(rng) if rng.random() < CLOTHING_BASE_PROBABILITY else snow_white(rng)


def _smooth_texture(rng: np.random.Generator, size: int, ground: int) -> Background:
    """Large soft blotches over a two-colour gradient."""
    pixels = vertical_gradient(size, clothing(rng), clothing(rng))
    amplitude = rng.uniform(*SMOOTH_AMPLITUDE)
    pixels += blotches(rng, size, amplitude, int(rng.integers(*SMOOTH_CELLS)))
    return pixels, ground


def _fine_texture(rng: np.random.Generator, size: int, ground: int) -> Background:
    """Small blotches over one colour: fabric, leaves, gravel..."""
    base = _base_colour(rng)
    pixels = vertical_gradient(size, base, shade(base, rng.uniform(*FINE_SHADE)))
    amplitude = rng.uniform(*FINE_AMPLITUDE)
    pixels += blotches(rng, size, amplitude, int(rng.integers(*FINE_CELLS)))
    return pixels, ground


def _studio(rng: np.random.Generator, size: int, ground: int) -> Background:
    """A flat studio colour with a soft vignette; figures stand low."""
    base = _base_colour(rng)
    ramp = np.linspace(-0.5, 0.5, size, dtype=np.float32) ** 2
    fall = 1.0 - rng.uniform(*VIGNETTE) * (ramp[None, :] + ramp[:, None]) * 2
    pixels = np.asarray(base, np.float32)[None, None, :] * fall[:, :, None]
    return pixels, int(size * rng.uniform(*STUDIO_GROUND_LINE))


BACKGROUNDS: tuple[tuple[Callable[[np.random.Generator, int, int], Background], float], ...] = (
    (_day, 0.28),
    (_night, 0.15),
    (_room, 0.28),
    (_smooth_texture, 0.07),
    (_fine_texture, 0.06),
    (_studio, 0.16),
)
"""Each kind of background with its probability."""


def draw_background(rng: np.random.Generator, size: int) -> Background:
    """A random background of ``size`` x ``size`` pixels, and its ground line."""
    kind = rng.choice(len(BACKGROUNDS), p=[probability for _, probability in BACKGROUNDS])
    ground = int(size * rng.uniform(*GROUND_LINE))
    make_background, _ = BACKGROUNDS[kind]
    return make_background(rng, size, ground)
