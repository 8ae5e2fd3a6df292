"""Every 3D box operation in one place: corners, edges, points in boxes, oriented IoU (3D and BEV), NMS
and the box-preserving linear maps. Datasets, transforms, VoteNet, the detection metrics and the
pictures all use these, so there is one box convention and one implementation of each formula.

Box convention (the datasets' ``gt_boxes``, VoteNet's predictions, ``box_map``'s inputs): rows of 7 =

* ``cx, cy, cz``: the box centre (the middle of its height too, not the bottom face);
* ``dx, dy, dz``: FULL side lengths (not half sizes), all > 0;
* ``heading``: radians, counter-clockwise about +z seen from above (x towards y). At heading 0 the ``dx``
  side lies along +x and ``dy`` along +y: an axis-aligned box is simply a box with heading 0. Headings
  ``h`` and ``h + pi`` are the same box, and so are ``(dx, dy, h)`` and ``(dy, dx, h + pi/2)``.

Boxes are upright: they rotate about z only. Every function here takes full sizes; the one source of half
sizes, VoteNet's SUN RGB-D ``<id>_bbox.npy`` (half sizes, clockwise heading), is converted exactly once,
on load, with :func:`boxes_from_votenet`.

Pure numpy (float64 results); :func:`points_in_boxes` and :func:`wrap_angle` also take torch tensors
(any device, any leading batch dims) so that the VoteNet head uses the same code as the data checks.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

__all__ = [
    "BOX_EDGES", "bev_corners", "box_corners", "box_edges", "box_iou_3d", "box_iou_bev",
    "boxes_from_votenet", "check_boxes", "enclosing_axis_aligned", "nms_3d", "pairwise_bev_area",
    "points_in_boxes", "transform_boxes", "wrap_angle",
]

#: the 12 edges of a box as pairs of :func:`box_corners` indices (bottom face, top face, then the uprights)
BOX_EDGES = ((0, 1), (1, 2), (2, 3), (3, 0), (4, 5), (5, 6), (6, 7), (7, 4), (0, 4), (1, 5), (2, 6), (3, 7))

# corner signs along the box's own x, y, z: bottom face then top face, each counter-clockwise from above
_SIGN_X = np.array([-1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
_SIGN_Y = np.array([-1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0])
_SIGN_Z = np.array([-1.0, -1.0, -1.0, -1.0, 1.0, 1.0, 1.0, 1.0])


def _as_boxes(boxes: Any) -> np.ndarray:
    """``boxes`` as a (K, 7) float64 array (one box of shape (7,) and empty inputs included)."""
    return np.asarray(boxes, dtype=np.float64).reshape(-1, 7)


def wrap_angle(angle: Any) -> Any:
    """``angle`` wrapped to [-pi, pi) (numpy arrays, scalars or torch tensors): one heading range for
    stored, augmented and decoded boxes alike."""
    return (angle + math.pi) % (2 * math.pi) - math.pi


def check_boxes(boxes: Any, what: str = "boxes") -> np.ndarray:
    """``boxes`` as (K, 7) float64; a clear ``ValueError`` naming ``what`` for a wrong shape, non-finite
    values or a non-positive size, so bad boxes fail where they enter rather than as a NaN IoU later."""
    array = np.asarray(boxes, dtype=np.float64)
    if array.size == 0:
        return array.reshape(0, 7)
    if array.ndim != 2 or array.shape[1] != 7:
        raise ValueError(f"{what}: expected (K, 7) boxes (cx, cy, cz, dx, dy, dz, heading), got {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{what}: boxes hold non-finite values")
    if (array[:, 3:6] <= 0).any():
        row = int(np.flatnonzero((array[:, 3:6] <= 0).any(axis=1))[0])
        raise ValueError(f"{what}: box {row} has a non-positive size {array[row, 3:6].tolist()}")
    return array


def boxes_from_votenet(rows: Any) -> np.ndarray:
    """(K, 7) boxes in this module's convention from VoteNet's ``cx cy cz l/2 w/2 h/2 heading`` rows, whose
    corners VoteNet rotates by ``rotz(-heading)``: sizes doubled, heading negated and wrapped. The only
    half-size conversion in the project, so that no caller converts twice."""
    rows = _as_boxes(rows)
    heading = wrap_angle(-rows[:, 6])
    return np.concatenate([rows[:, :3], 2 * rows[:, 3:6], heading[:, None]], axis=1)


def _rotated_xy(boxes: np.ndarray, sign_x: np.ndarray, sign_y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """World x, y of the box-frame points ``(sign_x * dx/2, sign_y * dy/2)`` of every box: (K, len(signs))."""
    local_x = sign_x / 2 * boxes[:, 3:4]
    local_y = sign_y / 2 * boxes[:, 4:5]
    cos, sin = np.cos(boxes[:, 6:7]), np.sin(boxes[:, 6:7])
    return cos * local_x - sin * local_y + boxes[:, 0:1], sin * local_x + cos * local_y + boxes[:, 1:2]


def box_corners(boxes: Any) -> np.ndarray:
    """(K, 8, 3) corners: bottom face then top face, each counter-clockwise seen from above, starting at the
    box's (-x, -y) corner (what :data:`BOX_EDGES` indexes). Axis-aligned boxes are heading 0."""
    boxes = _as_boxes(boxes)
    x, y = _rotated_xy(boxes, _SIGN_X, _SIGN_Y)
    z = _SIGN_Z / 2 * boxes[:, 5:6] + boxes[:, 2:3]
    return np.stack([x, y, z], axis=-1)


