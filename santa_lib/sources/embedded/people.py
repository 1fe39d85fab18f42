"""Standing people for the synthetic pictures: Santa, ordinary people and elves.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

All three are one drawing, :func:`draw_person`, dressed in a different
:class:`~santa_lib.sources.embedded.body.Outfit`. Santa is the red coat with white fur, the white
beard, the Santa hat and the black belt; other people and elves share some of these (a red coat, a
beard, a belt) but never all of them.
"""

from __future__ import annotations

import numpy as np

from santa_lib.sources.embedded.body import STOUTNESS, Body, Outfit, draw_clothed_body
from santa_lib.sources.embedded.christmas import draw_sack
from santa_lib.sources.embedded.colours import (
    BLACK_LEATHER,
    Colour,
    HsvRange,
    clothing,
    santa_red,
    shade,
    skin,
    snow_white,
)
from santa_lib.sources.embedded.hats import draw_hat
from santa_lib.sources.embedded.head import draw_head
from santa_lib.sources.embedded.shapes import Draw, random_side

HAIR = HsvRange(hue=(0.02, 0.12), saturation=(0.2, 0.8), value=(0.05, 0.6))
WHITE_HAIR_MIN_CHANNEL = 200  # a beard this light in red and blue is white, and so is the hair


def draw_person(
    draw: Draw,
    rng: np.random.Generator,
    centre_x: float,
    feet_y: float,
    height: float,
    outfit: Outfit,
) -> None:
    """A standing person in ``outfit``, feet at ``(centre_x, feet_y)``, ``height`` pixels tall.

    The build, skin, hair and pose are random; the clothes, beard and hat come from ``outfit``.
    """
    body = Body(centre_x, feet_y, height, stoutness=rng.uniform(*STOUTNESS))
    skin_colour = skin(rng)
    hair = HAIR.pick(rng)
    beard = outfit.beard
    if (
        beard is not None
        and beard[0] > WHITE_HAIR_MIN_CHANNEL
        and beard[2] > WHITE_HAIR_MIN_CHANNEL
    ):
        hair = beard
    draw_clothed_body(draw, rng, body, outfit)
    draw_head(draw, body, outfit, skin_colour, hair)
    draw_hat(draw, rng, body, outfit)


# --- Santa --------------------------------------------------------------------------------------

SACK_PROBABILITY = 0.35
SACK_OFFSET = 0.3  # the sack stands beside Santa: this fraction of his height to one side
RED_TROUSERS_PROBABILITY = 0.7  # otherwise dark
DARK_TROUSERS: Colour = (25, 20, 20)
BLACK_GLOVES_PROBABILITY = 0.5  # otherwise white
SANTA_HAT_SHADES = (0.9, 1.1)  # the hat is a little lighter or darker than the coat


