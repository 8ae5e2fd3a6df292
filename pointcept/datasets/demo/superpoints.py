"""Superpoints of the demo rooms: the imitation of a mesh over-segmentation (ScanNet's ``segs.json``).

Every large face of every primitive is one segment, split into ~``PATCH_SIZE`` patches when big; faces
smaller than ``MIN_SEGMENT_AREA`` merge into their part's largest face, so no segment crosses a part.
"""

from __future__ import annotations

import math

import numpy as np

from .shapes import Part

#: faces smaller than this (m^2) merge into their part's largest face, as thin rims do in a mesh segmenter
MIN_SEGMENT_AREA = 0.05
#: large faces are cut into patches about this wide (m)
PATCH_SIZE = 1.3


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