def bev_corners(boxes: Any) -> np.ndarray:
    """(K, 4, 2) xy corners of the boxes' footprints, counter-clockwise (the bottom face of
    :func:`box_corners`): the polygons that the BEV and 3D IoU clip."""
    x, y = _rotated_xy(_as_boxes(boxes), _SIGN_X[:4], _SIGN_Y[:4])
    return np.stack([x, y], axis=-1)


def box_edges(boxes: Any) -> np.ndarray:
    """(K, 12, 2, 3) end points of every box edge (:data:`BOX_EDGES` order): wireframes for pictures."""
    corners = box_corners(boxes)
    return np.stack([corners[:, list(pair)] for pair in BOX_EDGES], axis=1)


def points_in_boxes(points: Any, boxes: Any, eps: float = 1e-6) -> Any:
    """(..., N, K) bool: point n lies inside box k or within ``eps`` (metres) of its faces.

    ``points`` (..., N, >=3) and ``boxes`` (..., K, 7) with matching leading dims. numpy inputs are computed
    in float64 (the default 1 µm keeps the points that define a float32 box inside it); torch tensors stay
    in their dtype and device (VoteNet's vote targets and its box filter).
    """
    if isinstance(points, torch.Tensor):
        lib = torch
    else:
        lib = np
        points = np.asarray(points, dtype=np.float64)
        boxes = np.asarray(boxes, dtype=np.float64)
        boxes = boxes.reshape(-1, 7) if boxes.ndim < 2 else boxes
    d = points[..., :, None, :3] - boxes[..., None, :, :3]
    cos, sin = lib.cos(boxes[..., 6])[..., None, :], lib.sin(boxes[..., 6])[..., None, :]
    local_x = cos * d[..., 0] + sin * d[..., 1]
    local_y = -sin * d[..., 0] + cos * d[..., 1]
    half = boxes[..., None, :, 3:6] / 2 + eps
    return (abs(local_x) <= half[..., 0]) & (abs(local_y) <= half[..., 1]) & (abs(d[..., 2]) <= half[..., 2])


