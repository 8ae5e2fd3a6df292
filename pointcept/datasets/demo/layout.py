"""Layout of a demo room: the shell (floor, walls, door, windows) and furniture placed without overlap."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..meta.demo import BED, BOOKSHELF, CABINET, CHAIR, FLOOR, LAMP, SOFA, TABLE, UNLABELLED, WALL
from .furniture import BUILDERS, build_chair
from .materials import pick_color, shade_of
from .shapes import FACE_NAMES, Part, SceneObject, box, object_extent, rot_z

#: how often each class is drawn, and how often it stands with its back (-y) to a wall
CLASS_WEIGHTS = {CHAIR: 0.26, TABLE: 0.16, SOFA: 0.1, BED: 0.08, CABINET: 0.16, BOOKSHELF: 0.12, LAMP: 0.12}
AGAINST_WALL = {
    CHAIR: 0.1, TABLE: 0.2, SOFA: 0.85, BED: 0.9, CABINET: 0.9, BOOKSHELF: 0.95, LAMP: 0.5, UNLABELLED: 0.3,
}  # fmt: skip


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
    """The oriented floor rectangle an object covers when placed at ``position`` with heading ``yaw``."""
    lo, hi = object_extent(parts)
    center = position + rot_z(yaw)[:2, :2] @ ((lo[:2] + hi[:2]) / 2)
    return center, (hi[:2] - lo[:2]) / 2, yaw


def footprint_corners(fp: Footprint, margin: float = 0.0) -> np.ndarray:
    """(4, 2) corners of a footprint grown by ``margin`` on every side."""
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
    """Whether a footprint lies inside the room and keeps ``margin`` from every occupied one."""
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
