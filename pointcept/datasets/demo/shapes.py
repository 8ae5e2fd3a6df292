"""Parts and placed objects of a demo room: boxes and z-axis cylinders, their frames and extents.

A :class:`Part` lives in its object's frame (origin on the floor, z up); a :class:`SceneObject` places a
group of parts in the room by a heading and a floor position.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..meta.demo import DEMO_THING_CLASSES

FACE_NAMES = ("-x", "+x", "-y", "+y", "-z", "+z")
#: both end caps: legs and poles touch something at both ends
ENDS = ("-z", "+z")


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
        """Whether the object's points carry an instance id (a furniture class, not stuff or clutter)."""
        return self.class_id in DEMO_THING_CLASSES


def box(center: Sequence[float], size: Sequence[float], color: np.ndarray, **kw: Any) -> Part:
    """A box part of full ``size`` centred at ``center`` (object frame)."""
    return Part("box", np.asarray(center, float), np.asarray(size, float), color, **kw)


def cylinder(center: Sequence[float], radius: float, height: float, color: np.ndarray, **kw: Any) -> Part:
    """A z-axis cylinder part centred at ``center`` (object frame)."""
    size = np.array([2 * radius, 2 * radius, height])
    return Part("cylinder", np.asarray(center, float), size, color, **kw)


def rot_z(yaw: float) -> np.ndarray:
    """The 3x3 counter-clockwise rotation by ``yaw`` about +z."""
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


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


def object_to_world(obj: SceneObject) -> tuple[np.ndarray, np.ndarray]:
    """Rotation and translation taking object-frame points to the world."""
    return rot_z(obj.yaw), np.r_[obj.position, 0.0]


def part_to_world(obj: SceneObject, part: Part) -> tuple[np.ndarray, np.ndarray]:
    """Rotation and translation taking part-frame points to the world."""
    rotation, translation = object_to_world(obj)
    return rotation @ rot_z(part.yaw), rotation @ part.center + translation
