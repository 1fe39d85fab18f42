"""Winter figures for the synthetic pictures: snowmen and reindeer.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

Each ``draw_*`` function is a :data:`~santa_lib.sources.embedded.shapes.Painter`: it draws its
figure standing at ``(centre_x, feet_y)``, about ``height`` pixels tall. Both are "not Santa"
pictures from Santa's world; some scarves, hats and noses are red.
"""

from __future__ import annotations

import numpy as np

from santa_lib.sources.embedded.colours import (
    Colour,
    HsvRange,
    clothing,
    santa_red,
    shade,
    snow_white,
)
from santa_lib.sources.embedded.shapes import (
    SIDES,
    Draw,
    centred_box,
    disc,
    ellipse,
    limb,
    line_width,
    random_side,
    rectangle,
)

# --- snowman ------------------------------------------------------------------------------------

SNOWBALL_RADII = (0.21, 0.15, 0.1)  # bottom, middle and head, as fractions of the height
# Below, fractions of a snowball's radius.
SNOWBALL_OVERLAP = 0.8  # each ball sinks into the one below by 20 % of its radius
SNOWBALL_SQUASH, MIDDLE_SHADE = 0.95, 0.98
BUTTON_OFFSETS, BUTTON_RADIUS = (-0.35, 0.0, 0.35), 0.09
STICK_BROWN: Colour = (80, 50, 25)
STICK_ROOT, STICK_REACH, STICK_RISE = 0.8, 2.4, (-0.5, 1.0)
STICK_WIDTH = 0.02  # of the height
COAL: Colour = (25, 25, 30)
CARROT: Colour = (240, 120, 20)
EYE_OFFSET, EYE_RISE, EYE_RADIUS = 0.35, 0.2, 0.1
CARROT_THICKNESS, CARROT_LENGTH, CARROT_TIP_DROP = 0.2, 1.1, 0.15
SCARF_HALF_WIDTH, SCARF_TOP, SCARF_BOTTOM = 1.05, 0.75, 1.05
SCARF_END_LEFT, SCARF_END_RIGHT, SCARF_END_TOP, SCARF_END_BOTTOM = 0.3, 0.6, 0.8, 1.9
SCARF_RED_PROBABILITY = 0.15
SNOWMAN_HATS = 3  # a top hat, a knitted hat, or none
TOP_HAT, KNITTED_HAT = 0, 1
TOP_HAT_HALF_WIDTH, TOP_HAT_TOP, TOP_HAT_BOTTOM = 0.6, 1.9, 0.7
TOP_HAT_BRIM_HALF_WIDTH, TOP_HAT_BRIM_TOP, TOP_HAT_BRIM_BOTTOM = 1.0, 0.85, 0.65
KNITTED_HAT_TOP, KNITTED_HAT_BOTTOM, KNITTED_HAT_RED_PROBABILITY = 1.6, 0.1, 0.2


def _snowman_face_and_scarf(
    draw: Draw, rng: np.random.Generator, centre_x: float, head_y: float, head: float
) -> None:
    """Coal eyes, a carrot nose and a scarf with one hanging end."""
    for side in SIDES:
        eye_x = centre_x + side * head * EYE_OFFSET
        disc(draw, eye_x, head_y - head * EYE_RISE, head * EYE_RADIUS, COAL)
    carrot = [
        (centre_x, head_y),
        (centre_x, head_y + head * CARROT_THICKNESS),
        (centre_x + head * CARROT_LENGTH, head_y + head * CARROT_TIP_DROP),
    ]
    draw.polygon(carrot, fill=CARROT)
    scarf = santa_red(rng) if rng.random() < SCARF_RED_PROBABILITY else clothing(rng)
    scarf_half_width = head * SCARF_HALF_WIDTH
    around_neck = centred_box(
        centre_x, scarf_half_width, head_y + head * SCARF_TOP, head_y + head * SCARF_BOTTOM
    )
    rectangle(draw, around_neck, fill=scarf)
    hanging_end = [
        centre_x + head * SCARF_END_LEFT,
        head_y + head * SCARF_END_TOP,
        centre_x + head * SCARF_END_RIGHT,
        head_y + head * SCARF_END_BOTTOM,
    ]
    rectangle(draw, hanging_end, fill=scarf)