# ------------------------------------------------------------------------------------------ IoU
def _clip_half_plane(poly: np.ndarray, count: np.ndarray, start: np.ndarray, end: np.ndarray):
    """One Sutherland-Hodgman step for P polygons at once: keep the part of polygon p (its first
    ``count[p]`` vertices of ``poly`` (P, V, 2)) left of the directed line ``start[p] -> end[p]``."""
    num, width = poly.shape[:2]
    slot = np.arange(width)
    valid = slot[None, :] < count[:, None]
    nxt = np.take_along_axis(poly, ((slot[None, :] + 1) % np.maximum(count, 1)[:, None])[..., None], axis=1)
    edge = end - start

    def side(points: np.ndarray) -> np.ndarray:  # > 0 left of the line, 0 on it
        rel = points - start[:, None, :]
        return edge[:, None, 0] * rel[..., 1] - edge[:, None, 1] * rel[..., 0]

    d_cur, d_nxt = side(poly), side(nxt)
    inside_cur, inside_nxt = d_cur >= 0, d_nxt >= 0
    emit_cur = valid & inside_cur
    emit_cross = valid & (inside_cur != inside_nxt)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(emit_cross, d_cur / (d_cur - d_nxt), 0.0)
    cross = poly + t[..., None] * (nxt - poly)
    emitted = emit_cur.astype(np.int64) + emit_cross
    position = np.cumsum(emitted, axis=1) - emitted
    new_count = emitted.sum(axis=1)
    out = np.zeros((num, max(int(new_count.max(initial=0)), 1), 2))
    rows, cols = np.nonzero(emit_cur)
    out[rows, position[rows, cols]] = poly[rows, cols]
    rows, cols = np.nonzero(emit_cross)
    out[rows, position[rows, cols] + emit_cur[rows, cols]] = cross[rows, cols]
    return out, new_count


def _polygon_area(poly: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Shoelace area of each polygon's first ``count`` vertices."""
    slot = np.arange(poly.shape[1])
    nxt = np.take_along_axis(poly, ((slot[None, :] + 1) % np.maximum(count, 1)[:, None])[..., None], axis=1)
    cross = poly[..., 0] * nxt[..., 1] - poly[..., 1] * nxt[..., 0]
    cross = np.where(slot[None, :] < count[:, None], cross, 0.0)
    return np.abs(cross.sum(axis=1)) / 2


def pairwise_bev_area(a: Any, b: Any) -> np.ndarray:
    """(P,) xy intersection area of footprints ``a[p]`` and ``b[p]`` (both (P, 7)): ``a`` clipped by the four
    edges of ``b`` (convex polygon clipping, exact up to float64 rounding)."""
    poly = bev_corners(a)
    clip = bev_corners(b)
    count = np.full(len(poly), 4, dtype=np.int64)
    for k in range(4):
        poly, count = _clip_half_plane(poly, count, clip[:, k], clip[:, (k + 1) % 4])
    return _polygon_area(poly, count)


def _oriented_iou(a: Any, b: Any, with_height: bool) -> np.ndarray:
    """(M, K) IoU of the boxes' volumes (``with_height``) or of their footprints; only pairs whose footprints'
    circumcircles meet (and, in 3D, whose heights overlap) are clipped."""
    a, b = _as_boxes(a), _as_boxes(b)
    iou = np.zeros((len(a), len(b)))
    if not len(a) or not len(b):
        return iou
    radius_a = np.hypot(a[:, 3], a[:, 4]) / 2
    radius_b = np.hypot(b[:, 3], b[:, 4]) / 2
    centre_gap = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    candidate = centre_gap < radius_a[:, None] + radius_b[None, :]
    if with_height:
        z_low = np.maximum(a[:, None, 2] - a[:, None, 5] / 2, b[None, :, 2] - b[None, :, 5] / 2)
        z_high = np.minimum(a[:, None, 2] + a[:, None, 5] / 2, b[None, :, 2] + b[None, :, 5] / 2)
        z_overlap = np.clip(z_high - z_low, 0, None)
        candidate = (z_overlap > 0) & candidate
    rows, cols = np.nonzero(candidate)
    if len(rows):
        inter = pairwise_bev_area(a[rows], b[cols])
        if with_height:
            inter = inter * z_overlap[rows, cols]
        sides = slice(3, 6) if with_height else slice(3, 5)
        measure_a, measure_b = a[:, sides].prod(axis=1), b[:, sides].prod(axis=1)
        union = measure_a[rows] + measure_b[cols] - inter
        iou[rows, cols] = np.where(union > 0, inter / np.maximum(union, 1e-300), 0.0)
    return np.clip(iou, 0.0, 1.0)


def box_iou_3d(a: Any, b: Any) -> np.ndarray:
    """(M, K) exact 3D IoU of oriented upright boxes ``a`` (M, 7) and ``b`` (K, 7): footprint intersection
    area times z overlap, over the union of volumes (what VoteNet's evaluation and NMS use)."""
    return _oriented_iou(a, b, with_height=True)


def box_iou_bev(a: Any, b: Any) -> np.ndarray:
    """(M, K) exact bird's-eye-view IoU of the boxes' footprints (heights ignored): for ground-plane
    matching, where the vertical extent is unreliable or irrelevant."""
    return _oriented_iou(a, b, with_height=False)


def nms_3d(boxes: Any, scores: Any, iou_threshold: float = 0.25, classes: Any | None = None) -> np.ndarray:
    """Greedy NMS on oriented boxes: a box is dropped when its 3D IoU with a higher-scoring kept box of the
    same class (all boxes one class when ``classes`` is None) exceeds ``iou_threshold`` (VoteNet's rule).
    Returns the kept indices in descending score order (ties: lower index first)."""
    boxes = _as_boxes(boxes)
    scores = np.asarray(scores, dtype=np.float64).reshape(-1)
    if len(scores) != len(boxes):
        raise ValueError(f"nms_3d: {len(boxes)} boxes but {len(scores)} scores")
    labels = np.zeros(len(boxes), dtype=np.int64) if classes is None else np.asarray(classes).reshape(-1)
    keep: list[int] = []
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label)
        members = members[np.argsort(-scores[members], kind="stable")]
        overlap = box_iou_3d(boxes[members], boxes[members]) > iou_threshold
        suppressed = np.zeros(len(members), dtype=bool)
        for i in range(len(members)):
            if suppressed[i]:
                continue
            keep.append(int(members[i]))
            suppressed |= overlap[i]
    keep_array = np.asarray(keep, dtype=np.int64)
    return keep_array[np.argsort(-scores[keep_array], kind="stable")]


