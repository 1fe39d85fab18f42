"""Christmas things for the synthetic pictures: Santa's sack, decorated trees and wrapped gifts.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

Each ``draw_*`` function is a :data:`~santa_lib.sources.embedded.shapes.Painter`: it draws its
figure standing at ``(centre_x, feet_y)``, about ``height`` pixels tall. Gifts and tree decorations
are often red, so that red alone does not mean "Santa".
"""

from __future__ import annotations

import numpy as np

from santa_lib.sources.embedded.colours import (
    Colour,
    HsvRange,
    hsv,
    not_red,
    santa_red,
    shade,
    snow_white,
)
from santa_lib.sources.embedded.shapes import Draw, centred_box, disc, ellipse, rectangle

# --- Santa's sack -------------------------------------------------------------------------------

SACKCLOTH = HsvRange(hue=(0.06, 0.12), saturation=(0.35, 0.7), value=(0.35, 0.75))
SACK_RADIUS = (0.16, 0.22)  # of Santa's height
# Below, fractions of the sack's radius.
SACK_ROUNDNESS = 1.05  # a little taller than wide
SACK_NECK_HALF_WIDTH, SACK_NECK_Y, SACK_TOP_Y = 0.35, 1.8, 2.4
SACK_TIE_HALF_WIDTH, SACK_TIE_TOP_Y, SACK_TIE_SHADE = 0.3, 1.95, 0.6