def draw_santa(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """Santa: red suit with white fur, white beard, Santa hat, black belt, sometimes a sack."""
    red = santa_red(rng)
    white = snow_white(rng)
    if rng.random() < SACK_PROBABILITY:
        sack_x = centre_x + random_side(rng) * SACK_OFFSET * height
        draw_sack(draw, rng, sack_x, feet_y, height)
    outfit = Outfit(
        coat=red,
        trousers=red if rng.random() < RED_TROUSERS_PROBABILITY else DARK_TROUSERS,
        boots=BLACK_LEATHER,
        gloves=BLACK_LEATHER if rng.random() < BLACK_GLOVES_PROBABILITY else white,
        beard=white,
        hat="santa",
        hat_colour=shade(red, rng.uniform(*SANTA_HAT_SHADES)),
        fur_trim=white,
        belt=True,
    )
    draw_person(draw, rng, centre_x, feet_y, height, outfit)


# --- other people -------------------------------------------------------------------------------

RED_COAT_PROBABILITY = 0.06  # a red coat, but never the white beard and Santa hat
BROWN_BEARD_BELOW, GREY_BEARD_BELOW = 0.3, 0.45  # a chance below these: 30 % brown, 15 % grey
BROWN_BEARD = HsvRange(hue=(0.04, 0.1), saturation=(0.3, 0.8), value=(0.1, 0.5))
GREY_BEARD = HsvRange(hue=0.0, saturation=0.0, value=(0.35, 0.6))
EVERYDAY_HATS = ("none", "beanie", "cap", "top")
EVERYDAY_HAT_PROBABILITIES = (0.4, 0.3, 0.2, 0.1)
RED_HAT_PROBABILITY = 0.08
COLOURED_BOOTS_PROBABILITY = 0.5  # otherwise dark brown
DARK_BOOTS: Colour = (25, 20, 18)
BELT_PROBABILITY = 0.3


def _everyday_beard(rng: np.random.Generator) -> Colour | None:
    """A brown or grey beard (never white), or none."""
    chance = rng.random()
    if chance < BROWN_BEARD_BELOW:
        return BROWN_BEARD.pick(rng)
    if chance < GREY_BEARD_BELOW:
        return GREY_BEARD.pick(rng)
    return None


def draw_other_person(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """Not Santa: ordinary clothes, sometimes red, sometimes a (non-white) beard."""
    coat = santa_red(rng) if rng.random() < RED_COAT_PROBABILITY else clothing(rng)
    beard = _everyday_beard(rng)
    hat = str(rng.choice(EVERYDAY_HATS, p=EVERYDAY_HAT_PROBABILITIES))
    hat_colour = santa_red(rng) if rng.random() < RED_HAT_PROBABILITY else clothing(rng)
    outfit = Outfit(
        coat=coat,
        trousers=clothing(rng),
        boots=clothing(rng) if rng.random() < COLOURED_BOOTS_PROBABILITY else DARK_BOOTS,
        gloves=clothing(rng),
        beard=beard,
        hat=hat,
        hat_colour=hat_colour,
        belt=rng.random() < BELT_PROBABILITY,
    )
    draw_person(draw, rng, centre_x, feet_y, height, outfit)


# --- elves --------------------------------------------------------------------------------------

ELF_GREEN = HsvRange(hue=(0.25, 0.4), saturation=(0.5, 0.95), value=(0.3, 0.8))
RED_TRIM_PROBABILITY, WHITE_TRIM_PROBABILITY = 0.25, 0.5  # white: of the trims that are not red
KEEP_TRIM_PROBABILITY = 0.5  # half of the trims drawn are left off again
RED_ELF_TROUSERS_PROBABILITY, RED_ELF_BOOTS_PROBABILITY = 0.12, 0.12
ELF_TROUSERS_SHADE = 0.8
ELF_BOOTS: Colour = (30, 22, 18)
GREEN_HAT_PROBABILITY, ELF_HAT_SHADES = 0.88, (0.8, 1.1)  # otherwise a red hat
ELF_BELT_PROBABILITY = 0.5


def _elf_trim(rng: np.random.Generator) -> Colour | None:
    """A red or white trim for the elf's hat band, or none."""
    if rng.random() < RED_TRIM_PROBABILITY:
        return santa_red(rng)
    return snow_white(rng) if rng.random() < WHITE_TRIM_PROBABILITY else None


def draw_elf(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """An elf: green clothes, pointed ears and a tall pointed hat."""
    green = ELF_GREEN.pick(rng)
    trim = _elf_trim(rng)
    outfit = Outfit(
        coat=green,
        trousers=(
            santa_red(rng)
            if rng.random() < RED_ELF_TROUSERS_PROBABILITY
            else shade(green, ELF_TROUSERS_SHADE)
        ),
        boots=santa_red(rng) if rng.random() < RED_ELF_BOOTS_PROBABILITY else ELF_BOOTS,
        gloves=green,
        hat="elf",
        hat_colour=(
            shade(green, rng.uniform(*ELF_HAT_SHADES))
            if rng.random() < GREEN_HAT_PROBABILITY
            else santa_red(rng)
        ),
        fur_trim=trim if trim is not None and rng.random() < KEEP_TRIM_PROBABILITY else None,
        belt=rng.random() < ELF_BELT_PROBABILITY,
        elf_ears=True,
    )
    draw_person(draw, rng, centre_x, feet_y, height, outfit)
