"""Hats for the synthetic people: Santa's hat, the elf's hat, a beanie, a cap and a top hat.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

Each hat sits on a *brim line* a little above the centre of the head. Sizes are fractions of
the head's radius, except the length of the pointed hats' tips: fractions of the person's height.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from santa_lib.sources.embedded.body import NO_HAT, Body, Outfit
from santa_lib.sources.embedded.colours import Colour, shade
from santa_lib.sources.embedded.shapes import Draw, centred_box, disc, random_side, rectangle

BRIM_RISE = 0.55  # the brim line of most hats, above the centre of the head

SANTA_BRIM_RISE = 0.75
SANTA_TIP_REACH, SANTA_TIP_RISE = (0.12, 0.22), (0.06, 0.14)  # the tip flops to one side
SANTA_CONE_HALF_WIDTH = 1.1
SANTA_BAND_HALF_WIDTH, SANTA_BAND_RISE, SANTA_BAND_DROP = 1.3, 0.3, 0.25
SANTA_BAND_CORNER_RADIUS = 0.25
POM_POM_RADIUS = 0.04
PLAIN_FUR: Colour = (240, 240, 240)

ELF_TIP_REACH, ELF_TIP_RISE = (-0.1, 0.1), (0.15, 0.25)  # tall and pointed
ELF_CONE_HALF_WIDTH, ELF_CONE_DROP = 1.05, 0.2
ELF_BAND_HALF_WIDTH, ELF_BAND_DROP = 1.1, 0.3

BEANIE_HALF_WIDTH, BEANIE_HALF_HEIGHT = 1.08, 0.9
BEANIE_CUFF_HALF_WIDTH, BEANIE_CUFF_RISE, BEANIE_CUFF_DROP, BEANIE_CUFF_SHADE = 1.1, 0.05, 0.25, 0.8
BOBBLE_PROBABILITY, BOBBLE_RISE, BOBBLE_RADIUS = 0.4, 0.85, 0.25

CAP_HALF_WIDTH, CAP_HALF_HEIGHT = 1.05, 0.8
PEAK_LENGTH, PEAK_RISE, PEAK_DROP = 1.6, 0.1, 0.12

TOP_HAT_HALF_WIDTH, TOP_HAT_TALL = 0.75, 1.4
TOP_HAT_BRIM_HALF_WIDTH, TOP_HAT_BRIM_RISE, TOP_HAT_BRIM_DROP = 1.2, 0.12, 0.1


def _santa_hat(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """A floppy cone with a white fur band and a pom-pom on its tip."""
    centre_x, radius, height = body.centre_x, body.head_radius, body.height
    brim = body.head_y - radius * SANTA_BRIM_RISE
    side = random_side(rng)
    tip = (
        centre_x + side * rng.uniform(*SANTA_TIP_REACH) * height,
        brim - rng.uniform(*SANTA_TIP_RISE) * height,
    )
    cone_half_width = radius * SANTA_CONE_HALF_WIDTH
    draw.polygon(
        [(centre_x - cone_half_width, brim), (centre_x + cone_half_width, brim), tip],
        fill=outfit.hat_colour,
    )
    fur = outfit.fur_trim or PLAIN_FUR
    band_half_width = radius * SANTA_BAND_HALF_WIDTH
    draw.rounded_rectangle(
        [
            centre_x - band_half_width,
            brim - radius * SANTA_BAND_RISE,
            centre_x + band_half_width,
            brim + radius * SANTA_BAND_DROP,
        ],
        radius=radius * SANTA_BAND_CORNER_RADIUS,
        fill=fur,
    )
    disc(draw, tip[0], tip[1], POM_POM_RADIUS * height, fur)


def _elf_hat(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """A tall pointed hat, with a band if the outfit has a trim."""
    centre_x, radius, height = body.centre_x, body.head_radius, body.height
    brim = body.head_y - radius * BRIM_RISE
    tip = (
        centre_x + rng.uniform(*ELF_TIP_REACH) * height,
        brim - rng.uniform(*ELF_TIP_RISE) * height,
    )
    cone_half_width, cone_bottom = radius * ELF_CONE_HALF_WIDTH, brim + radius * ELF_CONE_DROP
    draw.polygon(
        [(centre_x - cone_half_width, cone_bottom), (centre_x + cone_half_width, cone_bottom), tip],
        fill=outfit.hat_colour,
    )
    if outfit.fur_trim is not None:
        band_half_width = radius * ELF_BAND_HALF_WIDTH
        band = centred_box(centre_x, band_half_width, brim, brim + radius * ELF_BAND_DROP)
        rectangle(draw, band, fill=outfit.fur_trim)


def _beanie(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """A knitted dome with a darker cuff, sometimes a bobble."""
    centre_x, radius, colour = body.centre_x, body.head_radius, outfit.hat_colour
    brim = body.head_y - radius * BRIM_RISE
    half_width, half_height = radius * BEANIE_HALF_WIDTH, radius * BEANIE_HALF_HEIGHT
    dome = [centre_x - half_width, brim - half_height, centre_x + half_width, brim + half_height]
    draw.chord(dome, 180, 360, fill=colour)
    cuff_half_width = radius * BEANIE_CUFF_HALF_WIDTH
    cuff = centred_box(
        centre_x,
        cuff_half_width,
        brim - radius * BEANIE_CUFF_RISE,
        brim + radius * BEANIE_CUFF_DROP,
    )
    rectangle(draw, cuff, fill=shade(colour, BEANIE_CUFF_SHADE))
    if rng.random() < BOBBLE_PROBABILITY:
        disc(draw, centre_x, brim - radius * BOBBLE_RISE, radius * BOBBLE_RADIUS, colour)


def _cap(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """A baseball cap, its peak pointing left or right."""
    centre_x, radius, colour = body.centre_x, body.head_radius, outfit.hat_colour
    brim = body.head_y - radius * BRIM_RISE
    half_width, half_height = radius * CAP_HALF_WIDTH, radius * CAP_HALF_HEIGHT
    crown = [centre_x - half_width, brim - half_height, centre_x + half_width, brim + half_height]
    draw.chord(crown, 180, 360, fill=colour)
    side = random_side(rng)
    peak = [
        centre_x,
        brim - radius * PEAK_RISE,
        centre_x + side * radius * PEAK_LENGTH,
        brim + radius * PEAK_DROP,
    ]
    rectangle(draw, peak, fill=colour)


def _top_hat(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """A tall cylinder with a flat brim."""
    centre_x, radius, colour = body.centre_x, body.head_radius, outfit.hat_colour
    brim = body.head_y - radius * BRIM_RISE
    crown_half_width = radius * TOP_HAT_HALF_WIDTH
    crown = centred_box(centre_x, crown_half_width, brim - radius * TOP_HAT_TALL, brim)
    rectangle(draw, crown, fill=colour)
    brim_half_width = radius * TOP_HAT_BRIM_HALF_WIDTH
    flat_brim = centred_box(
        centre_x,
        brim_half_width,
        brim - radius * TOP_HAT_BRIM_RISE,
        brim + radius * TOP_HAT_BRIM_DROP,
    )
    rectangle(draw, flat_brim, fill=colour)


HatPainter = Callable[[Draw, np.random.Generator, Body, Outfit], None]

HATS: dict[str, HatPainter] = {
    "santa": _santa_hat,
    "elf": _elf_hat,
    "beanie": _beanie,
    "cap": _cap,
    "top": _top_hat,
}
"""Each hat by the name an :class:`~santa_lib.sources.embedded.body.Outfit` gives it."""


def draw_hat(draw: Draw, rng: np.random.Generator, body: Body, outfit: Outfit) -> None:
    """The outfit's hat on the person's head; nothing for :data:`NO_HAT`."""
    if outfit.hat != NO_HAT:
        HATS[outfit.hat](draw, rng, body, outfit)