def _snowman_hat(
    draw: Draw, rng: np.random.Generator, centre_x: float, head_y: float, head: float
) -> None:
    """A black top hat, a knitted hat, or nothing, evenly."""
    hat = rng.integers(0, SNOWMAN_HATS)
    if hat == TOP_HAT:
        crown_half_width = head * TOP_HAT_HALF_WIDTH
        crown = centred_box(
            centre_x, crown_half_width, head_y - head * TOP_HAT_TOP, head_y - head * TOP_HAT_BOTTOM
        )
        rectangle(draw, crown, fill=COAL)
        brim_half_width = head * TOP_HAT_BRIM_HALF_WIDTH
        brim = centred_box(
            centre_x,
            brim_half_width,
            head_y - head * TOP_HAT_BRIM_TOP,
            head_y - head * TOP_HAT_BRIM_BOTTOM,
        )
        rectangle(draw, brim, fill=COAL)
    elif hat == KNITTED_HAT:
        wool = santa_red(rng) if rng.random() < KNITTED_HAT_RED_PROBABILITY else clothing(rng)
        top, bottom = head_y - head * KNITTED_HAT_TOP, head_y - head * KNITTED_HAT_BOTTOM
        draw.chord([centre_x - head, top, centre_x + head, bottom], 180, 360, fill=wool)


