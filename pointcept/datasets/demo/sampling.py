"""Surface sampling of the demo rooms: Poisson-many uniform points on the visible faces of every part.

Points keep their part, class, instance and superpoint; :class:`PointSet` holds them while a room is
assembled (world frame, before the sensor effects and noise).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..meta.demo import FLOOR, WALL
from .shapes import FACE_NAMES, Part, SceneObject, part_to_world
from .superpoints import PATCH_SIZE, part_segments

#: density relative to the floor: hand-held scans dwell on furniture and see walls at grazing angles
DENSITY_GAIN = {WALL: 0.7, FLOOR: 1.0}
OBJECT_DENSITY_GAIN = 1.5


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
        """The points selected by a mask or index array, every array alike."""
        return PointSet(**{k: v[keep] for k, v in vars(self).items()})

    @staticmethod
    def concat(sets: Sequence[PointSet]) -> PointSet:
        """All points of ``sets``, in order."""
        return PointSet(**{k: np.concatenate([getattr(s, k) for s in sets]) for k in vars(sets[0])})


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
