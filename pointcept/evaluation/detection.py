"""3D box detection metrics as pure numpy functions: exact oriented-box IoU, per-class NMS and mAP.

Box convention (the datasets' ``gt_boxes``): rows of 7 = centre x, y, z, FULL sizes dx, dy, dz, heading
(radians, counter-clockwise about +z; at heading 0 the dx side lies along +x). Boxes are upright, so the
3D intersection is the rectangles' intersection area in xy (convex polygon clipping, exact up to float64
rounding) times the overlap of their z ranges.

:func:`box_map` is the pinned evaluator: VoteNet's ``eval_det`` (greedy matching in descending score
order, area under the precision envelope), written here without its axis-aligned shortcut.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

__all__ = [
    "bev_corners", "box_iou_3d", "box_map", "check_boxes", "format_detection_table", "nms_3d", "pairwise_bev_area",
]


def check_boxes(boxes: Any, what: str = "boxes") -> np.ndarray:
    """``boxes`` as (K, 7) float64; a clear ``ValueError`` naming ``what`` for a wrong shape, non-finite
    values or a non-positive size."""
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


def bev_corners(boxes: np.ndarray) -> np.ndarray:
    """(K, 4, 2) xy corners of the boxes' footprints, counter-clockwise."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 7)
    half_x, half_y = boxes[:, 3:4] / 2, boxes[:, 4:5] / 2
    local_x = np.array([-1.0, 1.0, 1.0, -1.0]) * half_x
    local_y = np.array([-1.0, -1.0, 1.0, 1.0]) * half_y
    cos, sin = np.cos(boxes[:, 6:7]), np.sin(boxes[:, 6:7])
    x = cos * local_x - sin * local_y + boxes[:, 0:1]
    y = sin * local_x + cos * local_y + boxes[:, 1:2]
    return np.stack([x, y], axis=-1)


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


def pairwise_bev_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(P,) xy intersection area of footprints ``a[p]`` and ``b[p]`` (both (P, 7)): ``a`` clipped by the four
    edges of ``b``."""
    poly = bev_corners(a)
    clip = bev_corners(b)
    count = np.full(len(poly), 4, dtype=np.int64)
    for k in range(4):
        poly, count = _clip_half_plane(poly, count, clip[:, k], clip[:, (k + 1) % 4])
    return _polygon_area(poly, count)


def box_iou_3d(a: Any, b: Any) -> np.ndarray:
    """(M, K) exact 3D IoU of oriented upright boxes ``a`` (M, 7) and ``b`` (K, 7)."""
    a = np.asarray(a, dtype=np.float64).reshape(-1, 7)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 7)
    iou = np.zeros((len(a), len(b)))
    if not len(a) or not len(b):
        return iou
    z_low = np.maximum(a[:, None, 2] - a[:, None, 5] / 2, b[None, :, 2] - b[None, :, 5] / 2)
    z_high = np.minimum(a[:, None, 2] + a[:, None, 5] / 2, b[None, :, 2] + b[None, :, 5] / 2)
    z_overlap = np.clip(z_high - z_low, 0, None)
    radius_a = np.hypot(a[:, 3], a[:, 4]) / 2
    radius_b = np.hypot(b[:, 3], b[:, 4]) / 2
    centre_gap = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1])
    # only pairs whose footprints' circumcircles meet and whose heights overlap need clipping
    rows, cols = np.nonzero((z_overlap > 0) & (centre_gap < radius_a[:, None] + radius_b[None, :]))
    if len(rows):
        inter = pairwise_bev_area(a[rows], b[cols]) * z_overlap[rows, cols]
        volume_a, volume_b = a[:, 3:6].prod(axis=1), b[:, 3:6].prod(axis=1)
        union = volume_a[rows] + volume_b[cols] - inter
        iou[rows, cols] = np.where(union > 0, inter / np.maximum(union, 1e-300), 0.0)
    return np.clip(iou, 0.0, 1.0)


def nms_3d(boxes: Any, scores: Any, iou_threshold: float = 0.25, classes: Any | None = None) -> np.ndarray:
    """Greedy NMS on oriented boxes: a box is dropped when its IoU with a higher-scoring kept box of the same
    class (all boxes one class when ``classes`` is None) exceeds ``iou_threshold`` (VoteNet's rule). Returns
    the kept indices in descending score order (ties: lower index first)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 7)
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


