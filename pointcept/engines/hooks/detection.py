"""Detection validation after each epoch: VoteNet-style mAP of the model's boxes on the val loader.

Each rank predicts its scenes; the small per-scene box lists are gathered and every rank scores all of
them with :func:`pointcept.evaluation.detection.box_map`, so the tracked metric is known everywhere.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import torch

from pointcept.evaluation.detection import box_map, format_detection_table
from pointcept.utils.comm import all_gather_object

from .base import HOOKS
from .evaluator import ValidationHook

__all__ = ["DetectionEvaluator", "split_ground_truth", "log_detection_metrics"]


def split_ground_truth(input_dict: dict[str, Any]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per-sample ``(boxes (K, 7), classes (K,))`` of a collated batch (``gt_boxes_offset`` splits them)."""
    if "gt_boxes_offset" not in input_dict:
        raise KeyError("detection evaluation needs 'gt_boxes', 'gt_classes' and 'gt_boxes_offset' in the batch")
    bounds = [0] + input_dict["gt_boxes_offset"].cpu().tolist()
    boxes = input_dict["gt_boxes"].cpu().double().numpy().reshape(-1, 7)
    classes = input_dict["gt_classes"].cpu().numpy().reshape(-1)
    return [(boxes[lo:hi], classes[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


def log_detection_metrics(logger, metrics: dict, prefix: str, suffix: str = "") -> None:
    maps = "/".join(f"{metrics[k]:.4f}" for k in metrics if k.startswith("mAP@"))
    names = "/".join(k for k in metrics if k.startswith("mAP@"))
    logger.info(f"{prefix} result: {names} {maps}{suffix}")
    logger.info("\n" + format_detection_table(metrics))


@HOOKS.register_module()
class DetectionEvaluator(ValidationHook):
    """Scores the val loader's boxes and tracks ``metric`` (VoteNet's headline mAP@0.25 by default).

    Class names come from ``cfg.data.names``; ``iou_thresholds`` are those of :func:`box_map`.
    """

    def __init__(self, iou_thresholds: Sequence[float] = (0.25, 0.5), metric: str = "mAP@0.25", every_n_epochs: int = 1):
        self.iou_thresholds = tuple(iou_thresholds)
        self.metric = metric
        self.every_n_epochs = every_n_epochs

    def after_epoch(self) -> None:
        if not self.due():
            return
        trainer = self.trainer
        metrics = self.evaluate()
        if np.isfinite(metrics[self.metric]):  # NaN (no ground truth in val) would freeze best-model tracking
            trainer.comm_info["current_metric_value"] = metrics[self.metric]
            trainer.comm_info["current_metric_name"] = self.metric

    @torch.no_grad()
    def evaluate(self) -> dict:
        trainer = self.trainer
        preds, gts, losses = [], [], []
        for input_dict, output in self.val_outputs():
            preds += output["predictions"]
            gts += split_ground_truth(input_dict)
            if "loss" in output:
                losses.append(float(output["loss"]))
        preds = [p for part in all_gather_object(preds) for p in part]
        gts = [g for part in all_gather_object(gts) for g in part]
        losses = [v for part in all_gather_object(losses) for v in part]
        metrics = box_map(preds, gts, self.iou_thresholds, trainer.cfg.data.get("names"))
        val_loss = float(np.mean(losses)) if losses else float("nan")
        log_detection_metrics(trainer.logger, metrics, "Val", f" loss {val_loss:.4f} ({len(gts)} scenes)")
        self.write_scalars({key: value for key, value in metrics.items() if key.startswith("mAP@")}, val_loss)
        trainer.storage.put_scalar(f"val_{self.metric}", metrics[self.metric])
        return metrics
