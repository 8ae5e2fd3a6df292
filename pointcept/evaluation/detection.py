"""3D box detection metrics as pure numpy functions: mAP over scenes and its log table.

Boxes follow :mod:`pointcept.utils.boxes` (rows of 7: centre, FULL sizes, counter-clockwise heading about
+z); the exact oriented IoU and the NMS live there and are re-exported here for their old import path.

:func:`box_map` is the pinned evaluator: VoteNet's ``eval_det`` (greedy matching in descending score
order, area under the precision envelope), written here without its axis-aligned shortcut.
"""

from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from pointcept.utils.boxes import bev_corners, box_iou_3d, check_boxes, nms_3d, pairwise_bev_area

__all__ = [
    "bev_corners", "box_iou_3d", "box_map", "check_boxes", "format_detection_table", "nms_3d", "pairwise_bev_area",
]


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
