"""Box-aware augmentations for detection: flips, z rotations and scales that move ``gt_boxes`` (and SUN RGB-D's
``point_votes`` offsets, and ``normal``) together with ``coord``.

Boxes are per-sample, not per-point keys, so the plain geometric transforms would leave them behind. Each
transform here is one linear map ``x -> M (x - pivot) + pivot`` applied to everything at once by
:func:`apply_linear`, so a point inside a box stays inside the transformed box. Only maps that keep boxes
upright boxes are allowed: reflections and rotations about z, and isotropic scaling. Axis-aligned data
(ScanNet) passes ``axis_aligned=True``: a rotated box is replaced by the axis-aligned box around it
(VoteNet's choice), which still contains its points.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import TRANSFORMS, Transform
from .geometric import rotation_matrix

__all__ = ["apply_linear", "transform_boxes", "DetectionRandomFlip", "DetectionRandomRotate", "DetectionRandomScale"]


def _wrap(angle: np.ndarray) -> np.ndarray:
    return (angle + np.pi) % (2 * np.pi) - np.pi


def transform_boxes(boxes: np.ndarray, matrix: np.ndarray, pivot: np.ndarray, axis_aligned: bool = False) -> np.ndarray:
    """Boxes (K, 7) under ``x -> matrix (x - pivot) + pivot``; ``matrix`` must be ``s * [[Q, 0], [0, +-1]]``
    with Q orthogonal 2x2 and s > 0 (checked)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 7)
    matrix = np.asarray(matrix, dtype=np.float64)
    scale = abs(matrix[2, 2])
    planar = matrix[:2, :2] / max(scale, 1e-12)
    if (np.abs(matrix[:2, 2]) > 1e-9).any() or (np.abs(matrix[2, :2]) > 1e-9).any() or not np.allclose(
        planar @ planar.T, np.eye(2), atol=1e-6
    ):
        raise ValueError(f"transform_boxes: {matrix.tolist()} does not keep boxes upright boxes")
    out = boxes.copy()
    out[:, :3] = (boxes[:, :3] - pivot) @ matrix.T + pivot
    out[:, 3:6] = boxes[:, 3:6] * scale
    direction = np.stack([np.cos(boxes[:, 6]), np.sin(boxes[:, 6])], axis=1) @ planar.T
    out[:, 6] = _wrap(np.arctan2(direction[:, 1], direction[:, 0]))
    if axis_aligned and len(out):
        # extents of the rotated footprint: |cos| dx + |sin| dy along x, |sin| dx + |cos| dy along y
        cos, sin = np.abs(np.cos(out[:, 6])), np.abs(np.sin(out[:, 6]))
        dx, dy = out[:, 3].copy(), out[:, 4].copy()
        out[:, 3], out[:, 4], out[:, 6] = cos * dx + sin * dy, sin * dx + cos * dy, 0.0
    return out


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