def _precision_envelope_ap(tp: np.ndarray, fp: np.ndarray, num_gt: int) -> float:
    """Area under the monotone precision envelope of the ranked detections (VOC 2010+, not 11-point)."""
    tp, fp = np.cumsum(tp), np.cumsum(fp)
    recall = tp / num_gt
    precision = tp / np.maximum(tp + fp, np.finfo(np.float64).eps)
    recall = np.concatenate([[0.0], recall, [1.0]])
    precision = np.concatenate([[0.0], precision, [0.0]])
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    step = np.flatnonzero(recall[1:] != recall[:-1])
    return float(np.sum((recall[step + 1] - recall[step]) * precision[step + 1]))


def _scene_arrays(preds: Sequence, gts: Sequence, num_classes: int | None) -> list[tuple]:
    """Validated ``(pred boxes, classes, scores, gt boxes, classes)`` per scene; errors name the scene."""
    if len(preds) != len(gts):
        raise ValueError(f"box_map: {len(preds)} predicted scenes but {len(gts)} ground-truth scenes")
    scenes = []
    for i, (pred, gt) in enumerate(zip(preds, gts)):
        if len(pred) != 3 or len(gt) != 2:
            raise ValueError(f"box_map: scene {i}: preds must be (boxes, classes, scores), gts (boxes, classes)")
        p_boxes = check_boxes(pred[0], f"box_map: scene {i} predicted boxes")
        g_boxes = check_boxes(gt[0], f"box_map: scene {i} ground-truth boxes")
        p_classes = np.asarray(pred[1]).reshape(-1).astype(np.int64)
        p_scores = np.asarray(pred[2], dtype=np.float64).reshape(-1)
        g_classes = np.asarray(gt[1]).reshape(-1).astype(np.int64)
        if not len(p_boxes) == len(p_classes) == len(p_scores) or len(g_boxes) != len(g_classes):
            raise ValueError(
                f"box_map: scene {i}: {len(p_boxes)} boxes / {len(p_classes)} classes / {len(p_scores)} scores "
                f"predicted, {len(g_boxes)} boxes / {len(g_classes)} classes of ground truth"
            )
        if not np.isfinite(p_scores).all():
            raise ValueError(f"box_map: scene {i}: non-finite scores")
        for what, classes in (("predicted", p_classes), ("ground-truth", g_classes)):
            bad = (classes < 0) | (classes >= num_classes) if num_classes is not None else classes < 0
            if bad.any():
                limit = f"0..{num_classes - 1}" if num_classes is not None else ">= 0"
                raise ValueError(f"box_map: scene {i}: {what} class {int(classes[bad][0])} is outside {limit}")
        scenes.append((p_boxes, p_classes, p_scores, g_boxes, g_classes))
    return scenes


