"""A synthetic, photo-like "Santa / not Santa" image set, drawn with PIL.

The lesson's original photos cannot be shipped, so this module draws a
stand-in data set on the fly: cartoon-ish Santas (red suit, white beard,
red hat with a white trim and pom-pom, black belt, sometimes a sack) against
many kinds of "not Santa" pictures (people in other clothes, people in red
without the beard and hat, bearded people, snowmen, elves, trees, houses,
cars, reindeer, gifts).  Backgrounds, position, scale, lighting, blur and
noise vary, so the task is learnable but not solved by counting red pixels.

Everything is deterministic: each image gets its own random generator seeded
from ``(seed, split, class, index)``, so the same seed always gives the same
bytes, whatever order the images are drawn in.

Typical use::

    from santa_lib.embedded import embedded_data_dir

    data_dir = embedded_data_dir()  # generated on first use, then cached
    train_dir = data_dir / "train"  # train/not_santa/*.jpg, train/santa/*.jpg
"""

from __future__ import annotations

import colorsys
import json
import operator
import os
import pathlib
import shutil
import tempfile
from collections.abc import Callable, Mapping

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from santa_lib.cache import default_cache_dir

__all__ = [
    "CLASS_NAMES",
    "GENERATOR_VERSION",
    "MARKER_FILE",
    "SPLIT_SIZES",
    "default_cache_dir",
    "draw_image",
    "embedded_data_dir",
    "generate_dataset",
]

CLASS_NAMES: tuple[str, str] = ("not_santa", "santa")
"""Class folder names; index 1 (``"santa"``) is the positive class."""

SPLIT_SIZES: dict[str, int] = {"train": 542, "validation": 200, "test": 180}
"""Default number of images per split (both classes together)."""

GENERATOR_VERSION: int = 5
"""Bumped whenever the drawing changes; part of the cache folder name."""

MARKER_FILE = ".santa_lib_embedded"
"""Name of the file written inside every folder this module created."""

_SPLITS: tuple[str, ...] = ("train", "validation", "test")
_SUPERSAMPLE = 2  # draw at 2x and downscale: smooth, anti-aliased edges
_JPEG_QUALITY = 90

Color = tuple[int, int, int]
Draw = ImageDraw.ImageDraw


# ---------------------------------------------------------------------------
# Colour helpers
# ---------------------------------------------------------------------------


def _hsv(h: float, s: float, v: float) -> Color:
    r, g, b = colorsys.hsv_to_rgb(h % 1.0, min(max(s, 0.0), 1.0), min(max(v, 0.0), 1.0))
    return (round(r * 255), round(g * 255), round(b * 255))


def _shade(color: Color, factor: float) -> Color:
    return tuple(int(min(255, max(0, c * factor))) for c in color)  # type: ignore[return-value]


def _red(rng: np.random.Generator) -> Color:
    """A Santa-suit red (also used for red cars, coats, houses, ...)."""
    return _hsv(rng.uniform(-0.025, 0.02), rng.uniform(0.75, 1.0), rng.uniform(0.55, 0.95))


def _white(rng: np.random.Generator) -> Color:
    v = rng.uniform(0.86, 1.0)
    return _hsv(rng.uniform(0.0, 1.0), rng.uniform(0.0, 0.07), v)


def _other_color(rng: np.random.Generator, s_min: float = 0.35) -> Color:
    """A saturated colour that is not red."""
    return _hsv(rng.uniform(0.06, 0.94), rng.uniform(s_min, 0.95), rng.uniform(0.3, 0.9))


def _clothing(rng: np.random.Generator) -> Color:
    """Colour of ordinary clothing: any hue, grey, black, brown, or red."""
    kind = rng.integers(0, 6)
    if kind == 0:
        return _hsv(0.0, 0.0, rng.uniform(0.1, 0.75))  # black / grey
    if kind == 1:
        return _hsv(rng.uniform(0.05, 0.11), rng.uniform(0.4, 0.8), rng.uniform(0.25, 0.6))
    if kind == 2:
        return _red(rng)
    return _other_color(rng)


def _skin(rng: np.random.Generator) -> Color:
    return _hsv(rng.uniform(0.04, 0.09), rng.uniform(0.25, 0.6), rng.uniform(0.35, 0.98))


# ---------------------------------------------------------------------------
# Backgrounds (numpy arrays, float32 HxWx3 in 0..255)
# ---------------------------------------------------------------------------


def _vgradient(n: int, top: Color, bottom: Color, rows: int | None = None) -> np.ndarray:
    """An ``rows`` x ``n`` vertical gradient (``rows`` defaults to ``n``)."""
    rows = n if rows is None else rows
    t = np.linspace(0.0, 1.0, rows, dtype=np.float32)[:, None, None]
    a = np.asarray(top, np.float32)[None, None, :]
    b = np.asarray(bottom, np.float32)[None, None, :]
    return np.broadcast_to(a + (b - a) * t, (rows, n, 3)).copy()


def _blotches(rng: np.random.Generator, n: int, amp: float, cells: int) -> np.ndarray:
    """Smooth random texture: a coarse random grid upsampled bicubically."""
    coarse = rng.uniform(0, 255, (cells, cells, 3)).astype(np.uint8)
    img = Image.fromarray(coarse).resize((n, n), Image.Resampling.BICUBIC)
    return (np.asarray(img, np.float32) - 127.5) * (amp / 127.5)


