"""Sensor effects on a sampled demo room: occlusion, unseen faces, density drift, holes and lighting."""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ..meta.demo import UNLABELLED, WALL
from .layout import Room
from .sampling import PointSet
from .shapes import SceneObject, object_extent, object_to_world, rot_z


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
