"""Town figures for the synthetic pictures: houses and cars.

Part of :mod:`santa_lib.sources.embedded`, the synthetic data set the lesson uses by default
(notebook 00, "the data"); students may skip this sub-package.

Each ``draw_*`` function is a :data:`~santa_lib.sources.embedded.shapes.Painter`: it draws its
figure standing at ``(centre_x, feet_y)``, about ``height`` pixels tall (a car is wider than tall).
Some houses and cars are red, so that red alone does not mean "Santa".
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
from santa_lib.sources.embedded.shapes import SIDES, Draw, centred_box, disc, line_width, rectangle

# --- house --------------------------------------------------------------------------------------

HOUSE_WIDTH, WALL_TALL = (0.55, 0.9), 0.55  # of the height: the roof takes the rest
WALL_RED_PROBABILITY = 0.25
SNOWY_ROOF_PROBABILITY, RED_ROOF_PROBABILITY = 0.5, 0.3  # red: of the roofs without snow
TILES = HsvRange(hue=(0, 0.1), saturation=0.4, value=(0.15, 0.4))
# Below, fractions of the house's width (across) or height (up).
ROOF_OVERHANG = 0.6  # half the roof's width
CHIMNEY_PROBABILITY, CHIMNEY_SHADE = 0.5, 0.7
CHIMNEY_LEFT, CHIMNEY_RIGHT, CHIMNEY_TOP, CHIMNEY_BOTTOM = 0.2, 0.32, 0.95, 0.7
LAMPLIGHT = HsvRange(hue=(0.1, 0.16), saturation=(0.3, 0.8), value=(0.7, 1.0))
WINDOW_OFFSET, WINDOW_HALF_WIDTH, WINDOW_TOP, WINDOW_BOTTOM = 0.27, 0.1, 0.42, 0.25
WINDOW_BAR_WIDTH = 0.01
DOOR_HALF_WIDTH, DOOR_TALL = 0.08, 0.28


def _roof_colour(rng: np.random.Generator) -> Colour:
    """Snow half the time, otherwise red tiles now and then, dark tiles mostly."""
    if rng.random() < SNOWY_ROOF_PROBABILITY:
        return snow_white(rng)
    return santa_red(rng) if rng.random() < RED_ROOF_PROBABILITY else TILES.pick(rng)


def _windows_and_door(
    draw: Draw,
    rng: np.random.Generator,
    centre_x: float,
    feet_y: float,
    height: float,
    width: float,
) -> None:
    """Two lit windows with a white bar each, and a door between them."""
    light = LAMPLIGHT.pick(rng)
    window_top, window_bottom = feet_y - height * WINDOW_TOP, feet_y - height * WINDOW_BOTTOM
    for side in SIDES:
        window_x = centre_x + side * width * WINDOW_OFFSET
        window_half_width = width * WINDOW_HALF_WIDTH
        window = centred_box(window_x, window_half_width, window_top, window_bottom)
        rectangle(draw, window, fill=light)
        draw.line(
            [(window_x, window_top), (window_x, window_bottom)],
            fill=snow_white(rng),
            width=line_width(height * WINDOW_BAR_WIDTH),
        )
    door_half_width = width * DOOR_HALF_WIDTH
    door = centred_box(centre_x, door_half_width, feet_y - height * DOOR_TALL, feet_y)
    rectangle(draw, door, fill=clothing(rng))


def draw_house(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """A house with a pointed roof, maybe a chimney, two lit windows and a door."""
    wall = santa_red(rng) if rng.random() < WALL_RED_PROBABILITY else clothing(rng)
    width = height * rng.uniform(*HOUSE_WIDTH)
    wall_top = feet_y - height * WALL_TALL
    rectangle(draw, [centre_x - width / 2, wall_top, centre_x + width / 2, feet_y], fill=wall)
    roof = _roof_colour(rng)
    if rng.random() < CHIMNEY_PROBABILITY:
        chimney = [
            centre_x + width * CHIMNEY_LEFT,
            feet_y - height * CHIMNEY_TOP,
            centre_x + width * CHIMNEY_RIGHT,
            feet_y - height * CHIMNEY_BOTTOM,
        ]
        rectangle(draw, chimney, fill=shade(wall, CHIMNEY_SHADE))
    eaves = width * ROOF_OVERHANG
    draw.polygon(
        [(centre_x - eaves, wall_top), (centre_x + eaves, wall_top), (centre_x, feet_y - height)],
        fill=roof,
    )
    _windows_and_door(draw, rng, centre_x, feet_y, height, width)


# --- car ----------------------------------------------------------------------------------------

CAR_RED_PROBABILITY, CAR_WHITE_PROBABILITY = 0.3, 0.2  # white: of the cars that are not red
CAR_WIDTH, CAR_TALL = (0.95, 1.2), 0.42  # width: of the height; tall: of the width
WINDSCREEN = HsvRange(hue=(0.5, 0.6), saturation=(0.2, 0.5), value=(0.5, 0.9))
# Outlines as (across, up) pairs: fractions of the car's width right of its centre, and of its
# height above the road. Below them, fractions of the car's width (x) or height (the rest).
CAB = ((-0.3, 0.55), (-0.18, 1.0), (0.2, 1.0), (0.32, 0.55))
WINDOWS = ((-0.25, 0.58), (-0.16, 0.9), (0.18, 0.9), (0.27, 0.58))
CAR_BODY_TOP, CAR_BODY_BOTTOM, CAR_CORNER_RADIUS = 0.6, 0.15, 0.12
WHEEL_OFFSET, WHEEL_Y, TYRE_RADIUS, HUBCAP_RADIUS = 0.3, 0.15, 0.18, 0.08
TYRE: Colour = (20, 20, 22)
HUBCAP: Colour = (150, 150, 155)
HEADLIGHT: Colour = (250, 240, 180)
HEADLIGHT_X, HEADLIGHT_Y, HEADLIGHT_RADIUS = 0.47, 0.45, 0.05


def _car_colour(rng: np.random.Generator) -> Colour:
    """Red now and then, sometimes white, otherwise any clothing colour."""
    if rng.random() < CAR_RED_PROBABILITY:
        return santa_red(rng)
    return snow_white(rng) if rng.random() < CAR_WHITE_PROBABILITY else clothing(rng)


def draw_car(
    draw: Draw, rng: np.random.Generator, centre_x: float, feet_y: float, height: float
) -> None:
    """A car seen from the side, wider than ``height`` and low, facing right."""
    paint = _car_colour(rng)
    width = height * rng.uniform(*CAR_WIDTH)
    car_height = width * CAR_TALL
    glass = WINDSCREEN.pick(rng)

    def outline(points: tuple[tuple[float, float], ...]) -> list[tuple[float, float]]:
        return [(centre_x + across * width, feet_y - up * car_height) for across, up in points]

    draw.polygon(outline(CAB), fill=paint)
    draw.polygon(outline(WINDOWS), fill=glass)
    body = [
        centre_x - width / 2,
        feet_y - car_height * CAR_BODY_TOP,
        centre_x + width / 2,
        feet_y - car_height * CAR_BODY_BOTTOM,
    ]
    draw.rounded_rectangle(body, radius=car_height * CAR_CORNER_RADIUS, fill=paint)
    for side in SIDES:
        wheel_x = centre_x + side * width * WHEEL_OFFSET
        wheel_y = feet_y - car_height * WHEEL_Y
        disc(draw, wheel_x, wheel_y, car_height * TYRE_RADIUS, TYRE)
        disc(draw, wheel_x, wheel_y, car_height * HUBCAP_RADIUS, HUBCAP)
    headlight_x = centre_x + width * HEADLIGHT_X
    headlight_y = feet_y - car_height * HEADLIGHT_Y
    disc(draw, headlight_x, headlight_y, car_height * HEADLIGHT_RADIUS, HEADLIGHT)
