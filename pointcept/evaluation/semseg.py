"""Semantic-segmentation metrics as pure functions (hooks and testers only call these)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch


def intersection_and_union(
    pred: np.ndarray | torch.Tensor, target: np.ndarray | torch.Tensor, num_classes: int, ignore_index: int = -1
) -> tuple:
    """Per-class (intersection, union, target) point counts; points whose target is ``ignore_index`` skip.

    Works on numpy arrays or on tensors of any device (returns the same kind), so the evaluator can count
    on the GPU and all-reduce the three vectors.
    """
    if pred.shape != target.shape:
        raise ValueError(f"prediction shape {tuple(pred.shape)} differs from target shape {tuple(target.shape)}")
    if isinstance(pred, torch.Tensor):
        pred = pred.reshape(-1).long()
        target = target.reshape(-1).long()
        valid = target != ignore_index
        pred, target = pred[valid], target[valid]
        _check_range(target, num_classes, "target")
        _check_range(pred, num_classes, "prediction")
        hit = pred[pred == target]
        area_intersection = torch.bincount(hit, minlength=num_classes)[:num_classes]
        area_pred = torch.bincount(pred, minlength=num_classes)[:num_classes]
        area_target = torch.bincount(target, minlength=num_classes)[:num_classes]
        return area_intersection, area_pred + area_target - area_intersection, area_target
    pred = np.asarray(pred).reshape(-1).astype(np.int64)
    target = np.asarray(target).reshape(-1).astype(np.int64)
    valid = target != ignore_index
    pred, target = pred[valid], target[valid]
    _check_range(target, num_classes, "target")
    _check_range(pred, num_classes, "prediction")
    area_intersection = np.bincount(pred[pred == target], minlength=num_classes)
    area_pred = np.bincount(pred, minlength=num_classes)
    area_target = np.bincount(target, minlength=num_classes)
    return area_intersection, area_pred + area_target - area_intersection, area_target


def _check_range(labels, num_classes: int, what: str) -> None:
    if len(labels) and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise ValueError(
            f"{what} labels must lie in [0, {num_classes}) (or be the ignore index); "
            f"got min {int(labels.min())}, max {int(labels.max())}"
        )


def semseg_metrics(
    intersection: np.ndarray, union: np.ndarray, target: np.ndarray, class_names: Sequence[str] | None = None
) -> dict:
    """mIoU / mAcc over classes present in the ground truth or predicted (union > 0), allAcc, per-class IoU.

    Absent classes: a class with no ground truth and no prediction in the evaluated scenes has NaN
    IoU/accuracy and is left out of ``mIoU`` / ``mAcc`` (a class with predictions but no ground truth has
    IoU 0 and counts; its accuracy is NaN). Pointcept's testers instead average over *every* class with
    ``intersection / (union + 1e-10)``, so an absent class counts as 0; that definition is returned as
    ``mIoU_pointcept`` / ``mAcc_pointcept``. On the full ScanNet val set every class is present and the two
    agree; on a few scenes (a CPU sample, one area) they differ, and only like may be compared with like.
    """
    intersection = np.asarray(intersection, dtype=np.float64)
    union = np.asarray(union, dtype=np.float64)
    target = np.asarray(target, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, intersection / union, np.nan)
        acc = np.where(target > 0, intersection / target, np.nan)
    names = list(class_names) if class_names is not None else [str(i) for i in range(len(iou))]
    if len(names) != len(iou):
        raise ValueError(f"{len(names)} class names for {len(iou)} classes")
    total = target.sum()
    return {
        "mIoU": float(np.nanmean(iou)) if np.isfinite(iou).any() else float("nan"),
        "mAcc": float(np.nanmean(acc)) if np.isfinite(acc).any() else float("nan"),
        "mIoU_pointcept": float(np.mean(intersection / (union + 1e-10))) if len(iou) else float("nan"),
        "mAcc_pointcept": float(np.mean(intersection / (target + 1e-10))) if len(iou) else float("nan"),
        "allAcc": float(intersection.sum() / total) if total > 0 else float("nan"),
        "per_class": {name: {"iou": float(i), "acc": float(a)} for name, i, a in zip(names, iou, acc)},
    }


def format_class_table(metrics: dict) -> str:
    """The per-class IoU/accuracy table the logs and notes show."""
    rows = [f"{'class':<24}{'IoU':>8}{'Acc':>8}"]
    for name, values in metrics["per_class"].items():
        rows.append(f"{name:<24}{values['iou']:>8.4f}{values['acc']:>8.4f}")
    rows.append(f"{'mean':<24}{metrics['mIoU']:>8.4f}{metrics['mAcc']:>8.4f}   allAcc {metrics['allAcc']:.4f}")
    if "mIoU_pointcept" in metrics:
        rows.append(f"{'mean (absent = 0)':<24}{metrics['mIoU_pointcept']:>8.4f}{metrics['mAcc_pointcept']:>8.4f}"
                    "   (Pointcept's definition: every class averaged, absent classes count 0)")
    return "\n".join(rows)