def draw_snowman(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """Three snowballs with stick arms, coal buttons, a scarf and maybe a hat."""
    white = snow_white(rng)
    bottom, middle, head = (fraction * height for fraction in SNOWBALL_RADII)
    bottom_y = feet_y - bottom
    middle_y = feet_y - 2 * bottom - middle * SNOWBALL_OVERLAP
    head_y = middle_y - middle - head * SNOWBALL_OVERLAP
    for side in SIDES:
        stick_end_y = middle_y - rng.uniform(*STICK_RISE) * middle
        draw.line(
            [
                (centre_x + side * middle * STICK_ROOT, middle_y),
                (centre_x + side * middle * STICK_REACH, stick_end_y),
            ],
            fill=STICK_BROWN,
            width=line_width(height * STICK_WIDTH),
        )
    ellipse(draw, centre_x, bottom_y, bottom, bottom * SNOWBALL_SQUASH, white)
    ellipse(draw, centre_x, middle_y, middle, middle * SNOWBALL_SQUASH, shade(white, MIDDLE_SHADE))
    disc(draw, centre_x, head_y, head, white)
    for offset in BUTTON_OFFSETS:
        disc(draw, centre_x, middle_y + offset * middle, middle * BUTTON_RADIUS, COAL)
    _snowman_face_and_scarf(draw, rng, centre_x, head_y, head)
    _snowman_hat(draw, rng, centre_x, head_y, head)


# --- reindeer -----------------------------------------------------------------------------------

REINDEER_FUR = HsvRange(hue=(0.05, 0.1), saturation=(0.4, 0.8), value=(0.3, 0.7))
ANTLER = HsvRange(hue=0.08, saturation=0.4, value=(0.4, 0.8))
# Below, fractions of the reindeer's height unless said otherwise.
TORSO_HALF_WIDTH, TORSO_HALF_HEIGHT, TORSO_Y = 0.35, 0.15, 0.5
LEG_POSITIONS = (-0.7, -0.45, 0.45, 0.7)  # of the torso's half width
LEG_HALF_WIDTH, LEG_SHADE = 0.025, 0.85
TAIL_X, TAIL_RISE, TAIL_RADIUS = 0.95, 0.4, 0.04  # x, rise: of the torso's half width, height
NECK_ROOT_X, NECK_ROOT_RISE = 0.6, 0.3  # of the torso's half width, half height
NECK_X, NECK_RISE, NECK_WIDTH = 0.85, 0.25, 0.08  # x: of the torso's half width
MUZZLE_REACH, MUZZLE_HALF_WIDTH, MUZZLE_HALF_HEIGHT = 0.05, 0.08, 0.055
RED_NOSE_PROBABILITY = 0.4  # Rudolph
DARK_NOSE: Colour = (30, 25, 25)
NOSE_REACH, NOSE_DROP, NOSE_RADIUS = 0.13, 0.01, 0.025
ANTLER_ROOT_X, ANTLER_ROOT_RISE = 0.03, 0.04  # from the middle of the head
ANTLER_SPREAD, ANTLER_RISE, ANTLER_WIDTH = 0.08, 0.2, 0.018
TINE_POSITIONS, TINE_SPREAD, TINE_RISE = (0.4, 0.7), 0.06, 0.03  # positions: along each antler


def _antlers(
    draw: Draw, rng: np.random.Generator, head_x: float, head_y: float, height: float
) -> None:
    """Two antlers above the head, each with two tines."""
    colour = ANTLER.pick(rng)
    width = line_width(height * ANTLER_WIDTH)
    for side in SIDES:
        root_x, root_y = head_x + side * height * ANTLER_ROOT_X, head_y - height * ANTLER_ROOT_RISE
        tip_x, tip_y = root_x + side * height * ANTLER_SPREAD, root_y - height * ANTLER_RISE
        draw.line([(root_x, root_y), (tip_x, tip_y)], fill=colour, width=width)
        for along in TINE_POSITIONS:
            tine_x = root_x + (tip_x - root_x) * along
            tine_y = root_y + (tip_y - root_y) * along
            tine_end = (tine_x + side * height * TINE_SPREAD, tine_y - height * TINE_RISE)
            draw.line([(tine_x, tine_y), tine_end], fill=colour, width=width)


def draw_reindeer(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """A reindeer seen from the side, facing left or right, sometimes with a red nose."""
    fur = REINDEER_FUR.pick(rng)
    facing = random_side(rng)
    half_width, half_height = height * TORSO_HALF_WIDTH, height * TORSO_HALF_HEIGHT
    torso_y = feet_y - height * TORSO_Y
    for position in LEG_POSITIONS:
        leg_x = centre_x + position * half_width
        leg = [leg_x - height * LEG_HALF_WIDTH, torso_y, leg_x + height * LEG_HALF_WIDTH, feet_y]
        rectangle(draw, leg, fill=shade(fur, LEG_SHADE))
    ellipse(draw, centre_x, torso_y, half_width, half_height, fur)
    tail_x = centre_x - facing * half_width * TAIL_X
    disc(draw, tail_x, torso_y - half_height * TAIL_RISE, height * TAIL_RADIUS, snow_white(rng))
    head_x, head_y = centre_x + facing * half_width * NECK_X, torso_y - height * NECK_RISE
    neck_root_x = centre_x + facing * half_width * NECK_ROOT_X
    neck_root = (neck_root_x, torso_y - half_height * NECK_ROOT_RISE)
    limb(draw, neck_root, (head_x, head_y), height * NECK_WIDTH, fur)
    muzzle_x = head_x + facing * height * MUZZLE_REACH
    ellipse(draw, muzzle_x, head_y, height * MUZZLE_HALF_WIDTH, height * MUZZLE_HALF_HEIGHT, fur)
    nose = santa_red(rng) if rng.random() < RED_NOSE_PROBABILITY else DARK_NOSE
    nose_x, nose_y = head_x + facing * height * NOSE_REACH, head_y + height * NOSE_DROP
    disc(draw, nose_x, nose_y, height * NOSE_RADIUS, nose)
    _antlers(draw, rng, head_x, head_y, height)
