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
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from pointcept.utils.io import atomic_write_text

from .builder import DATASETS
from .defaults import DefaultDataset

#: bump when the same seed starts producing different rooms
GENERATOR_VERSION = 1
DEMO_CLASS_NAMES: tuple[str, ...] = (
    "floor", "wall", "chair", "table", "sofa", "bed", "cabinet", "bookshelf", "lamp",
)  # fmt: skip
FLOOR, WALL, CHAIR, TABLE, SOFA, BED, CABINET, BOOKSHELF, LAMP = range(len(DEMO_CLASS_NAMES))
UNLABELLED = -1
#: classes whose points carry an instance id (everything but floor and wall)
DEMO_THING_CLASSES: tuple[int, ...] = (CHAIR, TABLE, SOFA, BED, CABINET, BOOKSHELF, LAMP)
#: per-point arrays of a scene, in the order they are written
SCENE_KEYS = ("coord", "color", "normal", "segment", "instance", "superpoint")

#: faces smaller than this (m^2) merge into their part's largest face, as thin rims do in a mesh segmenter
MIN_SEGMENT_AREA = 0.05
#: large faces are cut into patches about this wide (m)
PATCH_SIZE = 1.3
#: density relative to the floor: hand-held scans dwell on furniture and see walls at grazing angles
DENSITY_GAIN = {WALL: 0.7, FLOOR: 1.0}
OBJECT_DENSITY_GAIN = 1.5
FACE_NAMES = ("-x", "+x", "-y", "+y", "-z", "+z")
#: both end caps: legs and poles touch something at both ends
ENDS = ("-z", "+z")

#: base colours (RGB) of materials; classes draw from several, and several classes share one
MATERIALS: dict[str, tuple[tuple[int, int, int], ...]] = {
    "floor": ((176, 138, 96), (122, 88, 58), (128, 126, 120), (198, 188, 168), (88, 98, 118)),
    "wall": ((226, 224, 218), (218, 204, 182), (192, 196, 200), (186, 200, 214), (198, 210, 190)),
    "wood": ((168, 124, 80), (120, 84, 52), (190, 150, 105), (95, 65, 45)),
    "white": ((222, 222, 216), (235, 232, 225), (205, 208, 210)),
    "dark": ((48, 48, 52), (70, 62, 58), (35, 38, 45)),
    "fabric": ((112, 112, 118), (72, 92, 132), (88, 112, 82), (150, 60, 55), (190, 176, 150)),
    "leather": ((108, 70, 46), (40, 40, 42), (150, 100, 70)),
    "metal": ((168, 170, 172), (120, 122, 126)),
    "linen": ((232, 232, 226), (182, 198, 222), (222, 196, 200), (200, 210, 190)),
    "shade": ((236, 226, 200), (240, 240, 235), (220, 160, 90)),
    "book": ((170, 40, 40), (40, 70, 140), (40, 120, 70), (200, 170, 60), (230, 230, 220), (30, 30, 30)),
    "clutter": ((170, 130, 90), (140, 140, 140), (60, 90, 150), (200, 60, 50)),
}


# ==================================================================================== primitives
@dataclass
class Part:
    """One box or z-axis cylinder of an object, in the object's frame (origin on the floor, z up).

    ``size`` is the full extent (a cylinder's is ``(2r, 2r, h)``); ``hidden`` faces are never sampled
    (a box's ``-x``..``+z``, a cylinder's ``side``/``-z``/``+z``); points of *other* parts inside a
    ``solid`` part are occluded; ``openings`` are ``(lo, hi)`` boxes in the part frame cut out of it
    (a door in a wall).
    """

    kind: str
    center: np.ndarray
    size: np.ndarray
    color: np.ndarray
    yaw: float = 0.0
    hidden: tuple[str, ...] = ()
    solid: bool = True
    openings: tuple[tuple[np.ndarray, np.ndarray], ...] = ()


@dataclass
class SceneObject:
    """A placed group of parts: ``class_id`` -1 is unlabelled clutter; room surfaces are stuff."""

    class_id: int
    parts: list[Part]
    yaw: float = 0.0
    position: np.ndarray = field(default_factory=lambda: np.zeros(2))

    @property
    def is_thing(self) -> bool:
        return self.class_id in DEMO_THING_CLASSES


def box(center: Sequence[float], size: Sequence[float], color: np.ndarray, **kw: Any) -> Part:
    return Part("box", np.asarray(center, float), np.asarray(size, float), color, **kw)


def cylinder(center: Sequence[float], radius: float, height: float, color: np.ndarray, **kw: Any) -> Part:
    size = np.array([2 * radius, 2 * radius, height])
    return Part("cylinder", np.asarray(center, float), size, color, **kw)


