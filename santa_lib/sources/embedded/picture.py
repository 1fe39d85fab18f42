"""Composing one synthetic photo: background, props, the main figure, then a photo finish.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

:func:`draw_image` is the only public function. Everything about a picture (which background,
what stands where, lighting, blur, noise) is drawn from the random generator it is given, in a
fixed order, so the same generator state always gives the same picture.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from santa_lib.sources.embedded.backgrounds import draw_background
from santa_lib.sources.embedded.christmas import draw_gifts, draw_tree
from santa_lib.sources.embedded.people import draw_elf, draw_other_person, draw_santa
from santa_lib.sources.embedded.shapes import Draw, Painter
from santa_lib.sources.embedded.town import draw_car, draw_house
from santa_lib.sources.embedded.winter import draw_reindeer, draw_snowman

MIN_IMAGE_PX = 16
"""The smallest picture :func:`draw_image` draws."""

DEFAULT_IMAGE_PX = 96
SUPERSAMPLE = 2  # figures are drawn at twice the size and shrunk: smooth, anti-aliased edges

NOT_SANTA: tuple[tuple[Painter, float], ...] = (
    (draw_other_person, 0.3),
    (draw_elf, 0.1),
    (draw_snowman, 0.12),
    (draw_tree, 0.1),
    (draw_house, 0.1),
    (draw_car, 0.1),
    (draw_reindeer, 0.1),
    (draw_gifts, 0.08),
)
"""What a "not Santa" picture shows, with weights (they sum to 1)."""

WIDE_FIGURES = frozenset({draw_car})
"""Figures about as wide as they are tall: kept further from the picture's edges."""

# Background props, smaller and further away, in both classes: trees and gifts twice as often.
PROPS: tuple[Painter, ...] = (draw_tree, draw_gifts, draw_house, draw_tree, draw_gifts)
PROP_COUNT_PROBABILITIES = (0.85, 0.13, 0.02)  # of no prop, one, two
PROP_HEIGHT, PROP_ACROSS, PROP_BEHIND = (0.15, 0.35), (0.05, 0.95), (0.0, 0.08)  # of the picture

# The main figure is 35 % to 90 % of the picture's height, mostly large (median about 84 %):
# random-weight VGG19 features cannot pick out small figures reliably.
FIGURE_MIN_HEIGHT, FIGURE_EXTRA_HEIGHT, FIGURE_HEIGHT_BETA = 0.35, 0.55, (6.0, 1.0)
FEET_FROM_GROUND = (-0.05, 0.12)
FEET_LOWEST, HEAD_ROOM = 0.99, 0.01
FIGURE_HALF_WIDTH, WIDE_FIGURE_HALF_WIDTH = 0.25, 0.5  # of the figure's height
FIGURE_ACROSS_MEAN, FIGURE_ACROSS_SPREAD = 0.5, 0.15  # normal around the middle

# Photo finish.
SOFT_FOCUS = (0.3, 0.9)  # blur sigma, in pixels
LIGHT_SLOPE = (-0.5, 0.5)  # brightness changes across and down the picture by up to +-25 %
CHANNEL_CAST, BRIGHTNESS = (0.88, 1.12), (0.8, 1.15)
SENSOR_NOISE = (2.0, 8.0)  # standard deviation, in pixel values
ROUND_TO_NEAREST = 0.5


def _keep_in_frame(centre_x: float, half_width: float, size: float) -> float:
    """``centre_x`` moved so a figure ``half_width`` wide stays inside (if it fits)."""
    return float(np.clip(centre_x, half_width, max(half_width, size - half_width)))


def _draw_props(draw: Draw, rng: np.random.Generator, size: int, ground: int) -> None:
    """None (mostly), one or two small figures standing on or behind the ground line."""
    for _ in range(int(rng.choice(len(PROP_COUNT_PROBABILITIES), p=PROP_COUNT_PROBABILITIES))):
        prop = PROPS[int(rng.integers(0, len(PROPS)))]
        height = size * rng.uniform(*PROP_HEIGHT)
        centre_x = size * rng.uniform(*PROP_ACROSS)
        prop(draw, rng, centre_x, ground - size * rng.uniform(*PROP_BEHIND), height)


