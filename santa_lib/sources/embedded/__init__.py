"""A synthetic, photo-like "Santa / not Santa" image set, drawn with PIL (notebook 00, "the data").

The lesson's original photos cannot be shipped, so this sub-package draws a stand-in data set on
the fly, which notebook 00 and the rest of the lesson use by default (``data_dir="embedded"``):
cartoon-ish Santas (red suit, white beard, red hat with a white trim and pom-pom, black belt,
sometimes a sack) against many kinds of "not Santa" pictures (people in other clothes, people in
red without the beard and hat, bearded people, snowmen, elves, trees, houses, cars, reindeer,
gifts). Backgrounds, position, scale, lighting, blur and noise vary, so the task is learnable but
not solved by counting red pixels. Students may skip it: the lesson only needs
:func:`embedded_data_dir`.

Everything is deterministic: each image gets its own random generator seeded from
``(seed, split, class, index)``, so the same seed always gives the same bytes, whatever order the
images are drawn in.

Typical use::

    from santa_lib.sources.embedded import embedded_data_dir

    data_dir = embedded_data_dir()  # generated on first use, then cached
    train_dir = data_dir / "train"  # train/not_santa/*.jpg, train/santa/*.jpg

The modules, from the bottom up:

- ``colours``      HSV colour ranges, shading, the shared palettes
- ``shapes``       ellipses, rectangles, limbs, and the painter type every figure follows
- ``body``         a person's build and outfit; legs, arms, coat and belt
- ``head``         neck, ears, hair, face and beard
- ``hats``         Santa's, the elf's and everyday hats
- ``people``       Santa, ordinary people and elves: one person drawing, three outfits
- ``christmas``    Santa's sack, decorated trees, wrapped gifts
- ``winter``       snowmen and reindeer
- ``town``         houses and cars
- ``backgrounds``  skies over snow, rooms, textures, studio colour
- ``picture``      one picture: background, props, the main figure, photo finish
- ``dataset``      the data set on disk: layout, marker file, atomic writing, the cache folder
"""

from santa_lib.sources.embedded.dataset import (
    CLASS_NAMES,
    GENERATOR_VERSION,
    MARKER_FILE,
    SPLIT_SIZES,
    embedded_data_dir,
    generate_dataset,
)
from santa_lib.sources.embedded.picture import draw_image

__all__ = [
    "CLASS_NAMES",
    "GENERATOR_VERSION",
    "MARKER_FILE",
    "SPLIT_SIZES",
    "draw_image",
    "embedded_data_dir",
    "generate_dataset",
]