def _background(rng: np.random.Generator, n: int) -> tuple[np.ndarray, int]:
    """Return ``(pixels, ground_y)``: figures stand on or near ``ground_y``."""
    kind = rng.choice(6, p=[0.28, 0.15, 0.28, 0.07, 0.06, 0.16])
    ground = int(n * rng.uniform(0.6, 0.85))
    if kind in (0, 1):  # outdoors: day sky or dusk/night sky, snowy ground
        if kind == 0:
            sky_top = _hsv(rng.uniform(0.55, 0.65), rng.uniform(0.3, 0.7), rng.uniform(0.6, 0.95))
            sky_bottom = _hsv(
                rng.uniform(0.52, 0.62), rng.uniform(0.05, 0.3), rng.uniform(0.8, 1.0)
            )
        else:
            sky_top = _hsv(rng.uniform(0.6, 0.75), rng.uniform(0.4, 0.8), rng.uniform(0.08, 0.3))
            sky_bottom = _hsv(rng.uniform(0.6, 0.95), rng.uniform(0.2, 0.6), rng.uniform(0.25, 0.6))
        arr = _vgradient(n, sky_top, sky_bottom)
        snow = _vgradient(n, _white(rng), _shade(_white(rng), rng.uniform(0.75, 0.95)), n - ground)
        if kind == 1:
            snow *= rng.uniform(0.45, 0.75)
        arr[ground:] = snow
    elif kind == 2:  # room: wall (sometimes red or striped) and floor
        wall = (
            _clothing(rng)
            if rng.random() < 0.6
            else _hsv(rng.uniform(0.05, 0.15), rng.uniform(0.1, 0.4), rng.uniform(0.6, 0.95))
        )
        arr = _vgradient(n, wall, _shade(wall, rng.uniform(0.7, 1.0)))
        if rng.random() < 0.4:  # wallpaper stripes
            period = int(rng.integers(8, 24))
            stripe = (np.arange(n) // period) % 2 == 0
            arr[:, stripe] *= rng.uniform(0.8, 0.95)
        floor = _hsv(rng.uniform(0.04, 0.12), rng.uniform(0.3, 0.7), rng.uniform(0.2, 0.6))
        arr[ground:] = _vgradient(n, floor, _shade(floor, 1.3), n - ground)
        if rng.random() < 0.5:  # a window with the sky behind
            x0 = int(rng.uniform(0.05, 0.6) * n)
            y0 = int(rng.uniform(0.05, 0.25) * n)
            w = int(rng.uniform(0.2, 0.35) * n)
            arr[y0 : y0 + w, x0 : x0 + w] = _hsv(rng.uniform(0.55, 0.7), 0.5, rng.uniform(0.2, 0.9))
    elif kind == 3:  # smooth random texture
        arr = _vgradient(n, _clothing(rng), _clothing(rng))
        arr += _blotches(rng, n, rng.uniform(30, 70), int(rng.integers(3, 8)))
    elif kind == 4:  # fine random texture (fabric, leaves, gravel ...)
        base = _clothing(rng) if rng.random() < 0.7 else _white(rng)
        arr = _vgradient(n, base, _shade(base, rng.uniform(0.6, 1.2)))
        arr += _blotches(rng, n, rng.uniform(15, 40), int(rng.integers(12, 30)))
    else:  # flat studio colour with a soft vignette
        base = _clothing(rng) if rng.random() < 0.7 else _white(rng)
        ramp = np.linspace(-0.5, 0.5, n, dtype=np.float32) ** 2
        fall = 1.0 - rng.uniform(0.2, 0.6) * (ramp[None, :] + ramp[:, None]) * 2
        arr = np.asarray(base, np.float32)[None, None, :] * fall[:, :, None]
        ground = int(n * rng.uniform(0.85, 1.0))
    return arr, ground


# ---------------------------------------------------------------------------
# Figures.  Each takes the feet position (cx, by) and the height h in pixels.
# ---------------------------------------------------------------------------


def _ellipse(d: Draw, cx: float, cy: float, rx: float, ry: float, fill: Color) -> None:
    d.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], fill=fill)


def _rect(d: Draw, xy: list[float], fill: Color) -> None:
    x0, y0, x1, y1 = xy
    d.rectangle([min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)], fill=fill)


def _limb(d: Draw, p0: tuple[float, float], p1: tuple[float, float], w: float, fill: Color) -> None:
    d.line([p0, p1], fill=fill, width=max(1, round(w)))
    _ellipse(d, p0[0], p0[1], w / 2, w / 2, fill)
    _ellipse(d, p1[0], p1[1], w / 2, w / 2, fill)


