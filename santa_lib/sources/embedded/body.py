"""A standing person's build and clothes, and drawing the body below the neck.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

:class:`Body` says where a person stands and how they are built; :class:`Outfit` what they wear.
Body parts are placed by *fractions of the person's height*, measured down from the top of the
head (``body.y(0.5)`` is the waist) and across from the centre line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from santa_lib.sources.embedded.colours import BLACK_LEATHER, Colour, HsvRange, shade
from santa_lib.sources.embedded.shapes import (
    SIDES,
    Draw,
    centred_box,
    disc,
    ellipse,
    limb,
    rectangle,
)

STOUTNESS: tuple[float, float] = (0.85, 1.3)
"""Range of a person's build; 1 is average and widths scale with it."""

HEAD_CENTRE_Y = 0.2
HEAD_RADIUS = 0.085
SHOULDER_HALF_WIDTH, HEM_HALF_WIDTH = 0.17, 0.21  # the coat is a trapezoid, wider at the hem
NO_HAT = "none"


@dataclass(frozen=True)
class Outfit:
    """What a person wears; the defaults are no beard, no hat, no fur trim, no belt."""

    coat: Colour
    trousers: Colour
    boots: Colour
    gloves: Colour
    beard: Colour | None = None
    hat: str = NO_HAT
    """:data:`NO_HAT` or one of :data:`santa_lib.sources.embedded.hats.HATS`."""
    hat_colour: Colour = (0, 0, 0)
    fur_trim: Colour | None = None
    """Santa's white fur on the coat, cuffs and hat (or an elf's hat band)."""
    belt: bool = False
    elf_ears: bool = False


@dataclass(frozen=True)
class Body:
    """A person with their feet at ``(centre_x, feet_y)``, ``height`` pixels tall."""

    centre_x: float
    feet_y: float
    height: float
    stoutness: float

    def y(self, fraction: float) -> float:
        """The row ``fraction`` of the height down from the top of the head."""
        top = self.feet_y - self.height
        return top + fraction * self.height

    @property
    def head_radius(self) -> float:
        """Radius of the head, in pixels."""
        return HEAD_RADIUS * self.height

    @property
    def head_y(self) -> float:
        """Row of the centre of the head."""
        return self.y(HEAD_CENTRE_Y)

    @property
    def shoulder_half_width(self) -> float:
        """Half the width of the coat at the shoulders, in pixels."""
        return SHOULDER_HALF_WIDTH * self.height * self.stoutness

    @property
    def hem_half_width(self) -> float:
        """Half the width of the coat at its hem, in pixels."""
        return HEM_HALF_WIDTH * self.height * self.stoutness


# --- legs and boots ---------------------------------------------------------------------------

HIP_Y, BOOT_TOP_Y, TROUSERS_BOTTOM_Y = 0.62, 0.89, 0.93
LEG_OFFSET = 0.06  # from the centre line to the middle of each leg
LEG_WIDTH = 0.085
LEG_MAX_STOUTNESS = 1.1  # stout people get wide coats, not equally wide legs
BOOT_WIDTH_OF_LEG = 0.65  # half a boot's width, as a fraction of the leg's width
BOOT_TOE_OUT = 0.02  # boots point slightly outwards
BOOT_CORNER_RADIUS = 0.02


def draw_legs(draw: Draw, body: Body, outfit: Outfit) -> None:
    """Both legs in trousers, with boots."""
    height = body.height
    leg_width = LEG_WIDTH * height * min(body.stoutness, LEG_MAX_STOUTNESS)
    for side in SIDES:
        leg_x = body.centre_x + side * LEG_OFFSET * height
        rectangle(
            draw,
            [
                leg_x - leg_width / 2,
                body.y(HIP_Y),
                leg_x + leg_width / 2,
                body.y(TROUSERS_BOTTOM_Y),
            ],
            fill=outfit.trousers,
        )
        boot_half_width = leg_width * BOOT_WIDTH_OF_LEG
        toe_out = side * BOOT_TOE_OUT * height
        draw.rounded_rectangle(
            [
                leg_x - boot_half_width + toe_out,
                body.y(BOOT_TOP_Y),
                leg_x + boot_half_width + toe_out,
                body.feet_y,
            ],
            radius=BOOT_CORNER_RADIUS * height,
            fill=outfit.boots,
        )


# --- arms ---------------------------------------------------------------------------------------

ARM_ANGLES: tuple[float, float] = (-0.4, 1.9)
"""Range of each arm's angle in radians: 0 hangs down, above 1.5 is raised or waving."""

SHOULDER_Y = 0.33
ARM_ROOT_OF_SHOULDER = 0.92  # arms start just inside the shoulders' edge
ARM_LENGTH = 0.27
ARM_WIDTH = 0.085
ARM_MAX_STOUTNESS = 1.15
CUFF_ALONG_ARM = 0.85  # where the fur cuff sits, from shoulder (0) to hand (1)
CUFF_RADIUS = 0.05
HAND_RADIUS = 0.035


