"""``DetectionTester``: whole-scene detection of a checkpoint: boxes after NMS, mAP, per-scene result files.

Each test item is one voxelised scene (the validation pipeline); its kept boxes are written to
``<save_path>/result/<scene>_pred.npz`` (``boxes`` (M, 7), ``classes``, ``scores``: the box convention of
the datasets) for pictures (``tools/visualize.py boxes``) and offline scoring.
"""

from __future__ import annotations

import os
import time
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from pointcept.datasets.collate import point_collate_fn
from pointcept.evaluation.detection import box_map
from pointcept.utils.comm import all_gather_object
from pointcept.utils.io import atomic_path

from .hooks.detection import log_detection_metrics, split_ground_truth
from .test import TESTERS, TesterBase

__all__ = ["DetectionTester"]


@TESTERS.register_module()
class DetectionTester(TesterBase):
    """Args (besides the config and model): ``iou_thresholds`` of the mAP, ``save_predictions``."""

    def __init__(self, cfg: Any, model: nn.Module | None = None, verbose: bool = True,
                 iou_thresholds: Sequence[float] = (0.25, 0.5), save_predictions: bool = True):
        super().__init__(cfg, model, verbose)
        self.iou_thresholds = tuple(iou_thresholds)
        self.save_predictions = save_predictions

    @torch.no_grad()
    def predict_scene(self, sample: dict) -> tuple[tuple, tuple]:
        """``(prediction, ground truth)`` of one collected scene."""
        input_dict = point_collate_fn([sample])
        input_dict = {k: v.to(self.device) if isinstance(v, torch.Tensor) else v for k, v in input_dict.items()}
        output = self.model(input_dict)
        return output["predictions"][0], split_ground_truth(input_dict)[0]

    def test(self) -> dict:
        self.model.eval()
        save_dir = os.path.join(self.cfg.save_path, "result")
        os.makedirs(save_dir, exist_ok=True)
        preds, gts = [], []
        for i, sample in enumerate(self.test_loader):
            start = time.perf_counter()
            pred, gt = self.predict_scene(sample)
            preds.append(pred)
            gts.append(gt)
            name = str(sample.get("name", f"scene{i}"))
            if self.save_predictions:
                with atomic_path(os.path.join(save_dir, f"{name}_pred.npz")) as path:
                    with open(path, "wb") as handle:
                        np.savez(handle, boxes=pred[0], classes=pred[1], scores=pred[2])
            if self.verbose:
                self.logger.info(f"Test: [{i + 1}/{len(self.test_loader)}] {name}: {len(gt[0])} true boxes, "
                                 f"{len(pred[0])} detections ({time.perf_counter() - start:.2f} s)")
        preds = [p for part in all_gather_object(preds) for p in part]
        gts = [g for part in all_gather_object(gts) for g in part]
        metrics = box_map(preds, gts, self.iou_thresholds, self.cfg.data.get("names"))
        log_detection_metrics(self.logger, metrics, "Test", f" ({len(gts)} scenes)")
        return metrics