def _class_ap(scenes: list[tuple], label: int, thresholds: Sequence[float]) -> list[float]:
    """AP of one class at each threshold; NaN without ground truth."""
    num_gt = sum(int((s[4] == label).sum()) for s in scenes)
    scene_of, scores, best_iou, best_gt = [], [], [], []
    for index, (p_boxes, p_classes, p_scores, g_boxes, g_classes) in enumerate(scenes):
        pred_mask, gt_mask = p_classes == label, g_classes == label
        if not pred_mask.any():
            continue
        iou = box_iou_3d(p_boxes[pred_mask], g_boxes[gt_mask])
        count = int(pred_mask.sum())
        scene_of.append(np.full(count, index))
        scores.append(p_scores[pred_mask])
        # each detection takes only its highest-IoU box (the first of ties); no fallback to another box
        best_gt.append(iou.argmax(axis=1) if iou.shape[1] else np.full(count, -1))
        best_iou.append(iou.max(axis=1) if iou.shape[1] else np.full(count, -np.inf))
    if num_gt == 0:
        return [math.nan] * len(thresholds)
    if not scores:
        return [0.0] * len(thresholds)
    scene_of, scores = np.concatenate(scene_of), np.concatenate(scores)
    best_iou, best_gt = np.concatenate(best_iou), np.concatenate(best_gt)
    order = np.argsort(-scores, kind="stable")
    result = []
    for threshold in thresholds:
        taken: set[tuple[int, int]] = set()
        tp = np.zeros(len(order))
        for rank, d in enumerate(order):
            key = (int(scene_of[d]), int(best_gt[d]))
            if best_iou[d] >= threshold and key not in taken:
                taken.add(key)
                tp[rank] = 1.0
        result.append(_precision_envelope_ap(tp, 1.0 - tp, num_gt))
    return result


def box_map(
    preds: Sequence, gts: Sequence, iou_thresholds: Sequence[float] = (0.25, 0.5), class_names: Sequence[str] | None = None
) -> dict:
    """Mean average precision of 3D boxes over scenes (VoteNet's evaluation, exact oriented IoU).

    Args:
        preds: one ``(boxes (M, 7), classes (M,), scores (M,))`` per scene.
        gts: one ``(boxes (K, 7), classes (K,))`` per scene, in the same order.
        iou_thresholds: a detection is a true positive when its best-overlapping ground-truth box of its
            class in its scene reaches the threshold (IoU >= t) and is not taken yet.
        class_names: names of class ids ``0..len-1`` (ids outside are an error); None: the classes that
            occur, named by their id.

    Returns:
        ``{"mAP@0.25": .., "mAP@0.5": .., "per_class": {name: {"AP@0.25": .., "AP@0.5": ..}}}``. A class
        with ground truth but no detections has AP 0; a class without ground truth has AP NaN and is left
        out of the mean (a mean over no class is NaN).
    """
    thresholds = [float(t) for t in iou_thresholds]
    num_classes = len(class_names) if class_names is not None else None
    scenes = _scene_arrays(preds, gts, num_classes)
    if class_names is not None:
        labels = list(range(len(class_names)))
        names = [str(n) for n in class_names]
    else:
        seen = set()
        for p_boxes, p_classes, _, _, g_classes in scenes:
            seen.update(p_classes.tolist())
            seen.update(g_classes.tolist())
        labels = sorted(seen)
        names = [str(label) for label in labels]
    per_class: dict[str, dict[str, float]] = {}
    table = np.full((len(labels), len(thresholds)), np.nan)
    for row, (label, name) in enumerate(zip(labels, names)):
        table[row] = _class_ap(scenes, label, thresholds)
        per_class[name] = {f"AP@{t:g}": float(ap) for t, ap in zip(thresholds, table[row])}
    result: dict[str, Any] = {}
    for column, t in enumerate(thresholds):
        valid = table[:, column][~np.isnan(table[:, column])]
        result[f"mAP@{t:g}"] = float(valid.mean()) if len(valid) else math.nan
    result["per_class"] = per_class
    return result


def format_detection_table(metrics: dict) -> str:
    """The per-class APs of :func:`box_map` as a fixed-width text table (log output)."""
    per_class = metrics["per_class"]
    columns = sorted({key for row in per_class.values() for key in row}, key=lambda k: float(k.split("@")[1]))
    width = max([len(n) for n in per_class] + [5])
    lines = [f"{'class':<{width}}  " + "  ".join(f"{c:>8}" for c in columns)]
    for name, row in per_class.items():
        lines.append(f"{name:<{width}}  " + "  ".join(f"{row[c]:8.4f}" for c in columns))
    means = [metrics.get("m" + c, math.nan) for c in columns]
    lines.append(f"{'mean':<{width}}  " + "  ".join(f"{m:8.4f}" for m in means))
    return "\n".join(lines)