def _draw_figure(
    draw: Draw, rng: np.random.Generator, is_santa: bool, size: int, ground: int
) -> None:
    """The picture's subject: Santa, or one of :data:`NOT_SANTA`, big and near the middle."""
    height = size * (FIGURE_MIN_HEIGHT + FIGURE_EXTRA_HEIGHT * rng.beta(*FIGURE_HEIGHT_BETA))
    feet_y = min(
        size * FEET_LOWEST,
        max(ground + size * rng.uniform(*FEET_FROM_GROUND), height + size * HEAD_ROOM),
    )
    centre_x = _keep_in_frame(
        size * rng.normal(FIGURE_ACROSS_MEAN, FIGURE_ACROSS_SPREAD),
        FIGURE_HALF_WIDTH * height,
        size,
    )
    if is_santa:
        draw_santa(draw, rng, centre_x, feet_y, height)
        return
    weights = np.array([weight for _, weight in NOT_SANTA])
    chosen = int(rng.choice(len(NOT_SANTA), p=weights / weights.sum()))
    painter = NOT_SANTA[chosen][0]
    if painter in WIDE_FIGURES:
        centre_x = _keep_in_frame(centre_x, WIDE_FIGURE_HALF_WIDTH * height, size)
    painter(draw, rng, centre_x, feet_y, height)


def _soft_focus(sigma: float) -> ImageFilter.Kernel:
    """A 3x3 Gaussian blur kernel (much faster than ``GaussianBlur``)."""
    edge = float(np.exp(-0.5 / sigma**2))
    row = np.array([edge, 1.0, edge])
    kernel = np.outer(row, row)
    return ImageFilter.Kernel((3, 3), (kernel / kernel.sum()).ravel().tolist(), scale=1)


def _photo_finish(image: Image.Image, rng: np.random.Generator, size: int) -> Image.Image:
    """Shrink to ``size``, then blur, uneven lighting, a colour cast and sensor noise."""
    image = image.reduce(SUPERSAMPLE)  # box filter: average each block
    image = image.filter(_soft_focus(rng.uniform(*SOFT_FOCUS)))
    ramp = np.linspace(-0.5, 0.5, size, dtype=np.float32)
    slope_x, slope_y = rng.uniform(*LIGHT_SLOPE, 2)
    light = 1.0 + slope_x * ramp[None, :] + slope_y * ramp[:, None]
    cast = (rng.uniform(*CHANNEL_CAST, 3) * rng.uniform(*BRIGHTNESS)).astype(np.float32)
    pixels = np.asarray(image, np.float32) * light[:, :, None] * cast
    noise = np.float32(rng.uniform(*SENSOR_NOISE))
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * noise
    pixels += ROUND_TO_NEAREST  # round, not truncate, in the conversion below
    return Image.fromarray(np.clip(pixels, 0, 255, out=pixels).astype(np.uint8), "RGB")


def draw_image(
    is_santa: bool, rng: np.random.Generator, size: int = DEFAULT_IMAGE_PX
) -> Image.Image:
    """Draw one synthetic photo-like picture.

    Args:
        is_santa: draw a Santa (``True``) or something else (``False``).
        rng: the random generator that decides everything about the picture;
            the same generator state always gives the same picture.
        size: width and height of the square result, in pixels (at least 16).

    Returns:
        An RGB :class:`PIL.Image.Image` of ``size`` x ``size`` pixels.

    Raises:
        ValueError: ``size`` is below :data:`MIN_IMAGE_PX`.
    """
    if size < MIN_IMAGE_PX:
        raise ValueError(f"size must be at least {MIN_IMAGE_PX} pixels, got {size}")
    drawn_px = size * SUPERSAMPLE
    # The background is smooth: compute it at the final size, then upscale.
    pixels, ground = draw_background(rng, size)
    image = Image.fromarray(np.clip(pixels, 0, 255, out=pixels).astype(np.uint8), "RGB")
    image = image.resize((drawn_px, drawn_px), Image.Resampling.BILINEAR)
    ground *= SUPERSAMPLE
    draw = ImageDraw.Draw(image)
    _draw_props(draw, rng, drawn_px, ground)
    _draw_figure(draw, rng, is_santa, drawn_px, ground)
    return _photo_finish(image, rng, size)
