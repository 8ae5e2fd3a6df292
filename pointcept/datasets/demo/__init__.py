"""Procedural indoor rooms: the framework's built-in demo data set, so the README runs with no download.

A room is a floor, four walls (one with a door gap, some with a window) and 4-10 pieces of furniture built
from boxes and cylinders, placed without overlap at random headings. Points are sampled on the visible
*surfaces* at a roughly uniform area density, like a depth-sensor reconstruction: faces hidden by contact
(a leg under a seat, the floor under a cabinet) or facing a wall closely are dropped, density drifts
smoothly, small patches are missing and every point gets ~5 mm of noise. Colours come from per-class
palettes that overlap (wood, white, fabric are shared by several classes) under a per-scene light.

``superpoint`` imitates a mesh over-segmentation (ScanNet's ``segs.json``): every large face of every
primitive is one segment, split into ~1.3 m patches when big (walls, floor, a bed top); thin rims merge
into the face they border; small parts (a leg, a book) are one segment. By construction no segment
crosses an instance or class boundary, which is what GroupContrast's segment grouping assumes.

The generator uses only numpy and is a pure function of its seed; :class:`DemoDataset` reads what
:func:`write_demo_dataset` wrote through the ordinary :class:`DefaultDataset` path.

Modules, in the order a room is made: ``shapes`` (parts, objects, frames), ``materials`` (colours),
``furniture`` (one builder per class), ``layout`` (room shell and placement), ``superpoints`` (the
over-segmentation), ``sampling`` (points on faces), ``sensor`` (occlusion, holes, density, lighting),
``room`` (:func:`generate_room`), ``writer`` (:func:`write_demo_dataset`) and ``dataset``
(:class:`DemoDataset`). The class table lives in :mod:`pointcept.datasets.meta.demo`.
"""

from ..meta.demo import (
    BED, BOOKSHELF, CABINET, CHAIR, DEMO_CLASS_NAMES, DEMO_DETECTION_CLASS_NAMES, DEMO_THING_CLASSES, FLOOR,
    LAMP, SOFA, TABLE, UNLABELLED, WALL,
)  # fmt: skip
from .dataset import DemoDataset
from .room import GENERATOR_VERSION, SCENE_KEYS, generate_room, object_boxes
from .writer import scene_seed, write_demo_dataset, write_scene

__all__ = [
    "DEMO_CLASS_NAMES", "DEMO_DETECTION_CLASS_NAMES", "DEMO_THING_CLASSES", "FLOOR", "WALL", "CHAIR", "TABLE",
    "SOFA", "BED", "CABINET", "BOOKSHELF", "LAMP", "UNLABELLED", "GENERATOR_VERSION", "SCENE_KEYS",
    "DemoDataset", "generate_room", "object_boxes", "scene_seed", "write_demo_dataset", "write_scene",
]  # fmt: skip
