"""``DetectionTester``: whole-scene detection of a checkpoint: boxes after NMS, mAP, per-scene result files.

Each test item is one voxelised scene (the validation pipeline), scored by the evaluator the validation
hook uses; its kept boxes are written to ``<save_path>/result/<scene>_pred.npz`` (``boxes`` (M, 7),
``classes``, ``scores``: the box convention of the datasets) for pictures (``tools/visualize.py boxes``)
and offline scoring.
"""

from __future__ import annotations

import os
import time
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from pointcept.datasets.collate import point_collate_fn
from pointcept.evaluation.evaluator import DetectionDatasetEvaluator
from pointcept.utils.io import atomic_path

from .base import TESTERS, TesterBase

__all__ = ["DetectionTester"]


@TESTERS.register_module()
class DetectionTester(TesterBase):
    """Args (besides the config and model): ``iou_thresholds`` of the mAP, ``save_predictions``."""

    def __init__(self, cfg: Any, model: nn.Module | None = None, verbose: bool = True,
                 iou_thresholds: Sequence[float] = (0.25, 0.5), save_predictions: bool = True):
        self.iou_thresholds = tuple(iou_thresholds)
        self.save_predictions = save_predictions
        super().__init__(cfg, model, verbose)

    def build_evaluator(self) -> DetectionDatasetEvaluator:
        return DetectionDatasetEvaluator.from_config(self.cfg, self.iou_thresholds, device=self.device)

    @property
    def save_dir(self) -> str:
        return os.path.join(self.cfg.save_path, "result")

    def before_test(self) -> None:
        os.makedirs(self.save_dir, exist_ok=True)

    @torch.no_grad()
    def test_scene(self, index: int, sample: dict) -> None:
        start = time.perf_counter()
        input_dict = point_collate_fn([sample])
        ((pred, gt),) = self.evaluator.process(input_dict, self.forward(input_dict))
        name = str(sample.get("name", f"scene{index}"))
        if self.save_predictions:
            with atomic_path(os.path.join(self.save_dir, f"{name}_pred.npz")) as path:
                with open(path, "wb") as handle:
                    np.savez(handle, boxes=pred[0], classes=pred[1], scores=pred[2])
        if self.verbose:
            self.logger.info(f"Test: [{index + 1}/{len(self.test_loader)}] {name}: {len(gt[0])} true boxes, "
                             f"{len(pred[0])} detections ({time.perf_counter() - start:.2f} s)")