# ------------------------------------------------------------------------------------------ linear maps
def enclosing_axis_aligned(boxes: Any) -> np.ndarray:
    """The axis-aligned (heading 0) box around each oriented box: same centre, footprint extents
    ``|cos| dx + |sin| dy`` along x and ``|sin| dx + |cos| dy`` along y. It still holds every point of the
    oriented box (VoteNet's choice for rotated axis-aligned data)."""
    out = _as_boxes(boxes).copy()
    cos, sin = np.abs(np.cos(out[:, 6])), np.abs(np.sin(out[:, 6]))
    dx, dy = out[:, 3].copy(), out[:, 4].copy()
    out[:, 3], out[:, 4], out[:, 6] = cos * dx + sin * dy, sin * dx + cos * dy, 0.0
    return out


def transform_boxes(boxes: Any, matrix: Any, pivot: Any, axis_aligned: bool = False) -> np.ndarray:
    """Boxes (K, 7) under ``x -> matrix (x - pivot) + pivot``, so that boxes follow their points through
    flips, z rotations and isotropic scaling. ``matrix`` must be ``s * [[Q, 0], [0, +-1]]`` with Q
    orthogonal 2x2 and s > 0 (checked: any other map does not keep upright boxes boxes);
    ``axis_aligned``: replace each result by :func:`enclosing_axis_aligned`."""
    boxes = _as_boxes(boxes)
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
    out[:, 6] = wrap_angle(np.arctan2(direction[:, 1], direction[:, 0]))
    if axis_aligned and len(out):
        out = enclosing_axis_aligned(out)
    return out