def draw_sack(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """A brown sack, tied at the top; ``height`` is Santa's."""
    colour = SACKCLOTH.pick(rng)
    radius = height * rng.uniform(*SACK_RADIUS)
    ellipse(draw, centre_x, feet_y - radius, radius, radius * SACK_ROUNDNESS, colour)
    neck_half_width, neck_y = radius * SACK_NECK_HALF_WIDTH, feet_y - radius * SACK_NECK_Y
    draw.polygon(
        [
            (centre_x - neck_half_width, neck_y),
            (centre_x + neck_half_width, neck_y),
            (centre_x, feet_y - radius * SACK_TOP_Y),
        ],
        fill=colour,
    )
    tie_half_width = radius * SACK_TIE_HALF_WIDTH
    tie = centred_box(centre_x, tie_half_width, feet_y - radius * SACK_TIE_TOP_Y, neck_y)
    rectangle(draw, tie, fill=shade(colour, SACK_TIE_SHADE))


# --- Christmas tree -----------------------------------------------------------------------------

TRUNK = HsvRange(hue=(0.05, 0.09), saturation=0.6, value=(0.2, 0.45))
PINE_GREEN = HsvRange(hue=(0.27, 0.4), saturation=(0.5, 0.9), value=(0.2, 0.55))
STAR_GOLD: Colour = hsv(0.14, 0.8, 1.0)
TREE_HALF_WIDTH = (0.3, 0.42)
TRUNK_HALF_WIDTH, TRUNK_TALL = 0.12, 0.15  # of the tree's half width, of its height
TREE_LAYERS = (3, 5)  # integers(3, 5): 3 or 4 layers of branches
SNOWY_PROBABILITY = 0.3
BRANCHES_BOTTOM, BRANCHES_SPAN = 0.12, 0.8  # of the height: where the branches start, how high
LAYER_NARROWING, LAYER_LIGHTENING = 0.7, 0.08
LAYER_HEIGHT, LAYER_OVERLAP = 0.9, 1.5  # each layer is 1.5 times its share of 90 % of the height
SNOW_CAP = 0.3  # snow covers the top of each layer: this fraction of its width...
SNOW_CAP_DEPTH = 0.7  # ...down to this fraction of its height
DECORATED_PROBABILITY = 0.7
BAUBLES, BAUBLE_HEIGHTS, BAUBLE_RADIUS = (4, 12), (0.1, 0.85), 0.025
BAUBLE_NARROWING, BAUBLE_INSET = 0.8, 0.8  # baubles stay inside the branches
BAUBLE_RED_PROBABILITY, BAUBLE_MIN_SATURATION = 0.5, 0.6
STAR_Y, STAR_RADIUS = 0.98, 0.035


def _tree_row(feet_y: float, height: float, fraction: float) -> float:
    """The row ``fraction`` of the way up the tree's branches."""
    return feet_y - height * (BRANCHES_BOTTOM + BRANCHES_SPAN * fraction)


def _tree_decorations(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float, half: float
) -> None:
    """Baubles, half of them red, and a star on top."""
    for _ in range(int(rng.integers(*BAUBLES))):
        fraction = rng.uniform(*BAUBLE_HEIGHTS)
        bauble_y = _tree_row(feet_y, height, fraction)
        spread = rng.uniform(-1, 1) * half * (1.0 - BAUBLE_NARROWING * fraction) * BAUBLE_INSET
        red = rng.random() < BAUBLE_RED_PROBABILITY
        colour = santa_red(rng) if red else not_red(rng, BAUBLE_MIN_SATURATION)
        disc(draw, centre_x + spread, bauble_y, height * BAUBLE_RADIUS, colour)
    disc(draw, centre_x, feet_y - height * STAR_Y, height * STAR_RADIUS, STAR_GOLD)


def draw_tree(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """A fir tree of stacked triangles, sometimes snowy, often decorated."""
    trunk, green = TRUNK.pick(rng), PINE_GREEN.pick(rng)
    half = height * rng.uniform(*TREE_HALF_WIDTH)
    trunk_half_width = half * TRUNK_HALF_WIDTH
    trunk_box = centred_box(centre_x, trunk_half_width, feet_y - height * TRUNK_TALL, feet_y)
    rectangle(draw, trunk_box, fill=trunk)
    layers = int(rng.integers(*TREE_LAYERS))
    snowy = rng.random() < SNOWY_PROBABILITY
    for layer in range(layers):
        fraction = layer / layers
        base_y = _tree_row(feet_y, height, fraction)
        layer_half = half * (1.0 - LAYER_NARROWING * fraction)
        top_y = base_y - height * LAYER_HEIGHT / layers * LAYER_OVERLAP
        draw.polygon(
            [(centre_x - layer_half, base_y), (centre_x + layer_half, base_y), (centre_x, top_y)],
            fill=shade(green, 1.0 + LAYER_LIGHTENING * layer),
        )
        if snowy:
            snow_y = top_y + (base_y - top_y) * SNOW_CAP_DEPTH
            snow_half = layer_half * SNOW_CAP
            draw.polygon(
                [(centre_x - snow_half, snow_y), (centre_x + snow_half, snow_y), (centre_x, top_y)],
                fill=snow_white(rng),
            )
    if rng.random() < DECORATED_PROBABILITY:
        _tree_decorations(draw, rng, centre_x, feet_y, height, half)


# --- gifts --------------------------------------------------------------------------------------

GIFTS = (1, 4)  # integers(1, 4): one to three boxes side by side
GIFTS_START = 0.45  # the first box starts this far left of the centre (of the height)
GIFT_WIDTH, GIFT_TALL, GIFT_GAP = (0.25, 0.45), (0.25, 0.6), (0.8, 1.1)  # gap: of its width
GIFT_RED_PROBABILITY, WHITE_RIBBON_PROBABILITY, GIFT_MIN_SATURATION = 0.3, 0.5, 0.5
# Below, fractions of the box's width (across) or height (up).
RIBBON_LEFT, RIBBON_RIGHT, RIBBON_TOP, RIBBON_BOTTOM = 0.42, 0.58, 0.6, 0.5
BOW_LOOPS, BOW_HALF_WIDTH, BOW_HALF_HEIGHT = (0.4, 0.6), 0.15, 0.1


def _gift(draw: Draw, rng: np.random.Generator, left: float, feet_y: float, height: float) -> float:
    """One wrapped box with its left side at ``left``; returns its width."""
    box_width = height * rng.uniform(*GIFT_WIDTH)
    box_height = height * rng.uniform(*GIFT_TALL)
    paper_is_red = rng.random() < GIFT_RED_PROBABILITY
    paper = santa_red(rng) if paper_is_red else not_red(rng, GIFT_MIN_SATURATION)
    ribbon_is_white = rng.random() < WHITE_RIBBON_PROBABILITY
    ribbon = snow_white(rng) if ribbon_is_white else not_red(rng, GIFT_MIN_SATURATION)
    top = feet_y - box_height
    rectangle(draw, [left, top, left + box_width, feet_y], fill=paper)
    down = [left + box_width * RIBBON_LEFT, top, left + box_width * RIBBON_RIGHT, feet_y]
    rectangle(draw, down, fill=ribbon)
    across = [
        left,
        feet_y - box_height * RIBBON_TOP,
        left + box_width,
        feet_y - box_height * RIBBON_BOTTOM,
    ]
    rectangle(draw, across, fill=ribbon)
    for loop in BOW_LOOPS:
        bow_x = left + box_width * loop
        ellipse(draw, bow_x, top, box_width * BOW_HALF_WIDTH, box_width * BOW_HALF_HEIGHT, ribbon)
    return box_width


def draw_gifts(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """One to three wrapped boxes in a row, some red."""
    left = centre_x - height * GIFTS_START
    for _ in range(int(rng.integers(*GIFTS))):
        box_width = _gift(draw, rng, left, feet_y, height)
        left += box_width * rng.uniform(*GIFT_GAP)