def _person(
    d: Draw,
    rng: np.random.Generator,
    cx: float,
    by: float,
    h: float,
    *,
    coat: Color,
    pants: Color,
    boots: Color,
    gloves: Color,
    beard: Color | None = None,
    hat: str = "none",
    hat_color: Color = (0, 0, 0),
    trim: Color | None = None,
    belt: bool = False,
    elf_ears: bool = False,
) -> None:
    """A standing person; with the right arguments, Santa or an elf."""
    fat = rng.uniform(0.85, 1.3)
    top = by - h

    def y(f: float) -> float:
        return top + f * h

    skin = _skin(rng)
    hair = _hsv(rng.uniform(0.02, 0.12), rng.uniform(0.2, 0.8), rng.uniform(0.05, 0.6))
    if beard is not None and beard[0] > 200 and beard[2] > 200:
        hair = beard  # white-haired with a white beard
    sw, hw = 0.17 * h * fat, 0.21 * h * fat  # half widths: shoulders, hem
    leg_w = 0.085 * h * min(fat, 1.1)
    # legs and boots
    for side in (-1, 1):
        lx = cx + side * 0.06 * h
        _rect(d, [lx - leg_w / 2, y(0.62), lx + leg_w / 2, y(0.93)], fill=pants)
        d.rounded_rectangle(
            [lx - leg_w * 0.65 + side * 0.02 * h, y(0.89), lx + leg_w * 0.65 + side * 0.02 * h, by],
            radius=0.02 * h,
            fill=boots,
        )
    # arms (behind the torso edges), pose varies
    for side in (-1, 1):
        angle = rng.uniform(-0.4, 1.9)  # 0 = hanging down, >1.5 = raised / waving
        sx, sy = cx + side * sw * 0.92, y(0.33)
        length = 0.27 * h
        hand_x = sx + side * float(np.sin(angle)) * length
        hand_y = sy + float(np.cos(angle)) * length
        _limb(d, (sx, sy), (hand_x, hand_y), 0.085 * h * min(fat, 1.15), coat)
        if trim is not None:  # white fur cuffs
            cuff_x, cuff_y = sx + (hand_x - sx) * 0.85, sy + (hand_y - sy) * 0.85
            _ellipse(d, cuff_x, cuff_y, 0.05 * h, 0.05 * h, trim)
        _ellipse(d, hand_x, hand_y, 0.035 * h, 0.035 * h, gloves)
    # torso: a trapezoid coat
    d.polygon(
        [(cx - sw, y(0.3)), (cx + sw, y(0.3)), (cx + hw, y(0.68)), (cx - hw, y(0.68))],
        fill=coat,
    )
    _ellipse(d, cx, y(0.33), sw, 0.05 * h, coat)  # round shoulders
    if fat > 1.1:  # a round belly
        _ellipse(d, cx, y(0.52), hw * 0.98, 0.15 * h, coat)
    if trim is not None:  # white fur: hem and a vertical band
        _rect(d, [cx - hw, y(0.64), cx + hw, y(0.7)], fill=trim)
        _rect(d, [cx - 0.025 * h, y(0.3), cx + 0.025 * h, y(0.68)], fill=trim)
    elif rng.random() < 0.5:  # buttons or a zip
        for f in (0.4, 0.48, 0.56):
            _ellipse(d, cx, y(f), 0.012 * h, 0.012 * h, _shade(coat, 0.5))
    if belt:
        _rect(d, [cx - hw * 0.97, y(0.52), cx + hw * 0.97, y(0.575)], fill=(20, 16, 14))
        gold = _hsv(rng.uniform(0.11, 0.15), rng.uniform(0.6, 0.9), rng.uniform(0.7, 1.0))
        _rect(d, [cx - 0.035 * h, y(0.515), cx + 0.035 * h, y(0.58)], fill=gold)
        _rect(d, [cx - 0.018 * h, y(0.53), cx + 0.018 * h, y(0.565)], fill=(20, 16, 14))
    # neck, head, hair
    hr = 0.085 * h
    hy = y(0.2)
    _rect(d, [cx - 0.035 * h, y(0.26), cx + 0.035 * h, y(0.31)], fill=skin)
    if elf_ears:
        for side in (-1, 1):
            d.polygon(
                [
                    (cx + side * hr * 0.8, hy - 0.02 * h),
                    (cx + side * hr * 1.6, hy - 0.07 * h),
                    (cx + side * hr * 0.8, hy + 0.03 * h),
                ],
                fill=skin,
            )
    if hat == "none":
        _ellipse(d, cx, hy - hr * 0.3, hr * 1.1, hr, hair)
    _ellipse(d, cx, hy, hr, hr * 1.08, skin)
    # beard (drawn over the chin and upper chest)
    if beard is not None:
        b_top, b_bottom = hy + hr * 0.05, y(0.44)
        d.chord([cx - hr * 1.3, 2 * b_top - b_bottom, cx + hr * 1.3, b_bottom], 0, 180, fill=beard)
        d.polygon([(cx - hr * 1.25, b_top), (cx + hr * 1.25, b_top), (cx, y(0.46))], fill=beard)
        for side in (-1, 1):  # sideburns up to the hat
            _rect(
                d,
                [cx + side * hr * 0.75, hy - hr * 0.6, cx + side * hr * 1.05, b_top + 1],
                fill=beard,
            )
        _ellipse(d, cx - hr * 0.35, hy + hr * 0.3, hr * 0.42, hr * 0.2, beard)  # moustache
        _ellipse(d, cx + hr * 0.35, hy + hr * 0.3, hr * 0.42, hr * 0.2, beard)
    # face
    eye = (30, 25, 25)
    for side in (-1, 1):
        _ellipse(d, cx + side * hr * 0.38, hy - hr * 0.15, hr * 0.1, hr * 0.12, eye)
    _ellipse(d, cx, hy + hr * 0.12, hr * 0.14, hr * 0.12, _shade(skin, 0.85))
    if beard is None:
        d.line(
            [(cx - hr * 0.3, hy + hr * 0.5), (cx + hr * 0.3, hy + hr * 0.5)],
            fill=_shade(skin, 0.6),
            width=max(1, round(hr * 0.08)),
        )
    # hats
    brim = hy - hr * 0.55
    if hat == "santa":  # floppy cone with white band and pom-pom
        brim = hy - hr * 0.75
        side = 1 if rng.random() < 0.5 else -1
        tip = (cx + side * rng.uniform(0.12, 0.22) * h, brim - rng.uniform(0.06, 0.14) * h)
        d.polygon([(cx - hr * 1.1, brim), (cx + hr * 1.1, brim), tip], fill=hat_color)
        d.rounded_rectangle(
            [cx - hr * 1.3, brim - hr * 0.3, cx + hr * 1.3, brim + hr * 0.25],
            radius=hr * 0.25,
            fill=trim or (240, 240, 240),
        )
        _ellipse(d, tip[0], tip[1], 0.04 * h, 0.04 * h, trim or (240, 240, 240))
    elif hat == "elf":  # tall pointed hat
        tip = (cx + rng.uniform(-0.1, 0.1) * h, brim - rng.uniform(0.15, 0.25) * h)
        d.polygon(
            [(cx - hr * 1.05, brim + hr * 0.2), (cx + hr * 1.05, brim + hr * 0.2), tip],
            fill=hat_color,
        )
        if trim is not None:
            _rect(d, [cx - hr * 1.1, brim, cx + hr * 1.1, brim + hr * 0.3], fill=trim)
    elif hat == "beanie":
        d.chord(
            [cx - hr * 1.08, brim - hr * 0.9, cx + hr * 1.08, brim + hr * 0.9],
            180,
            360,
            fill=hat_color,
        )
        _rect(
            d,
            [cx - hr * 1.1, brim - hr * 0.05, cx + hr * 1.1, brim + hr * 0.25],
            fill=_shade(hat_color, 0.8),
        )
        if rng.random() < 0.4:
            _ellipse(d, cx, brim - hr * 0.85, hr * 0.25, hr * 0.25, hat_color)
    elif hat == "cap":
        d.chord(
            [cx - hr * 1.05, brim - hr * 0.8, cx + hr * 1.05, brim + hr * 0.8],
            180,
            360,
            fill=hat_color,
        )
        side = 1 if rng.random() < 0.5 else -1
        _rect(d, [cx, brim - hr * 0.1, cx + side * hr * 1.6, brim + hr * 0.12], fill=hat_color)
    elif hat == "top":
        _rect(d, [cx - hr * 0.75, brim - hr * 1.4, cx + hr * 0.75, brim], fill=hat_color)
        _rect(d, [cx - hr * 1.2, brim - hr * 0.12, cx + hr * 1.2, brim + hr * 0.1], fill=hat_color)


