"""A standing person's head: neck, elf ears, hair, face and beard.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

Sizes inside the head are fractions of the head's radius (``body.head_radius``); the neck, the
ears' height and the beard's length are fractions of the person's height, like the rest of the
body (see :mod:`santa_lib.sources.embedded.body`).
"""

from __future__ import annotations

from santa_lib.sources.embedded.body import NO_HAT, Body, Outfit
from santa_lib.sources.embedded.colours import Colour, shade
from santa_lib.sources.embedded.shapes import (
    SIDES,
    Draw,
    centred_box,
    ellipse,
    line_width,
    rectangle,
)

NECK_TOP_Y, NECK_BOTTOM_Y = 0.26, 0.31
NECK_HALF_WIDTH = 0.035

# Elf ears: a triangle from the side of the head (fractions of the head's radius across, of the
# person's height up and down).
EAR_ROOT, EAR_TIP = 0.8, 1.6
EAR_TOP_RISE, EAR_TIP_RISE, EAR_BOTTOM_DROP = 0.02, 0.07, 0.03

HAIR_RISE, HAIR_HALF_WIDTH = 0.3, 1.1  # hair is an ellipse a little above and around the head
FACE_HALF_HEIGHT = 1.08  # the face is a little taller than wide

EYE_COLOUR: Colour = (30, 25, 25)
EYE_OFFSET, EYE_RISE, EYE_HALF_WIDTH, EYE_HALF_HEIGHT = 0.38, 0.15, 0.1, 0.12
NOSE_DROP, NOSE_HALF_WIDTH, NOSE_HALF_HEIGHT, NOSE_SHADE = 0.12, 0.14, 0.12, 0.85
MOUTH_DROP, MOUTH_HALF_WIDTH, MOUTH_THICKNESS, MOUTH_SHADE = 0.5, 0.3, 0.08, 0.6

BEARD_TOP_DROP = 0.05  # the beard starts just below the centre of the head...
BEARD_BOTTOM_Y, BEARD_POINT_Y = 0.44, 0.46  # ...and ends on the chest, in a point
BEARD_HALF_WIDTH, BEARD_POINT_HALF_WIDTH = 1.3, 1.25
SIDEBURN_INNER, SIDEBURN_OUTER, SIDEBURN_RISE = 0.75, 1.05, 0.6
MOUSTACHE_OFFSET, MOUSTACHE_DROP = 0.35, 0.3
MOUSTACHE_HALF_WIDTH, MOUSTACHE_HALF_HEIGHT = 0.42, 0.2


def _draw_neck_and_ears(draw: Draw, body: Body, outfit: Outfit, skin: Colour) -> None:
    """The neck, and pointed ears if the outfit asks for them."""
    centre_x, height = body.centre_x, body.height
    neck_half_width = NECK_HALF_WIDTH * height
    neck = centred_box(centre_x, neck_half_width, body.y(NECK_TOP_Y), body.y(NECK_BOTTOM_Y))
    rectangle(draw, neck, fill=skin)
    if not outfit.elf_ears:
        return
    radius, head_y = body.head_radius, body.head_y
    for side in SIDES:
        root_x = centre_x + side * radius * EAR_ROOT
        ear = [
            (root_x, head_y - EAR_TOP_RISE * height),
            (centre_x + side * radius * EAR_TIP, head_y - EAR_TIP_RISE * height),
            (root_x, head_y + EAR_BOTTOM_DROP * height),
        ]
        draw.polygon(ear, fill=skin)


def _draw_beard(draw: Draw, body: Body, beard: Colour) -> None:
    """A full beard from the chin to the chest, with sideburns and a moustache."""
    centre_x, radius, head_y = body.centre_x, body.head_radius, body.head_y
    beard_top, beard_bottom = head_y + radius * BEARD_TOP_DROP, body.y(BEARD_BOTTOM_Y)
    half_width = radius * BEARD_HALF_WIDTH
    draw.chord(
        [centre_x - half_width, 2 * beard_top - beard_bottom, centre_x + half_width, beard_bottom],
        0,
        180,
        fill=beard,
    )
    point_half_width = radius * BEARD_POINT_HALF_WIDTH
    draw.polygon(
        [
            (centre_x - point_half_width, beard_top),
            (centre_x + point_half_width, beard_top),
            (centre_x, body.y(BEARD_POINT_Y)),
        ],
        fill=beard,
    )
    for side in SIDES:  # sideburns, up to the hat
        sideburn = [
            centre_x + side * radius * SIDEBURN_INNER,
            head_y - radius * SIDEBURN_RISE,
            centre_x + side * radius * SIDEBURN_OUTER,
            beard_top + 1,
        ]
        rectangle(draw, sideburn, fill=beard)
    for side in SIDES:
        ellipse(
            draw,
            centre_x + side * radius * MOUSTACHE_OFFSET,
            head_y + radius * MOUSTACHE_DROP,
            radius * MOUSTACHE_HALF_WIDTH,
            radius * MOUSTACHE_HALF_HEIGHT,
            beard,
        )


def _draw_face(draw: Draw, body: Body, skin: Colour, bearded: bool) -> None:
    """Eyes, nose, and a mouth unless a beard hides it."""
    centre_x, radius, head_y = body.centre_x, body.head_radius, body.head_y
    for side in SIDES:
        ellipse(
            draw,
            centre_x + side * radius * EYE_OFFSET,
            head_y - radius * EYE_RISE,
            radius * EYE_HALF_WIDTH,
            radius * EYE_HALF_HEIGHT,
            EYE_COLOUR,
        )
    nose_y = head_y + radius * NOSE_DROP
    nose_colour = shade(skin, NOSE_SHADE)
    ellipse(
        draw, centre_x, nose_y, radius * NOSE_HALF_WIDTH, radius * NOSE_HALF_HEIGHT, nose_colour
    )
    if bearded:
        return
    mouth_y = head_y + radius * MOUTH_DROP
    mouth_half_width = radius * MOUTH_HALF_WIDTH
    draw.line(
        [(centre_x - mouth_half_width, mouth_y), (centre_x + mouth_half_width, mouth_y)],
        fill=shade(skin, MOUTH_SHADE),
        width=line_width(radius * MOUTH_THICKNESS),
    )


def draw_head(draw: Draw, body: Body, outfit: Outfit, skin: Colour, hair: Colour) -> None:
    """Neck, ears, hair (hidden under any hat), head, beard and face, back to front."""
    _draw_neck_and_ears(draw, body, outfit, skin)
    centre_x, radius, head_y = body.centre_x, body.head_radius, body.head_y
    if outfit.hat == NO_HAT:
        ellipse(draw, centre_x, head_y - radius * HAIR_RISE, radius * HAIR_HALF_WIDTH, radius, hair)
    ellipse(draw, centre_x, head_y, radius, radius * FACE_HALF_HEIGHT, skin)
    if outfit.beard is not None:
        _draw_beard(draw, body, outfit.beard)
    _draw_face(draw, body, skin, bearded=outfit.beard is not None)
