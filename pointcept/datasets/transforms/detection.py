"""Box-aware augmentations for detection: flips, z rotations and scales that move ``gt_boxes`` (and SUN RGB-D's
``point_votes`` offsets, and ``normal``) together with ``coord``.

Boxes are per-sample, not per-point keys, so the plain geometric transforms would leave them behind. Each
transform here is one linear map ``x -> M (x - pivot) + pivot`` applied to everything at once by
:func:`apply_linear`, so a point inside a box stays inside the transformed box. Only maps that keep boxes
upright boxes are allowed: reflections and rotations about z, and isotropic scaling. Axis-aligned data
(ScanNet) passes ``axis_aligned=True``: a rotated box is replaced by the axis-aligned box around it
(VoteNet's choice), which still contains its points. The box part of the map is
:func:`pointcept.utils.boxes.transform_boxes` (re-exported here for its old import path).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from pointcept.utils.boxes import transform_boxes

from .base import TRANSFORMS, Transform
from .geometric import rotation_matrix

__all__ = ["apply_linear", "transform_boxes", "DetectionRandomFlip", "DetectionRandomRotate", "DetectionRandomScale"]


def apply_linear(data: dict, matrix: np.ndarray, pivot: Sequence[float] | None = None, axis_aligned: bool = False) -> dict:
    """Apply ``x -> matrix (x - pivot) + pivot`` to ``coord`` and ``gt_boxes``, the linear part to the vote
    offsets ``point_votes`` (N, 3k), and the rotation/reflection to ``normal``. New arrays, dtypes kept."""
    matrix = np.asarray(matrix, dtype=np.float64)
    pivot = np.zeros(3) if pivot is None else np.asarray(pivot, dtype=np.float64)
    coord = data["coord"]
    data["coord"] = ((coord - pivot) @ matrix.T + pivot).astype(coord.dtype)
    if "gt_boxes" in data:
        data["gt_boxes"] = transform_boxes(data["gt_boxes"], matrix, pivot, axis_aligned).astype(np.float32)
    if "point_votes" in data:
        votes = data["point_votes"]
        moved = votes.reshape(len(votes), -1, 3).astype(np.float64) @ matrix.T
        data["point_votes"] = moved.reshape(votes.shape).astype(votes.dtype)
    if "normal" in data:
        unit = matrix / np.abs(np.linalg.det(matrix)) ** (1 / 3)
        data["normal"] = (data["normal"] @ unit.T).astype(data["normal"].dtype)
    return data


def _pivot(data: dict, center: Sequence[float] | None) -> np.ndarray:
    """``center``, or the cloud's bounding-box centre (so the cloud stays in place)."""
    if center is not None:
        return np.asarray(center, dtype=np.float64)
    coord = data["coord"]
    return (coord.min(axis=0).astype(np.float64) + coord.max(axis=0)) / 2


@TRANSFORMS.register_module()
class DetectionRandomFlip(Transform):
    """Mirror each of ``axes`` ("x": x -> -x, i.e. the YZ plane; "y") with probability ``p``, about ``center``
    (default the origin, VoteNet's choice; None: the cloud's bounding-box centre)."""

    def __init__(self, p: float = 0.5, axes: Sequence[str] = ("x",), center: Sequence[float] | None = (0, 0, 0)):
        if not set(axes) <= {"x", "y"}:
            raise ValueError(f"DetectionRandomFlip: axes must be 'x' and/or 'y', got {axes!r}")
        self.p = p
        self.axes = tuple(axes)
        self.center = center

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        sign = np.ones(3)
        for axis in self.axes:
            if rng.random() < self.p:
                sign["xy".index(axis)] = -1.0
        if (sign > 0).all():
            return data
        return apply_linear(data, np.diag(sign), _pivot(data, self.center))


@TRANSFORMS.register_module()
class DetectionRandomRotate(Transform):
    """With probability ``p``, rotate about z by an angle uniform in ``angle`` (units of pi; VoteNet: SUN RGB-D
    +-1/6, ScanNet +-1/36) about ``center`` (default: the cloud's bounding-box centre)."""

    def __init__(self, angle: Sequence[float] = (-1 / 6, 1 / 6), center: Sequence[float] | None = None,
                 axis_aligned: bool = False, p: float = 1.0):
        self.angle = tuple(angle)
        self.center = center
        self.axis_aligned = axis_aligned
        self.p = p

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if rng.random() >= self.p:
            return data
        angle = rng.uniform(self.angle[0], self.angle[1]) * np.pi
        return apply_linear(data, rotation_matrix(angle, "z"), _pivot(data, self.center), self.axis_aligned)


@TRANSFORMS.register_module()
class DetectionRandomScale(Transform):
    """Scale everything by one factor uniform in ``scale`` (VoteNet: 0.85-1.15) about ``center`` (default the
    origin; None: the bounding-box centre). Only isotropic scaling keeps oriented boxes boxes."""

    def __init__(self, scale: Sequence[float] = (0.85, 1.15), center: Sequence[float] | None = (0, 0, 0)):
        if not 0 < scale[0] <= scale[1]:
            raise ValueError(f"DetectionRandomScale: scale must be 0 < low <= high, got {scale!r}")
        self.scale = tuple(scale)
        self.center = center

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        factor = rng.uniform(self.scale[0], self.scale[1])
        return apply_linear(data, np.eye(3) * factor, _pivot(data, self.center))