def draw_arms(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """Both arms in coat sleeves, each at a random angle, with fur cuffs if trimmed and hands."""
    height = body.height
    for side in SIDES:
        angle = rng.uniform(*ARM_ANGLES)
        shoulder_x = body.centre_x + side * body.shoulder_half_width * ARM_ROOT_OF_SHOULDER
        shoulder_y = body.y(SHOULDER_Y)
        length = ARM_LENGTH * height
        hand_x = shoulder_x + side * float(np.sin(angle)) * length
        hand_y = shoulder_y + float(np.cos(angle)) * length
        sleeve_width = ARM_WIDTH * height * min(body.stoutness, ARM_MAX_STOUTNESS)
        limb(draw, (shoulder_x, shoulder_y), (hand_x, hand_y), sleeve_width, outfit.coat)
        if outfit.fur_trim is not None:
            cuff_x = shoulder_x + (hand_x - shoulder_x) * CUFF_ALONG_ARM
            cuff_y = shoulder_y + (hand_y - shoulder_y) * CUFF_ALONG_ARM
            disc(draw, cuff_x, cuff_y, CUFF_RADIUS * height, outfit.fur_trim)
        disc(draw, hand_x, hand_y, HAND_RADIUS * height, outfit.gloves)


# --- coat ---------------------------------------------------------------------------------------

COLLAR_Y, HEM_Y = 0.3, 0.68
SHOULDER_ROUNDING = 0.05
ROUND_BELLY_STOUTNESS = 1.1  # stouter than this: a round belly
BELLY_Y, BELLY_HALF_HEIGHT, BELLY_WIDTH_OF_HEM = 0.52, 0.15, 0.98
FUR_HEM_TOP_Y, FUR_HEM_BOTTOM_Y = 0.64, 0.7
FUR_BAND_HALF_WIDTH = 0.025  # the vertical fur band down the front
BUTTONS_PROBABILITY = 0.5  # of a coat without fur
BUTTON_YS = (0.4, 0.48, 0.56)
BUTTON_RADIUS = 0.012
BUTTON_SHADE = 0.5


def draw_coat(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """The coat: round shoulders, maybe a belly, then white fur or (half the time) buttons."""
    centre_x, height, coat = body.centre_x, body.height, outfit.coat
    shoulder, hem = body.shoulder_half_width, body.hem_half_width
    collar_y, hem_y = body.y(COLLAR_Y), body.y(HEM_Y)
    draw.polygon(
        [
            (centre_x - shoulder, collar_y),
            (centre_x + shoulder, collar_y),
            (centre_x + hem, hem_y),
            (centre_x - hem, hem_y),
        ],
        fill=coat,
    )
    ellipse(draw, centre_x, body.y(SHOULDER_Y), shoulder, SHOULDER_ROUNDING * height, coat)
    if body.stoutness > ROUND_BELLY_STOUTNESS:
        belly_width = hem * BELLY_WIDTH_OF_HEM
        ellipse(draw, centre_x, body.y(BELLY_Y), belly_width, BELLY_HALF_HEIGHT * height, coat)
    if outfit.fur_trim is not None:
        fur_hem = [centre_x - hem, body.y(FUR_HEM_TOP_Y), centre_x + hem, body.y(FUR_HEM_BOTTOM_Y)]
        rectangle(draw, fur_hem, fill=outfit.fur_trim)
        band_half_width = FUR_BAND_HALF_WIDTH * height
        band = [centre_x - band_half_width, collar_y, centre_x + band_half_width, hem_y]
        rectangle(draw, band, fill=outfit.fur_trim)
    elif rng.random() < BUTTONS_PROBABILITY:
        for button_y in BUTTON_YS:
            button_colour = shade(coat, BUTTON_SHADE)
            disc(draw, centre_x, body.y(button_y), BUTTON_RADIUS * height, button_colour)


# --- belt ---------------------------------------------------------------------------------------

BELT_TOP_Y, BELT_BOTTOM_Y = 0.52, 0.575
BELT_WIDTH_OF_HEM = 0.97
BUCKLE_HALF_WIDTH, BUCKLE_TOP_Y, BUCKLE_BOTTOM_Y = 0.035, 0.515, 0.58
BUCKLE_HOLE_HALF_WIDTH, BUCKLE_HOLE_TOP_Y, BUCKLE_HOLE_BOTTOM_Y = 0.018, 0.53, 0.565
GOLD = HsvRange(hue=(0.11, 0.15), saturation=(0.6, 0.9), value=(0.7, 1.0))


def draw_belt(draw: Draw, rng: np.random.Generator, body: Body) -> None:
    """A black belt with a gold buckle, across the waist."""
    centre_x, height = body.centre_x, body.height
    belt_half_width = body.hem_half_width * BELT_WIDTH_OF_HEM
    belt = centred_box(centre_x, belt_half_width, body.y(BELT_TOP_Y), body.y(BELT_BOTTOM_Y))
    rectangle(draw, belt, fill=BLACK_LEATHER)
    gold = GOLD.pick(rng)
    buckle_half_width = BUCKLE_HALF_WIDTH * height
    buckle = centred_box(centre_x, buckle_half_width, body.y(BUCKLE_TOP_Y), body.y(BUCKLE_BOTTOM_Y))
    rectangle(draw, buckle, fill=gold)
    hole_half_width = BUCKLE_HOLE_HALF_WIDTH * height
    hole = centred_box(
        centre_x, hole_half_width, body.y(BUCKLE_HOLE_TOP_Y), body.y(BUCKLE_HOLE_BOTTOM_Y)
    )
    rectangle(draw, hole, fill=BLACK_LEATHER)


def draw_clothed_body(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """Everything below the neck, back to front: legs, arms, coat, then the belt if worn."""
    draw_legs(draw, body, outfit)
    draw_arms(draw, rng, body, outfit)
    draw_coat(draw, rng, body, outfit)
    if outfit.belt:
        draw_belt(draw, rng, body)