def _sack(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    color = _hsv(rng.uniform(0.06, 0.12), rng.uniform(0.35, 0.7), rng.uniform(0.35, 0.75))
    r = h * rng.uniform(0.16, 0.22)
    _ellipse(d, cx, by - r, r, r * 1.05, color)
    d.polygon(
        [(cx - r * 0.35, by - r * 1.8), (cx + r * 0.35, by - r * 1.8), (cx, by - r * 2.4)],
        fill=color,
    )
    _rect(d, [cx - r * 0.3, by - r * 1.95, cx + r * 0.3, by - r * 1.8], fill=_shade(color, 0.6))


def _santa(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    red = _red(rng)
    white = _white(rng)
    if rng.random() < 0.35:
        side = 1 if rng.random() < 0.5 else -1
        _sack(d, rng, cx + side * 0.3 * h, by, h)
    _person(
        d,
        rng,
        cx,
        by,
        h,
        coat=red,
        pants=red if rng.random() < 0.7 else (25, 20, 20),
        boots=(20, 16, 14),
        gloves=(20, 16, 14) if rng.random() < 0.5 else white,
        beard=white,
        hat="santa",
        hat_color=_shade(red, rng.uniform(0.9, 1.1)),
        trim=white,
        belt=True,
    )


def _other_person(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    """Not Santa: ordinary clothes, sometimes red, sometimes a (non-white) beard."""
    red_suit = rng.random() < 0.06  # red coat, but no white beard / Santa hat
    coat = _red(rng) if red_suit else _clothing(rng)
    beard = None
    r = rng.random()
    if r < 0.3:
        beard = _hsv(rng.uniform(0.04, 0.1), rng.uniform(0.3, 0.8), rng.uniform(0.1, 0.5))
    elif r < 0.45:
        beard = _hsv(0.0, 0.0, rng.uniform(0.35, 0.6))  # grey
    hat = str(rng.choice(["none", "beanie", "cap", "top"], p=[0.4, 0.3, 0.2, 0.1]))
    hat_color = _red(rng) if rng.random() < 0.08 else _clothing(rng)
    _person(
        d,
        rng,
        cx,
        by,
        h,
        coat=coat,
        pants=_clothing(rng),
        boots=_clothing(rng) if rng.random() < 0.5 else (25, 20, 18),
        gloves=_clothing(rng),
        beard=beard,
        hat=hat,
        hat_color=hat_color,
        belt=rng.random() < 0.3,
        trim=None,
    )


def _elf(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    green = _hsv(rng.uniform(0.25, 0.4), rng.uniform(0.5, 0.95), rng.uniform(0.3, 0.8))
    trim = _red(rng) if rng.random() < 0.25 else (_white(rng) if rng.random() < 0.5 else None)
    _person(
        d,
        rng,
        cx,
        by,
        h,
        coat=green,
        pants=_red(rng) if rng.random() < 0.12 else _shade(green, 0.8),
        boots=_red(rng) if rng.random() < 0.12 else (30, 22, 18),
        gloves=green,
        hat="elf",
        hat_color=_shade(green, rng.uniform(0.8, 1.1)) if rng.random() < 0.88 else _red(rng),
        trim=trim if trim is not None and rng.random() < 0.5 else None,
        belt=rng.random() < 0.5,
        elf_ears=True,
    )


def _snowman(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    white = _white(rng)
    r1, r2, r3 = 0.21 * h, 0.15 * h, 0.1 * h
    c1, c2 = by - r1, by - 2 * r1 - r2 * 0.8
    c3 = c2 - r2 - r3 * 0.8
    for angle_side in (-1, 1):  # stick arms
        d.line(
            [
                (cx + angle_side * r2 * 0.8, c2),
                (cx + angle_side * r2 * 2.4, c2 - rng.uniform(-0.5, 1.0) * r2),
            ],
            fill=(80, 50, 25),
            width=max(1, round(h * 0.02)),
        )
    _ellipse(d, cx, c1, r1, r1 * 0.95, white)
    _ellipse(d, cx, c2, r2, r2 * 0.95, _shade(white, 0.98))
    _ellipse(d, cx, c3, r3, r3, white)
    coal = (25, 25, 30)
    for f in (-0.35, 0.0, 0.35):
        _ellipse(d, cx, c2 + f * r2, r2 * 0.09, r2 * 0.09, coal)
    for side in (-1, 1):
        _ellipse(d, cx + side * r3 * 0.35, c3 - r3 * 0.2, r3 * 0.1, r3 * 0.1, coal)
    d.polygon([(cx, c3), (cx, c3 + r3 * 0.2), (cx + r3 * 1.1, c3 + r3 * 0.15)], fill=(240, 120, 20))
    scarf = _red(rng) if rng.random() < 0.15 else _clothing(rng)
    _rect(d, [cx - r3 * 1.05, c3 + r3 * 0.75, cx + r3 * 1.05, c3 + r3 * 1.05], fill=scarf)
    _rect(d, [cx + r3 * 0.3, c3 + r3 * 0.8, cx + r3 * 0.6, c3 + r3 * 1.9], fill=scarf)
    hat = rng.integers(0, 3)
    if hat == 0:
        _rect(d, [cx - r3 * 0.6, c3 - r3 * 1.9, cx + r3 * 0.6, c3 - r3 * 0.7], fill=coal)
        _rect(d, [cx - r3 * 1.0, c3 - r3 * 0.85, cx + r3 * 1.0, c3 - r3 * 0.65], fill=coal)
    elif hat == 1:
        col = _red(rng) if rng.random() < 0.2 else _clothing(rng)
        d.chord([cx - r3, c3 - r3 * 1.6, cx + r3, c3 - r3 * 0.1], 180, 360, fill=col)


def _tree(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    trunk = _hsv(rng.uniform(0.05, 0.09), 0.6, rng.uniform(0.2, 0.45))
    green = _hsv(rng.uniform(0.27, 0.4), rng.uniform(0.5, 0.9), rng.uniform(0.2, 0.55))
    w = h * rng.uniform(0.3, 0.42)
    _rect(d, [cx - w * 0.12, by - h * 0.15, cx + w * 0.12, by], fill=trunk)
    layers = int(rng.integers(3, 5))
    snowy = rng.random() < 0.3
    for i in range(layers):
        f = i / layers
        base_y = by - h * (0.12 + 0.8 * f)
        half = w * (1.0 - 0.7 * f)
        top_y = base_y - h * 0.9 / layers * 1.5
        d.polygon(
            [(cx - half, base_y), (cx + half, base_y), (cx, top_y)],
            fill=_shade(green, 1.0 + 0.08 * i),
        )
        if snowy:
            d.polygon(
                [
                    (cx - half * 0.3, top_y + (base_y - top_y) * 0.7),
                    (cx + half * 0.3, top_y + (base_y - top_y) * 0.7),
                    (cx, top_y),
                ],
                fill=_white(rng),
            )
    if rng.random() < 0.7:  # decorations, often red
        for _ in range(int(rng.integers(4, 12))):
            f = rng.uniform(0.1, 0.85)
            oy = by - h * (0.12 + 0.8 * f)
            ox = cx + rng.uniform(-1, 1) * w * (1.0 - 0.8 * f) * 0.8
            col = _red(rng) if rng.random() < 0.5 else _other_color(rng, 0.6)
            _ellipse(d, ox, oy, h * 0.025, h * 0.025, col)
        star = _hsv(0.14, 0.8, 1.0)
        _ellipse(d, cx, by - h * 0.98, h * 0.035, h * 0.035, star)


def _house(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    wall = _red(rng) if rng.random() < 0.25 else _clothing(rng)
    w = h * rng.uniform(0.55, 0.9)
    wall_top = by - h * 0.55
    _rect(d, [cx - w / 2, wall_top, cx + w / 2, by], fill=wall)
    roof = (
        _white(rng)
        if rng.random() < 0.5
        else (
            _red(rng)
            if rng.random() < 0.3
            else _hsv(rng.uniform(0, 0.1), 0.4, rng.uniform(0.15, 0.4))
        )
    )
    if rng.random() < 0.5:
        _rect(d, [cx + w * 0.2, by - h * 0.95, cx + w * 0.32, by - h * 0.7], fill=_shade(wall, 0.7))
    d.polygon([(cx - w * 0.6, wall_top), (cx + w * 0.6, wall_top), (cx, by - h)], fill=roof)
    window = _hsv(rng.uniform(0.1, 0.16), rng.uniform(0.3, 0.8), rng.uniform(0.7, 1.0))
    for side in (-1, 1):
        wx = cx + side * w * 0.27
        _rect(d, [wx - w * 0.1, by - h * 0.42, wx + w * 0.1, by - h * 0.25], fill=window)
        d.line(
            [(wx, by - h * 0.42), (wx, by - h * 0.25)],
            fill=_white(rng),
            width=max(1, round(h * 0.01)),
        )
    _rect(d, [cx - w * 0.08, by - h * 0.28, cx + w * 0.08, by], fill=_clothing(rng))


def _car(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    body = (
        _red(rng) if rng.random() < 0.3 else (_white(rng) if rng.random() < 0.2 else _clothing(rng))
    )
    w = h * rng.uniform(0.95, 1.2)
    ch = w * 0.42  # a car is wide and low
    glass = _hsv(rng.uniform(0.5, 0.6), rng.uniform(0.2, 0.5), rng.uniform(0.5, 0.9))
    d.polygon(
        [
            (cx - w * 0.3, by - ch * 0.55),
            (cx - w * 0.18, by - ch),
            (cx + w * 0.2, by - ch),
            (cx + w * 0.32, by - ch * 0.55),
        ],
        fill=body,
    )
    d.polygon(
        [
            (cx - w * 0.25, by - ch * 0.58),
            (cx - w * 0.16, by - ch * 0.9),
            (cx + w * 0.18, by - ch * 0.9),
            (cx + w * 0.27, by - ch * 0.58),
        ],
        fill=glass,
    )
    d.rounded_rectangle(
        [cx - w / 2, by - ch * 0.6, cx + w / 2, by - ch * 0.15], radius=ch * 0.12, fill=body
    )
    for side in (-1, 1):
        wx = cx + side * w * 0.3
        _ellipse(d, wx, by - ch * 0.15, ch * 0.18, ch * 0.18, (20, 20, 22))
        _ellipse(d, wx, by - ch * 0.15, ch * 0.08, ch * 0.08, (150, 150, 155))
    _ellipse(d, cx + w * 0.47, by - ch * 0.45, ch * 0.05, ch * 0.05, (250, 240, 180))


def _reindeer(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    fur = _hsv(rng.uniform(0.05, 0.1), rng.uniform(0.4, 0.8), rng.uniform(0.3, 0.7))
    side = 1 if rng.random() < 0.5 else -1
    bw, bh = h * 0.35, h * 0.15
    body_y = by - h * 0.5
    for lx in (-0.7, -0.45, 0.45, 0.7):
        _rect(
            d,
            [cx + lx * bw - h * 0.025, body_y, cx + lx * bw + h * 0.025, by],
            fill=_shade(fur, 0.85),
        )
    _ellipse(d, cx, body_y, bw, bh, fur)
    _ellipse(d, cx - side * bw * 0.95, body_y - bh * 0.4, h * 0.04, h * 0.04, _white(rng))
    nx, ny = cx + side * bw * 0.85, body_y - h * 0.25
    _limb(d, (cx + side * bw * 0.6, body_y - bh * 0.3), (nx, ny), h * 0.08, fur)
    _ellipse(d, nx + side * h * 0.05, ny, h * 0.08, h * 0.055, fur)
    nose = _red(rng) if rng.random() < 0.4 else (30, 25, 25)
    _ellipse(d, nx + side * h * 0.13, ny + h * 0.01, h * 0.025, h * 0.025, nose)
    antler = _hsv(0.08, 0.4, rng.uniform(0.4, 0.8))
    aw = max(1, round(h * 0.018))
    for s2 in (-1, 1):
        ax, ay = nx + s2 * h * 0.03, ny - h * 0.04
        tx, ty = ax + s2 * h * 0.08, ay - h * 0.2
        d.line([(ax, ay), (tx, ty)], fill=antler, width=aw)
        for f in (0.4, 0.7):
            px, py = ax + (tx - ax) * f, ay + (ty - ay) * f
            d.line([(px, py), (px + s2 * h * 0.06, py - h * 0.03)], fill=antler, width=aw)


def _gifts(d: Draw, rng: np.random.Generator, cx: float, by: float, h: float) -> None:
    x = cx - h * 0.45
    for _ in range(int(rng.integers(1, 4))):
        gw = h * rng.uniform(0.25, 0.45)
        gh = h * rng.uniform(0.25, 0.6)
        box = _red(rng) if rng.random() < 0.3 else _other_color(rng, 0.5)
        ribbon = _white(rng) if rng.random() < 0.5 else _other_color(rng, 0.5)
        _rect(d, [x, by - gh, x + gw, by], fill=box)
        _rect(d, [x + gw * 0.42, by - gh, x + gw * 0.58, by], fill=ribbon)
        _rect(d, [x, by - gh * 0.6, x + gw, by - gh * 0.5], fill=ribbon)
        _ellipse(d, x + gw * 0.4, by - gh, gw * 0.15, gw * 0.1, ribbon)
        _ellipse(d, x + gw * 0.6, by - gh, gw * 0.15, gw * 0.1, ribbon)
        x += gw * rng.uniform(0.8, 1.1)


_Painter = Callable[[Draw, np.random.Generator, float, float, float], None]

_NOT_SANTA: tuple[tuple[_Painter, float], ...] = (
    (_other_person, 0.3),
    (_elf, 0.1),
    (_snowman, 0.12),
    (_tree, 0.1),
    (_house, 0.1),
    (_car, 0.1),
    (_reindeer, 0.1),
    (_gifts, 0.08),
)
_PROPS: tuple[_Painter, ...] = (_tree, _gifts, _house, _tree, _gifts)


def _soft_focus(sigma: float) -> ImageFilter.Kernel:
    """A 3x3 Gaussian blur kernel (much faster than ``GaussianBlur``)."""
    edge = float(np.exp(-0.5 / sigma**2))
    row = np.array([edge, 1.0, edge])
    kernel = np.outer(row, row)
    return ImageFilter.Kernel((3, 3), (kernel / kernel.sum()).ravel().tolist(), scale=1)


# ---------------------------------------------------------------------------
# Public drawing API
# ---------------------------------------------------------------------------


def draw_image(is_santa: bool, rng: np.random.Generator, size: int = 96) -> Image.Image:
    """Draw one synthetic photo-like picture.

    Args:
        is_santa: draw a Santa (``True``) or something else (``False``).
        rng: the random generator that decides everything about the picture;
            the same generator state always gives the same picture.
        size: width and height of the square result, in pixels (at least 16).

    Returns:
        An RGB :class:`PIL.Image.Image` of ``size`` x ``size`` pixels.
    """
    if size < 16:
        raise ValueError(f"size must be at least 16 pixels, got {size}")
    n = size * _SUPERSAMPLE
    # The background is smooth: compute it at the final size, then upscale.
    arr, ground = _background(rng, size)
    img = Image.fromarray(np.clip(arr, 0, 255, out=arr).astype(np.uint8), "RGB")
    img = img.resize((n, n), Image.Resampling.BILINEAR)
    ground *= _SUPERSAMPLE
    d = ImageDraw.Draw(img)

    # Background props (smaller, further away) in both classes.
    for _ in range(int(rng.choice(3, p=[0.85, 0.13, 0.02]))):
        prop = _PROPS[int(rng.integers(0, len(_PROPS)))]
        ph = n * rng.uniform(0.15, 0.35)
        prop(d, rng, n * rng.uniform(0.05, 0.95), ground - n * rng.uniform(0.0, 0.08), ph)

    # The main subject: 35 % to 90 % of the picture's height, mostly large (median about
    # 84 %): random-weight VGG19 features cannot pick out small figures reliably.
    h = n * (0.35 + 0.55 * rng.beta(6.0, 1.0))
    feet = min(n * 0.99, max(ground + n * rng.uniform(-0.05, 0.12), h + n * 0.01))
    half_w = 0.25 * h
    cx = float(np.clip(n * rng.normal(0.5, 0.15), half_w, max(half_w, n - half_w)))
    if is_santa:
        _santa(d, rng, cx, feet, h)
    else:
        weights = np.array([w for _, w in _NOT_SANTA])
        painter = _NOT_SANTA[int(rng.choice(len(_NOT_SANTA), p=weights / weights.sum()))][0]
        if painter is _car:  # wide: keep most of it in the picture
            cx = float(np.clip(cx, 0.5 * h, max(0.5 * h, n - 0.5 * h)))
        painter(d, rng, cx, feet, h)

    # Photo finish: downscale, lighting, colour cast, blur and sensor noise.
    img = img.reduce(_SUPERSAMPLE)  # box filter: average each 2x2 block
    img = img.filter(_soft_focus(rng.uniform(0.3, 0.9)))
    ramp = np.linspace(-0.5, 0.5, size, dtype=np.float32)
    gx, gy = rng.uniform(-0.5, 0.5, 2)
    light = 1.0 + gx * ramp[None, :] + gy * ramp[:, None]
    cast = (rng.uniform(0.88, 1.12, 3) * rng.uniform(0.8, 1.15)).astype(np.float32)
    out = np.asarray(img, np.float32) * light[:, :, None] * cast
    sigma = np.float32(rng.uniform(2.0, 8.0))
    out += rng.standard_normal(out.shape, dtype=np.float32) * sigma
    out += 0.5  # round, not truncate, in the conversion below
    return Image.fromarray(np.clip(out, 0, 255, out=out).astype(np.uint8), "RGB")


# ---------------------------------------------------------------------------
# Writing the data set to disk, safely and atomically
# ---------------------------------------------------------------------------


def _whole(value: object, what: str, minimum: int) -> int:
    """``value`` as an int, or a ValueError naming ``what``."""
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        number = None
    if number is None or isinstance(value, bool) or number < minimum:
        raise ValueError(f"{what} must be a whole number >= {minimum}, got {value!r}")
    return number


def _check_sizes(sizes: Mapping[str, int]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for split, count in sizes.items():
        if split not in _SPLITS:
            raise ValueError(f"unknown split {split!r}; expected some of {_SPLITS}")
        checked[split] = _whole(count, f"the size of split {split!r}", 0)
    return checked


def _class_counts(total: int) -> dict[str, int]:
    """Balanced counts; the odd image, if any, goes to santa."""
    return {CLASS_NAMES[0]: total // 2, CLASS_NAMES[1]: total - total // 2}


def _expected_files(sizes: Mapping[str, int]) -> list[pathlib.Path]:
    files = []
    for split, total in sizes.items():
        for name, count in _class_counts(total).items():
            files += [pathlib.Path(split, name, f"{name}_{i:04d}.jpg") for i in range(count)]
    return files


def _marker_content(seed: int, sizes: Mapping[str, int], image_px: int) -> dict[str, object]:
    return {
        "generator": "santa_lib.embedded",
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "sizes": dict(sizes),
        "image_px": image_px,
    }


def _state(folder: pathlib.Path, expected: dict[str, object]) -> str:
    """One of 'missing', 'empty', 'foreign', 'other', 'damaged', 'complete'."""
    if not folder.exists():
        return "missing"
    if not folder.is_dir():
        return "foreign"
    marker = folder / MARKER_FILE
    if not marker.is_file():
        return "foreign" if any(folder.iterdir()) else "empty"
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "damaged"
    if found != expected:
        return "other"
    sizes = expected["sizes"]
    assert isinstance(sizes, dict)
    if all((folder / rel).is_file() for rel in _expected_files(sizes)):
        return "complete"
    return "damaged"


def _refuse(folder: pathlib.Path, state: str) -> FileExistsError:
    reason = {
        "foreign": "exists and is not an empty folder made by santa_lib.embedded",
        "other": "holds a santa_lib.embedded data set made with other settings",
        "damaged": "was made by santa_lib.embedded but files are missing or damaged",
    }[state]
    hint = " (or delete it)" if state == "damaged" else ""
    return FileExistsError(
        f"{folder} {reason}; refusing to write there. Pick an empty or new folder{hint}."
    )


def _write_images(root: pathlib.Path, seed: int, sizes: Mapping[str, int], image_px: int) -> None:
    for split, total in sizes.items():
        split_id = _SPLITS.index(split)
        for name, count in _class_counts(total).items():
            class_id = CLASS_NAMES.index(name)
            folder = root / split / name
            folder.mkdir(parents=True)
            for index in range(count):
                rng = np.random.default_rng([seed, split_id, class_id, index])
                img = draw_image(class_id == 1, rng, image_px)
                img.save(folder / f"{name}_{index:04d}.jpg", format="JPEG", quality=_JPEG_QUALITY)


def generate_dataset(
    target: str | os.PathLike[str],
    seed: int = 0,
    sizes: Mapping[str, int] = SPLIT_SIZES,
    image_px: int = 96,
) -> pathlib.Path:
    """Write the synthetic data set to ``target`` and return its path.

    The layout is ``target/<split>/<class>/<class>_<index:04d>.jpg`` with the
    splits named in ``sizes`` and the classes in :data:`CLASS_NAMES`; each
    split is balanced (an odd image goes to ``santa``).

    The images are drawn in a temporary sibling folder that is renamed into
    place once complete, with :data:`MARKER_FILE` written last, so ``target``
    is either absent or complete.  If ``target`` already holds a complete data
    set with the same settings it is returned untouched; if two processes race,
    both end up with the same complete folder.  An existing empty ``target``
    folder is replaced by the new one.

    Args:
        target: folder to create.
        seed: random seed; the same seed gives byte-identical files.
        sizes: number of images per split (keys among train/validation/test).
        image_px: width and height of each image in pixels.

    Returns:
        ``target`` as a :class:`pathlib.Path`.

    Raises:
        FileExistsError: ``target`` exists and is not empty, and is not a
            complete data set made by this module with the same settings.
            Nothing in it is changed.
        ValueError: bad ``seed``, ``sizes`` or ``image_px``.
    """
    target = pathlib.Path(target).expanduser()
    checked = _check_sizes(sizes)
    seed = _whole(seed, "seed", 0)
    image_px = _whole(image_px, "image_px", 16)
    expected = _marker_content(seed, checked, image_px)

    state = _state(target, expected)
    if state == "complete":
        return target
    if state not in ("missing", "empty"):
        raise _refuse(target, state)

    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    work = pathlib.Path(tempfile.mkdtemp(dir=parent, prefix=f".{target.name}.tmp-"))
    try:
        staged = work / "data"  # made with os.mkdir, so the umask applies (not 0o700)
        staged.mkdir()
        _write_images(staged, seed, checked, image_px)
        (staged / MARKER_FILE).write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
        _move_into_place(staged, target, expected)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # only our own temporary folder
    return target


def _move_into_place(
    staged: pathlib.Path, target: pathlib.Path, expected: dict[str, object]
) -> None:
    """Atomically rename ``staged`` to ``target`` (which is absent or empty)."""
    for _attempt in range(3):
        try:
            os.rename(staged, target)  # POSIX: also replaces an empty target folder
            return
        except OSError:
            state = _state(target, expected)
            if state == "complete":  # another process won the race
                return
            if state == "empty":  # e.g. Windows will not rename over an empty folder
                try:
                    target.rmdir()  # only succeeds while it is still empty
                except OSError:
                    pass
                continue
            if state == "missing":
                continue
            raise _refuse(target, state) from None
    raise FileExistsError(f"could not move the generated data set into {target}; try again")


# ---------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------


def embedded_data_dir(
    cache_dir: str | os.PathLike[str] | None = None, seed: int = 0
) -> pathlib.Path:
    """Return the folder of the default-size data set, generating it on first use.

    The folder is ``<cache_dir>/embedded-v{GENERATOR_VERSION}-seed{seed}``,
    with ``cache_dir`` defaulting to :func:`default_cache_dir`.  It holds
    ``train``, ``validation`` and ``test`` folders, each with ``not_santa``
    and ``santa`` sub-folders of JPEG images (see :func:`generate_dataset`).
    Safe to call from several processes at once.
    """
    base = default_cache_dir() if cache_dir is None else pathlib.Path(cache_dir).expanduser()
    return generate_dataset(base / f"embedded-v{GENERATOR_VERSION}-seed{seed}", seed=seed)