def rot_z(yaw: float) -> np.ndarray:
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def sample_rectangle(
    rng: np.random.Generator,
    origin: np.ndarray,
    u: np.ndarray,
    v: np.ndarray,
    normal: np.ndarray,
    extent: tuple[float, float],
    density: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson-many uniform points on the rectangle ``origin + [0, eu] u + [0, ev] v``."""
    n = rng.poisson(density * extent[0] * extent[1])
    uv = rng.random((n, 2)) * np.asarray(extent)
    return origin + uv[:, :1] * u + uv[:, 1:] * v, np.broadcast_to(normal, (n, 3)).copy()


def sample_box_faces(
    rng: np.random.Generator, size: np.ndarray, density: float, hidden: Sequence[str] = ()
) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Points, outward normals and area of each visible face of a box centred at the origin."""
    half = size / 2
    faces = {}
    for name in FACE_NAMES:
        if name in hidden:
            continue
        a, s = "xyz".index(name[1]), (1.0 if name[0] == "+" else -1.0)
        b, c = [i for i in range(3) if i != a]
        origin = -half.copy()
        origin[a] = s * half[a]
        eye = np.eye(3)
        xyz, nrm = sample_rectangle(rng, origin, eye[b], eye[c], s * eye[a], (size[b], size[c]), density)
        faces[name] = (xyz, nrm, size[b] * size[c])
    return faces


def sample_cylinder_faces(
    rng: np.random.Generator, size: np.ndarray, density: float, hidden: Sequence[str] = ()
) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    """Points, outward normals and area of the side and caps of a z-axis cylinder centred at the origin."""
    r, h = size[0] / 2, size[2]
    faces = {}
    if "side" not in hidden:
        area = 2 * math.pi * r * h
        n = rng.poisson(density * area)
        theta, z = rng.random(n) * 2 * math.pi, (rng.random(n) - 0.5) * h
        radial = np.stack([np.cos(theta), np.sin(theta), np.zeros(n)], axis=1)
        faces["side"] = (radial * [r, r, 0] + np.c_[np.zeros((n, 2)), z], radial, area)
    for name, s in (("-z", -1.0), ("+z", 1.0)):
        if name in hidden:
            continue
        area = math.pi * r * r
        n = rng.poisson(density * area)
        rad, ang = r * np.sqrt(rng.random(n)), rng.random(n) * 2 * math.pi
        xyz = np.stack([rad * np.cos(ang), rad * np.sin(ang), np.full(n, s * h / 2)], axis=1)
        faces[name] = (xyz, np.broadcast_to([0.0, 0.0, s], (n, 3)).copy(), area)
    return faces


# ==================================================================================== superpoints
def face_uv(part: Part, face: str, xyz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates (m) of part-frame points in the plane of ``face``, and that face's extent."""
    size = part.size
    if part.kind == "cylinder":
        r = size[0] / 2
        if face == "side":
            theta = np.mod(np.arctan2(xyz[:, 1], xyz[:, 0]), 2 * math.pi)
            return np.stack([theta * r, xyz[:, 2] + size[2] / 2], 1), np.array([2 * math.pi * r, size[2]])
        return xyz[:, :2] + r, np.array([2 * r, 2 * r])
    a = "xyz".index(face[1])
    b, c = [i for i in range(3) if i != a]
    return xyz[:, [b, c]] + size[[b, c]] / 2, size[[b, c]]


def patch_cuts(rng: np.random.Generator, extent: np.ndarray, patch_size: float) -> list[np.ndarray]:
    """Jittered cut positions along each face axis so big faces split into ~``patch_size`` patches."""
    cuts = []
    for length in extent:
        count = max(1, int(round(length / patch_size)))
        inner = np.arange(1, count) + rng.uniform(-0.25, 0.25, count - 1)
        cuts.append(np.sort(inner * length / count))
    return cuts


def patch_index(cuts: list[np.ndarray], uv: np.ndarray) -> np.ndarray:
    """Row-major patch number of face coordinates ``uv`` on the grid ``cuts``."""
    return np.searchsorted(cuts[0], uv[:, 0]) * (len(cuts[1]) + 1) + np.searchsorted(cuts[1], uv[:, 1])


def part_segments(
    rng: np.random.Generator,
    part: Part,
    faces: dict[str, tuple[np.ndarray, np.ndarray, float]],
    patch_size: float,
) -> dict[str, np.ndarray]:
    """Local segment label of every point of every face of one part (labels start at 0).

    Large faces are segments (patches when big); small faces join the patch of the largest face
    they project onto, so a leg or a book is one segment and a table top's rim belongs to the top.
    """
    if not faces:
        return {}
    largest = max(faces, key=lambda k: faces[k][2])
    labels: dict[str, np.ndarray] = {}
    grids: dict[str, tuple[list[np.ndarray], int]] = {}  # face -> (cuts, first label)
    next_label = 0
    for name, (xyz, _, area) in faces.items():
        if name == largest or area >= MIN_SEGMENT_AREA:
            uv, extent = face_uv(part, name, xyz)
            cuts = patch_cuts(rng, extent, patch_size)
            grids[name] = (cuts, next_label)
            labels[name] = next_label + patch_index(cuts, uv)
            next_label += (len(cuts[0]) + 1) * (len(cuts[1]) + 1)
    cuts, offset = grids[largest]
    for name, (xyz, _, _) in faces.items():
        if name not in labels:
            labels[name] = offset + patch_index(cuts, face_uv(part, largest, xyz)[0])
    return labels


# ==================================================================================== objects
def pick_color(rng: np.random.Generator, *materials: str) -> np.ndarray:
    """A material's colour with per-instance jitter, so palettes overlap but still inform."""
    options = MATERIALS[materials[rng.integers(len(materials))]]
    base = np.asarray(options[rng.integers(len(options))], float)
    return np.clip(base * rng.uniform(0.85, 1.15) + rng.normal(0, 10, 3), 0, 255)


def shade_of(rng: np.random.Generator, color: np.ndarray, spread: float = 0.08) -> np.ndarray:
    """A slightly different tone of ``color`` for a second part of the same object."""
    return np.clip(color * rng.uniform(1 - spread, 1 + spread), 0, 255)


def build_chair(rng: np.random.Generator) -> list[Part]:
    """Seat, back and four legs, or an office chair on a five-spoke base."""
    w, d = rng.uniform(0.40, 0.52), rng.uniform(0.40, 0.50)
    seat_h, t = rng.uniform(0.42, 0.48), rng.uniform(0.03, 0.06)
    frame = pick_color(rng, "wood", "dark", "metal")
    seat = shade_of(rng, frame) if rng.random() < 0.5 else pick_color(rng, "fabric", "leather", "dark")
    back_t, back_h = rng.uniform(0.03, 0.06), rng.uniform(0.35, 0.5)
    parts = [box((0, 0, seat_h - t / 2), (w, d, t), seat)]
    parts.append(box((0, -d / 2 + back_t / 2, seat_h + back_h / 2), (w, back_t, back_h), shade_of(rng, seat)))
    if rng.random() < 0.3:  # office chair
        pole_h = seat_h - t - 0.08
        parts.append(cylinder((0, 0, 0.08 + pole_h / 2), 0.025, pole_h, frame, hidden=ENDS))
        parts.append(cylinder((0, 0, 0.055), 0.05, 0.05, frame, hidden=("-z",)))
        spoke = rng.uniform(0.26, 0.32)
        for k in range(5):
            ang = 2 * math.pi * k / 5
            center = (spoke / 2 * math.cos(ang), spoke / 2 * math.sin(ang), 0.045)
            parts.append(box(center, (spoke, 0.04, 0.03), frame, yaw=ang, hidden=("-z",)))
        return parts
    s = rng.uniform(0.03, 0.045)
    for sx in (-1, 1):
        for sy in (-1, 1):
            center = (sx * (w / 2 - s / 2 - 0.01), sy * (d / 2 - s / 2 - 0.01), (seat_h - t) / 2)
            parts.append(box(center, (s, s, seat_h - t), frame, hidden=ENDS))
    return parts


def build_table(rng: np.random.Generator) -> list[Part]:
    """A top on four legs, or a round top on a pole and foot; dining or coffee height."""
    h = rng.uniform(0.70, 0.78) if rng.random() < 0.8 else rng.uniform(0.38, 0.48)
    top_color = pick_color(rng, "wood", "white", "dark")
    leg_color = shade_of(rng, top_color) if rng.random() < 0.6 else pick_color(rng, "metal", "dark")
    t = rng.uniform(0.03, 0.05)
    if rng.random() < 0.25:
        r, pole_h = rng.uniform(0.35, 0.6), h - t - 0.03
        return [
            cylinder((0, 0, h - t / 2), r, t, top_color),
            cylinder((0, 0, 0.03 + pole_h / 2), rng.uniform(0.03, 0.05), pole_h, leg_color, hidden=ENDS),
            cylinder((0, 0, 0.015), rng.uniform(0.2, 0.3), 0.03, leg_color, hidden=("-z",)),
        ]
    w = rng.uniform(0.8, 1.8) if h > 0.6 else rng.uniform(0.6, 1.2)
    d = rng.uniform(0.5, min(1.0, w))
    parts = [box((0, 0, h - t / 2), (w, d, t), top_color)]
    s, inset = rng.uniform(0.04, 0.07), rng.uniform(0.02, 0.08)
    for sx in (-1, 1):
        for sy in (-1, 1):
            center = (sx * (w / 2 - inset - s / 2), sy * (d / 2 - inset - s / 2), (h - t) / 2)
            parts.append(box(center, (s, s, h - t), leg_color, hidden=ENDS))
    return parts


def build_sofa(rng: np.random.Generator) -> list[Part]:
    """Base with 2-3 seat cushions, a back along -y and two arms."""
    w, d = rng.uniform(1.4, 2.3), rng.uniform(0.8, 0.95)
    seat_h, back_h, back_t = rng.uniform(0.38, 0.44), rng.uniform(0.75, 0.9), rng.uniform(0.15, 0.22)
    arm_w, arm_h, cushion_t = rng.uniform(0.12, 0.2), rng.uniform(0.55, 0.65), 0.1
    color = pick_color(rng, "fabric", "leather")
    inner_w, inner_d, y_mid = w - 2 * arm_w, d - back_t, back_t / 2
    base_h = seat_h - cushion_t
    parts = [
        box((0, y_mid, base_h / 2), (inner_w, inner_d, base_h), color, hidden=("-z",)),
        box((0, -d / 2 + back_t / 2, back_h / 2), (w, back_t, back_h), shade_of(rng, color), hidden=("-z",)),
    ]
    for sx in (-1, 1):
        center = (sx * (w / 2 - arm_w / 2), y_mid, arm_h / 2)
        parts.append(box(center, (arm_w, inner_d, arm_h), color, hidden=("-z",)))
    n = 2 if inner_w < 1.4 else 3
    for k in range(n):
        center = (-inner_w / 2 + (k + 0.5) * inner_w / n, y_mid, seat_h - cushion_t / 2)
        parts.append(box(center, (inner_w / n, inner_d, cushion_t), shade_of(rng, color)))
    return parts


def build_bed(rng: np.random.Generator) -> list[Part]:
    """Frame, mattress, headboard along -y, pillows and often a blanket."""
    w = rng.uniform(0.9, 1.1) if rng.random() < 0.4 else rng.uniform(1.35, 1.8)
    length, frame_h, mat_t = rng.uniform(1.9, 2.15), rng.uniform(0.25, 0.35), rng.uniform(0.18, 0.25)
    head_t, head_h = rng.uniform(0.04, 0.08), rng.uniform(0.8, 1.2)
    frame, linen = pick_color(rng, "wood", "white", "dark"), pick_color(rng, "linen")
    top = frame_h + mat_t
    head_color = shade_of(rng, frame)
    parts = [
        box((0, -length / 2 + head_t / 2, head_h / 2), (w, head_t, head_h), head_color, hidden=("-z",)),
        box((0, head_t / 2, frame_h / 2), (w, length - head_t, frame_h), frame, hidden=("-z",)),
        box((0, (head_t - 0.04) / 2, frame_h + mat_t / 2), (w - 0.04, length - head_t - 0.04, mat_t), linen),
    ]
    n = 1 if w < 1.2 else 2
    pillow_w = min(0.6, (w - 0.1) / n - 0.05)
    for k in range(n):
        center = (-w / 2 + (k + 0.5) * w / n, -length / 2 + head_t + 0.225, top + 0.06)
        parts.append(box(center, (pillow_w, 0.35, 0.12), shade_of(rng, linen, 0.04), hidden=("-z",)))
    if rng.random() < 0.6:
        cover = 0.6 * length
        center = (0, length / 2 - 0.04 - cover / 2, top + 0.015)
        parts.append(box(center, (w - 0.02, cover, 0.03), pick_color(rng, "linen", "fabric"), hidden=("-z",)))
    return parts


def build_cabinet(rng: np.random.Generator) -> list[Part]:
    """A closed box (low cabinet or wardrobe) with a handle per door on its +y front."""
    if rng.random() < 0.25:
        w, d, h = rng.uniform(0.8, 1.5), rng.uniform(0.5, 0.65), rng.uniform(1.8, 2.1)
    else:
        w, d, h = rng.uniform(0.4, 1.2), rng.uniform(0.35, 0.6), rng.uniform(0.5, 1.1)
    color = pick_color(rng, "wood", "white", "dark", "metal")
    parts = [box((0, 0, h / 2), (w, d, h), color, hidden=("-z",))]
    doors = 1 if w < 0.6 else 2
    handle = pick_color(rng, "metal", "dark")
    for k in range(doors):
        center = (0.0 if doors == 1 else (k - 0.5) * 0.12, d / 2 + 0.01, 0.75 * h if h < 1.5 else 0.5 * h)
        parts.append(box(center, (0.02, 0.02, 0.12), handle, hidden=("-y",)))
    return parts


def build_bookshelf(rng: np.random.Generator) -> list[Part]:
    """Open frame with a back panel, 2-5 shelves and rows of books."""
    w, d = rng.uniform(0.6, 1.2), rng.uniform(0.28, 0.4)
    h, t = rng.uniform(1.2, 2.0), rng.uniform(0.018, 0.03)
    color = pick_color(rng, "wood", "white", "dark")
    inner = w - 2 * t
    parts = [box((sx * (w / 2 - t / 2), 0, h / 2), (t, d, h), color, hidden=("-z",)) for sx in (-1, 1)]
    parts.append(box((0, -d / 2 + 0.005, h / 2), (inner, 0.01, h - 2 * t), shade_of(rng, color)))
    levels = max(2, int(h / 0.38))
    heights = [t / 2 + k * (h - t) / levels for k in range(levels + 1)]
    for z in heights:
        parts.append(box((0, 0.005, z), (inner, d - 0.01, t), color, hidden=("-z",) if z < t else ()))
    for lo, hi in zip(heights[:-1], heights[1:]):
        gap, x = hi - lo - t, -inner / 2
        while rng.random() < 0.85:
            x += rng.uniform(0.0, 0.25) if rng.random() < 0.3 else 0.0
            bw, bh = rng.uniform(0.03, 0.08), rng.uniform(0.55, 0.9) * gap
            bd = rng.uniform(0.6, 0.95) * (d - 0.01)
            if x + bw > inner / 2:
                break
            center = (x + bw / 2, -d / 2 + 0.01 + bd / 2, lo + t / 2 + bh / 2)
            parts.append(box(center, (bw, bd, bh), pick_color(rng, "book"), hidden=("-z", "-y")))
            x += bw
    return parts


def build_lamp(rng: np.random.Generator) -> list[Part]:
    """Floor lamp: round foot, thin pole, open cylindrical shade."""
    height, shade_h, shade_r = rng.uniform(1.4, 1.8), rng.uniform(0.22, 0.32), rng.uniform(0.15, 0.25)
    metal, shade = pick_color(rng, "metal", "dark"), pick_color(rng, "shade")
    pole_h = height - shade_h - 0.03
    return [
        cylinder((0, 0, 0.015), rng.uniform(0.12, 0.18), 0.03, metal, hidden=("-z",)),
        cylinder((0, 0, 0.03 + pole_h / 2), rng.uniform(0.012, 0.02), pole_h, metal, hidden=ENDS),
        cylinder((0, 0, height - shade_h / 2), shade_r, shade_h, shade, hidden=ENDS, solid=False),
    ]


def build_clutter(rng: np.random.Generator) -> list[Part]:
    """One or two stacked boxes: unlabelled stuff, as real scans have."""
    parts, z = [], 0.0
    for _ in range(rng.integers(1, 3)):
        size = (rng.uniform(0.2, 0.5), rng.uniform(0.2, 0.5), rng.uniform(0.15, 0.4))
        parts.append(box((0, 0, z + size[2] / 2), size, pick_color(rng, "clutter"), hidden=("-z",)))
        z += size[2]
    return parts


BUILDERS = {
    CHAIR: build_chair, TABLE: build_table, SOFA: build_sofa, BED: build_bed,
    CABINET: build_cabinet, BOOKSHELF: build_bookshelf, LAMP: build_lamp, UNLABELLED: build_clutter,
}  # fmt: skip
#: how often each class is drawn, and how often it stands with its back (-y) to a wall
CLASS_WEIGHTS = {CHAIR: 0.26, TABLE: 0.16, SOFA: 0.1, BED: 0.08, CABINET: 0.16, BOOKSHELF: 0.12, LAMP: 0.12}
AGAINST_WALL = {
    CHAIR: 0.1, TABLE: 0.2, SOFA: 0.85, BED: 0.9, CABINET: 0.9, BOOKSHELF: 0.95, LAMP: 0.5, UNLABELLED: 0.3,
}  # fmt: skip


def part_corners(part: Part) -> np.ndarray:
    """The 8 corners of a part's bounding box in the object frame."""
    signs = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float)
    local = signs * part.size / 2
    yaw = part.yaw if part.kind == "box" else 0.0
    return local @ rot_z(yaw).T + part.center


def object_extent(parts: Sequence[Part]) -> tuple[np.ndarray, np.ndarray]:
    """Axis-aligned bounds of all parts in the object frame: the object's oriented box."""
    corners = np.concatenate([part_corners(p) for p in parts])
    return corners.min(0), corners.max(0)


# ==================================================================================== layout
@dataclass
class Room:
    """A rectangular room ``[0, lx] x [0, ly]``, ``height`` tall; walls 0..3 are y=0, y=ly, x=0, x=lx."""

    lx: float
    ly: float
    height: float

    def wall_frame(self, wall: int) -> tuple[np.ndarray, np.ndarray, float]:
        """Start point, inward normal and length of a wall (its direction is x for walls 0/1, y for 2/3)."""
        start = np.array([[0.0, 0.0], [0.0, self.ly], [0.0, 0.0], [self.lx, 0.0]][wall])
        normal = np.array([[0.0, 1.0], [0.0, -1.0], [1.0, 0.0], [-1.0, 0.0]][wall])
        return start, normal, self.lx if wall < 2 else self.ly


Footprint = tuple[np.ndarray, np.ndarray, float]  # centre (2,), half sizes (2,), yaw


def footprint(parts: Sequence[Part], position: np.ndarray, yaw: float) -> Footprint:
    lo, hi = object_extent(parts)
    center = position + rot_z(yaw)[:2, :2] @ ((lo[:2] + hi[:2]) / 2)
    return center, (hi[:2] - lo[:2]) / 2, yaw


def footprint_corners(fp: Footprint, margin: float = 0.0) -> np.ndarray:
    center, half, yaw = fp
    signs = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
    return center + (signs * (half + margin)) @ rot_z(yaw)[:2, :2].T


def footprints_overlap(a: Footprint, b: Footprint, margin: float) -> bool:
    """Separating-axis test of two oriented rectangles, ``a`` grown by ``margin``."""
    ca, cb = footprint_corners(a, margin), footprint_corners(b)
    for yaw in (a[2], b[2]):
        for axis in rot_z(yaw)[:2, :2].T:
            pa, pb = ca @ axis, cb @ axis
            if pa.max() <= pb.min() or pb.max() <= pa.min():
                return False
    return True


def fits(fp: Footprint, room: Room, occupied: Sequence[Footprint], margin: float = 0.1) -> bool:
    corners = footprint_corners(fp)
    inside = (corners >= 0.02).all() and (corners <= np.array([room.lx, room.ly]) - 0.02).all()
    return bool(inside) and not any(footprints_overlap(fp, other, margin) for other in occupied)


def facing_yaw(direction: np.ndarray) -> float:
    """The heading that turns an object's front (+y) towards ``direction``."""
    return math.atan2(-direction[0], direction[1])


def propose_pose(
    rng: np.random.Generator, parts: Sequence[Part], room: Room, against_wall: bool
) -> tuple[np.ndarray, float]:
    """A random position and heading; wall objects get their back to a wall, slightly skewed."""
    lo, hi = object_extent(parts)
    if not against_wall:
        return np.array([rng.uniform(0, room.lx), rng.uniform(0, room.ly)]), rng.uniform(-math.pi, math.pi)
    start, normal, length = room.wall_frame(int(rng.integers(4)))
    half_w = max(abs(lo[0]), abs(hi[0])) + 0.05
    along = rng.uniform(half_w, max(half_w, length - half_w))
    direction = np.abs(normal[::-1])  # walls run along +x or +y from their start point
    position = start + along * direction + normal * (rng.uniform(0.03, 0.12) - lo[1])
    return position, facing_yaw(normal) + rng.normal(0, 0.04)


def place(
    rng: np.random.Generator, class_id: int, room: Room, occupied: list[Footprint], tries: int = 30
) -> SceneObject | None:
    """Build one object and try random poses until it fits; ``None`` when the room is too full."""
    parts = BUILDERS[class_id](rng)
    for _ in range(tries):
        position, yaw = propose_pose(rng, parts, room, rng.random() < AGAINST_WALL[class_id])
        fp = footprint(parts, position, yaw)
        if fits(fp, room, occupied):
            occupied.append(fp)
            return SceneObject(class_id, parts, yaw, position)
    return None


def place_chairs_around(
    rng: np.random.Generator, table: Footprint, room: Room, occupied: list[Footprint], count: int
) -> list[SceneObject]:
    """Chairs facing a table from its sides, as in a dining or meeting room."""
    chairs = []
    center, half, yaw = table
    rotation = rot_z(yaw)[:2, :2]
    for side in rng.permutation(4)[:count]:
        axis = np.eye(2)[side // 2] * (1 if side % 2 else -1)
        parts = build_chair(rng)
        lo, hi = object_extent(parts)
        offset = axis * (half[side // 2] + (hi[1] - lo[1]) / 2 + rng.uniform(0.03, 0.2))
        offset += axis[::-1] * rng.uniform(-0.3, 0.3) * half[1 - side // 2]
        position = center + rotation @ offset
        chair_yaw = facing_yaw(-(rotation @ axis)) + rng.normal(0, 0.15)
        fp = footprint(parts, position, chair_yaw)
        if fits(fp, room, occupied, margin=0.03):
            occupied.append(fp)
            chairs.append(SceneObject(CHAIR, parts, chair_yaw, position))
    return chairs


def layout_room(
    rng: np.random.Generator, room: Room, num_objects: int, reserved: list[Footprint]
) -> list[SceneObject]:
    """Furniture for the room, then a little unlabelled clutter; ``reserved`` keeps door ways free."""
    occupied = list(reserved)
    classes = np.array(list(CLASS_WEIGHTS))
    weights = np.array(list(CLASS_WEIGHTS.values()))
    limits = {BED: 1 if room.lx * room.ly < 25 else 2, SOFA: 2}
    objects: list[SceneObject] = []
    for _ in range(4 * num_objects):
        if len(objects) >= num_objects:
            break
        class_id = int(rng.choice(classes, p=weights / weights.sum()))
        if sum(o.class_id == class_id for o in objects) >= limits.get(class_id, num_objects):
            continue
        obj = place(rng, class_id, room, occupied)
        if obj is None:
            continue
        objects.append(obj)
        if class_id == TABLE and rng.random() < 0.6:
            count = min(num_objects - len(objects), int(rng.integers(1, 5)))
            objects += place_chairs_around(rng, occupied[-1], room, occupied, count)
    for _ in range(40):  # small rooms: top up with small things so every room has >= 4 objects
        if len(objects) >= 4:
            break
        obj = place(rng, int(rng.choice([CHAIR, LAMP])), room, occupied)
        objects += [obj] if obj is not None else []
    for _ in range(int(rng.integers(0, 3))):
        obj = place(rng, UNLABELLED, room, occupied)
        objects += [obj] if obj is not None else []
    return objects


def room_shell(rng: np.random.Generator, room: Room) -> tuple[list[SceneObject], list[Footprint]]:
    """Floor and four walls (as thin boxes outside the room, inner face only) with a door and windows.

    Returns the stuff objects and the door ways that furniture must keep free.
    """
    floor_color, wall_color = pick_color(rng, "floor"), pick_color(rng, "wall")
    lx, ly, h = room.lx, room.ly, room.height
    floor_hidden = ("-x", "+x", "-y", "+y", "-z")
    floor = box((lx / 2, ly / 2, -0.05), (lx, ly, 0.1), floor_color, hidden=floor_hidden, solid=False)
    door_wall = int(rng.integers(4))
    walls, reserved = [], []
    for wall in range(4):
        start, normal, length = room.wall_frame(wall)
        axis = 0 if wall < 2 else 1
        size = np.array([length, 0.1, h]) if axis == 0 else np.array([0.1, length, h])
        center = np.r_[start + np.abs(normal[::-1]) * length / 2 - normal * 0.05, h / 2]
        visible = ("+" if normal.sum() > 0 else "-") + "xy"[1 - axis]
        openings = []
        if wall == door_wall:
            width = rng.uniform(0.8, 1.0)
            u0 = rng.uniform(0.2, length - width - 0.2)
            openings.append(wall_opening(axis, length, h, u0, u0 + width, 0.0, rng.uniform(2.0, 2.15)))
            door_center = start + np.abs(normal[::-1]) * (u0 + width / 2) + normal * 0.45
            reserved.append((door_center, np.array([width / 2, 0.45])[[axis, 1 - axis]], 0.0))
        elif rng.random() < 0.4 and length > 2.0:
            width = rng.uniform(0.8, min(1.6, length - 0.8))
            u0 = rng.uniform(0.3, length - width - 0.3)
            sill, top = rng.uniform(0.8, 1.0), rng.uniform(1.9, 2.2)
            openings.append(wall_opening(axis, length, h, u0, u0 + width, sill, top))
        hidden = tuple(f for f in FACE_NAMES if f != visible)
        color = shade_of(rng, wall_color, 0.02)
        walls.append(box(center, size, color, hidden=hidden, solid=False, openings=tuple(openings)))
    shell = [SceneObject(FLOOR, [floor])] + [SceneObject(WALL, [w]) for w in walls]
    return shell, reserved


def wall_opening(
    axis: int, length: float, height: float, u0: float, u1: float, z0: float, z1: float
) -> tuple[np.ndarray, np.ndarray]:
    """A ``(lo, hi)`` cut-out box in a wall's part frame from along-wall and height ranges."""
    lo, hi = np.array([-1.0, -1.0, z0 - height / 2]), np.array([1.0, 1.0, z1 - height / 2])
    lo[axis], hi[axis] = u0 - length / 2, u1 - length / 2
    return lo, hi


# ==================================================================================== sampling
@dataclass
class PointSet:
    """Per-point arrays of a scene while it is assembled (world frame, before noise)."""

    coord: np.ndarray
    normal: np.ndarray
    color: np.ndarray
    segment: np.ndarray
    instance: np.ndarray
    superpoint: np.ndarray
    part: np.ndarray

    def take(self, keep: np.ndarray) -> PointSet:
        return PointSet(**{k: v[keep] for k, v in vars(self).items()})

    @staticmethod
    def concat(sets: Sequence[PointSet]) -> PointSet:
        return PointSet(**{k: np.concatenate([getattr(s, k) for s in sets]) for k in vars(sets[0])})


def object_to_world(obj: SceneObject) -> tuple[np.ndarray, np.ndarray]:
    """Rotation and translation taking object-frame points to the world."""
    return rot_z(obj.yaw), np.r_[obj.position, 0.0]


def part_to_world(obj: SceneObject, part: Part) -> tuple[np.ndarray, np.ndarray]:
    rotation, translation = object_to_world(obj)
    return rotation @ rot_z(part.yaw), rotation @ part.center + translation


def sample_part(
    rng: np.random.Generator, part: Part, density: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Points, normals (part frame) and local superpoint labels of one primitive, openings cut away."""
    sampler = sample_box_faces if part.kind == "box" else sample_cylinder_faces
    faces = sampler(rng, part.size, density, part.hidden)
    labels = part_segments(rng, part, faces, PATCH_SIZE)
    if not faces:
        return np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64)
    xyz = np.concatenate([f[0] for f in faces.values()])
    normal = np.concatenate([f[1] for f in faces.values()])
    label = np.concatenate([labels[k] for k in faces])
    keep = np.ones(len(xyz), bool)
    for lo, hi in part.openings:
        keep &= ~((xyz > lo) & (xyz < hi)).all(1)
    return xyz[keep], normal[keep], label[keep]


def sample_scene(rng: np.random.Generator, objects: Sequence[SceneObject], density: float) -> PointSet:
    """Sample every part of every object; superpoints get scene-unique ids, parts global indices."""
    sets, next_superpoint, part_index, instance_id = [], 0, 0, 0
    for obj in objects:
        instance = instance_id if obj.is_thing else -1
        instance_id += obj.is_thing
        part_density = density * DENSITY_GAIN.get(obj.class_id, OBJECT_DENSITY_GAIN)
        for part in obj.parts:
            xyz, normal, label = sample_part(rng, part, part_density)
            rotation, translation = part_to_world(obj, part)
            n = len(xyz)
            points = PointSet(
                coord=xyz @ rotation.T + translation,
                normal=normal @ rotation.T,
                color=np.broadcast_to(part.color, (n, 3)).astype(np.float64),
                segment=np.full(n, obj.class_id, np.int64),
                instance=np.full(n, instance, np.int64),
                superpoint=label + next_superpoint,
                part=np.full(n, part_index, np.int64),
            )
            sets.append(points)
            next_superpoint += (int(label.max()) + 1) if n else 0
            part_index += 1
    return PointSet.concat(sets)


# ==================================================================================== sensor effects
def occluded(points: PointSet, objects: Sequence[SceneObject]) -> np.ndarray:
    """Points inside (or on the touching face of) another solid part: never seen by a sensor."""
    hidden = np.zeros(len(points.coord), bool)
    part_index = 0
    for obj in objects:
        if not obj.is_thing and obj.class_id != UNLABELLED:
            part_index += len(obj.parts)
            continue
        rotation, translation = object_to_world(obj)
        lo, hi = object_extent(obj.parts)
        local = (points.coord - translation) @ rotation
        near = np.flatnonzero(((local >= lo - 1e-3) & (local <= hi + 1e-3)).all(1))
        for part in obj.parts:
            if part.solid and len(near):
                p = (local[near] - part.center) @ rot_z(part.yaw)
                half = part.size / 2 + 1e-6
                if part.kind == "box":
                    inside = (np.abs(p) <= half).all(1)
                else:
                    inside = (np.hypot(p[:, 0], p[:, 1]) <= half[0]) & (np.abs(p[:, 2]) <= half[2])
                hidden[near[inside & (points.part[near] != part_index)]] = True
            part_index += 1
    return hidden


def facing_walls(points: PointSet, room: Room, distance: float = 0.2) -> np.ndarray:
    """Object points close to a wall on a face turned towards it: the sensor cannot look there."""
    x, y = points.coord[:, 0], points.coord[:, 1]
    n = points.normal
    near = ((x < distance) & (n[:, 0] < -0.5)) | ((x > room.lx - distance) & (n[:, 0] > 0.5))
    near |= ((y < distance) & (n[:, 1] < -0.5)) | ((y > room.ly - distance) & (n[:, 1] > 0.5))
    return near & (points.segment != WALL)


def density_dropout(rng: np.random.Generator, points: PointSet) -> np.ndarray:
    """Keep mask with a smooth density drift across the room and thinner coverage high on walls."""
    direction = rng.normal(size=2)
    direction *= 2 * math.pi / rng.uniform(2.0, 5.0) / np.linalg.norm(direction)
    wave = 0.5 + 0.5 * np.sin(points.coord[:, :2] @ direction + rng.uniform(0, 2 * math.pi))
    keep_prob = 1.0 - rng.uniform(0.0, 0.35) * wave
    keep_prob *= 1.0 - 0.35 * np.clip((points.coord[:, 2] - 1.8) / 1.2, 0, 1)
    return rng.random(len(keep_prob)) < keep_prob


def random_holes(
    rng: np.random.Generator, points: PointSet, per_m2: float, max_loss: float = 0.4
) -> np.ndarray:
    """Keep mask with small spherical holes (missed patches); no object loses more than ``max_loss``."""
    keep = np.ones(len(points.coord), bool)
    instances = points.instance
    sizes = np.bincount(instances[instances >= 0], minlength=1).astype(float)
    area = len(points.coord) / max(per_m2, 1e-9)
    for _ in range(int(rng.poisson(0.12 * area)) + 2):
        center = points.coord[rng.integers(len(points.coord))]
        hole = keep & (((points.coord - center) ** 2).sum(1) < rng.uniform(0.06, 0.2) ** 2)
        lost = np.bincount(instances[hole & (instances >= 0)], minlength=len(sizes))
        remaining = np.bincount(instances[keep & (instances >= 0)], minlength=len(sizes))
        if ((remaining - lost) < (1 - max_loss) * sizes).any():
            continue
        keep &= ~hole
    return keep


def lighting(rng: np.random.Generator, points: PointSet, room: Room) -> np.ndarray:
    """Shade base colours by a per-scene light (direction, ceiling spot, tint) plus sensor noise; uint8."""
    light = np.array([rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), 1.0])
    light /= np.linalg.norm(light)
    ambient = rng.uniform(0.5, 0.7)
    shade = ambient + (1 - ambient) * (0.5 + 0.5 * points.normal @ light)
    spot = np.array([rng.uniform(0.3, 0.7) * room.lx, rng.uniform(0.3, 0.7) * room.ly])
    shade += 0.15 * np.exp(-((points.coord[:, :2] - spot) ** 2).sum(1) / (2 * 2.0**2))
    tint = rng.uniform(0.93, 1.07, 3) * rng.uniform(0.85, 1.05)
    color = points.color * shade[:, None] * tint + rng.normal(0, 4, points.color.shape)
    return np.clip(np.round(color), 0, 255).astype(np.uint8)


# ==================================================================================== rooms
def object_boxes(objects: Sequence[SceneObject]) -> np.ndarray:
    """(K, 8) oriented boxes of the instances, in instance order: cx cy cz dx dy dz heading class."""
    rows = []
    for obj in objects:
        if not obj.is_thing:
            continue
        lo, hi = object_extent(obj.parts)
        rotation, translation = object_to_world(obj)
        center = rotation @ ((lo + hi) / 2) + translation
        heading = (obj.yaw + math.pi) % (2 * math.pi) - math.pi
        rows.append([*center, *(hi - lo), heading, obj.class_id])
    return np.asarray(rows, np.float32).reshape(-1, 8)


def generate_room(
    seed: int,
    points_per_m2: float = 300.0,
    noise_std: float = 0.005,
    num_objects: int | None = None,
    room_size: tuple[float, float] = (3.0, 7.0),
    holes: bool = True,
) -> dict[str, np.ndarray]:
    """One procedural room as Pointcept-layout arrays plus ``boxes``; a pure function of its arguments.

    Args:
        seed: the room's seed; the same seed gives identical arrays.
        points_per_m2: mean density on the floor (walls get 0.7x, furniture 1.5x); +-20 % per room.
        noise_std: Gaussian coordinate noise (m).
        num_objects: furniture count (default 4-10, fewer in small rooms).
        room_size: range of the room's side lengths (m).
        holes: cut small missing patches and apply the smooth density drift.
    """
    rng = np.random.default_rng(seed)
    room = Room(rng.uniform(*room_size), rng.uniform(*room_size), rng.uniform(2.5, 3.0))
    if num_objects is None:
        num_objects = int(rng.integers(4, int(np.clip(room.lx * room.ly / 2.0, 5, 10)) + 1))
    shell, reserved = room_shell(rng, room)
    objects = shell + layout_room(rng, room, num_objects, reserved)
    density = points_per_m2 * rng.uniform(0.8, 1.2)
    points = sample_scene(rng, objects, density)
    points = points.take(~occluded(points, objects) & ~facing_walls(points, room))
    if holes:
        points = points.take(density_dropout(rng, points))
        points = points.take(random_holes(rng, points, density))
    color = lighting(rng, points, room)
    coord = points.coord + rng.normal(0, noise_std, points.coord.shape)
    order = rng.permutation(len(coord))
    superpoint = np.unique(points.superpoint[order], return_inverse=True)[1]
    return {
        "coord": coord[order].astype(np.float32),
        "color": color[order],
        "normal": points.normal[order].astype(np.float32),
        "segment": points.segment[order].astype(np.int16),
        "instance": points.instance[order].astype(np.int32),
        "superpoint": superpoint.reshape(-1).astype(np.int32),
        "boxes": object_boxes(objects),
    }


# ==================================================================================== writing
def scene_seed(seed: int, split: str, index: int) -> int:
    """Independent per-scene seeds, so a scene does not change when the split sizes do."""
    split_code = {"train": 0, "val": 1}.get(split, 2)
    return int(np.random.SeedSequence([seed, split_code, index]).generate_state(1, np.uint64)[0] >> 1)


def write_scene(scene_dir: Path, arrays: dict[str, np.ndarray], overwrite: bool) -> bool:
    """Write a scene folder atomically: fill a hidden temp folder, then rename it into place.

    A killed run leaves at most a hidden ``.room_xxxx.*.tmp`` folder (never listed as a scene). Returns
    ``False`` when the scene already existed and was kept.
    """
    if scene_dir.exists() and not overwrite:
        return False
    scene_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{scene_dir.name}.", suffix=".tmp", dir=scene_dir.parent))
    old = None
    try:
        os.chmod(tmp, 0o755)
        for key in (*SCENE_KEYS, "boxes"):
            np.save(tmp / f"{key}.npy", arrays[key])
        if scene_dir.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{scene_dir.name}.", suffix=".old", dir=scene_dir.parent))
            os.replace(scene_dir, old / scene_dir.name)
        try:
            os.replace(tmp, scene_dir)
        except OSError:
            if scene_dir.exists() and old is None:  # another writer finished this scene first
                return False
            raise
        return True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def write_demo_dataset(
    root: str | os.PathLike,
    num_train: int = 24,
    num_val: int = 6,
    seed: int = 0,
    overwrite: bool = False,
    **options: Any,
) -> Path:
    """Write ``<root>/{train,val}/room_XXXX/*.npy`` and ``meta.json``; resumable, scene by scene.

    Existing scene folders are kept unless ``overwrite``; a ``meta.json`` written with another seed,
    generator version or options is refused (unless ``overwrite``) rather than mixing two data sets.
    ``options`` are passed to :func:`generate_room`.
    """
    root = Path(root)
    meta = {
        "name": "pointcept-demo-rooms",
        "generator_version": GENERATOR_VERSION,
        "seed": int(seed),
        "options": json.loads(json.dumps(options)),  # as it reads back (tuples become lists)
        "class_names": list(DEMO_CLASS_NAMES),
        "thing_classes": list(DEMO_THING_CLASSES),
        "counts": {"train": int(num_train), "val": int(num_val)},
        "keys": [*SCENE_KEYS, "boxes"],
    }
    meta_path = root / "meta.json"
    if meta_path.exists() and not overwrite:
        old = json.loads(meta_path.read_text())
        for key in ("generator_version", "seed", "options"):
            if old.get(key) != meta[key]:
                raise ValueError(
                    f"{meta_path} was written with {key}={old.get(key)!r}, not {meta[key]!r}; "
                    "pass overwrite=True (or --overwrite) or choose another root"
                )
    for split, count in (("train", num_train), ("val", num_val)):
        for index in range(count):
            scene_dir = root / split / f"room_{index:04d}"
            if scene_dir.exists() and not overwrite:
                continue
            write_scene(scene_dir, generate_room(scene_seed(seed, split, index), **options), overwrite)
    root.mkdir(parents=True, exist_ok=True)
    atomic_write_text(meta_path, json.dumps(meta, indent=2) + "\n")
    os.chmod(meta_path, 0o644)  # the temp file it came from was private
    return root


# ==================================================================================== dataset
@DATASETS.register_module()
class DemoDataset(DefaultDataset):
    """Rooms written by :func:`write_demo_dataset`; also loads ``superpoint.npy`` for GroupContrast."""

    ASSETS = {**DefaultDataset.ASSETS, "superpoint": "superpoint"}
    CLASS_NAMES = DEMO_CLASS_NAMES
