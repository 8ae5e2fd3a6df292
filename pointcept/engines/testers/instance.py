"""``InsSegTester``: whole-scene instance segmentation of a checkpoint, ScanNet AP and a benchmark submission.

Each scene is voxelised once (the test pipeline keeps ``inverse`` and the original labels), the model
groups proposals on the voxels, and the masks are mapped back to every original point, scored (by the
evaluator the validation hook uses), and written in the ScanNet benchmark format under
``<save_path>/submission/`` (see :mod:`pointcept.evaluation.scannet_submission`), ready for the official
script or the benchmark server.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from pointcept.datasets.collate import point_collate_fn
from pointcept.evaluation.evaluator import InsSegDatasetEvaluator
from pointcept.evaluation.scannet_submission import write_scannet_submission

from .base import TESTERS, TesterBase

__all__ = ["InsSegTester"]


@TESTERS.register_module()
class InsSegTester(TesterBase):
    """Args (besides the config and model): ``segment_ignore_index`` (classes not evaluated; default the
    model's), ``min_region_size`` (benchmark: 100), ``write_submission`` and ``label_ids`` (benchmark id of
    each class index; default the dataset's ``VALID_CLASS_IDS``, else the index itself)."""

    def __init__(
        self,
        cfg: Any,
        model: nn.Module | None = None,
        verbose: bool = True,
        segment_ignore_index: Sequence[int] | None = None,
        min_region_size: int = 100,
        write_submission: bool = True,
        label_ids: Sequence[int] | None = None,
    ):
        self.segment_ignore_index = segment_ignore_index
        self.min_region_size = min_region_size
        self.write_submission = write_submission
        super().__init__(cfg, model, verbose)
        self.class_ids = self.evaluator.class_ids
        dataset_ids = getattr(self.test_loader.dataset, "VALID_CLASS_IDS", None)
        self.label_ids = list(
            label_ids if label_ids is not None else dataset_ids or range(cfg.data.num_classes)
        )
        self.submission_dir = os.path.join(cfg.save_path, "submission")

    def build_evaluator(self) -> InsSegDatasetEvaluator:
        return InsSegDatasetEvaluator.from_config(
            self.cfg, self.segment_ignore_index, self.min_region_size, device=self.device
        )

    @torch.no_grad()
    def predict_scene(self, sample: dict) -> tuple[dict, dict]:
        """``(batch, output)`` of one test sample for the evaluator: a one-scene batch (``offset``, labels on
        every original point) and the proposals with their masks mapped onto those points."""
        fragments = sample["fragment_list"]
        if len(fragments) != 1:
            raise ValueError(
                f"scene {sample['name']}: {len(fragments)} test fragments; instance testing groups a whole "
                "scene at once: use test_cfg voxelize=None, crop=None, aug_transform=[[]] "
                "(pipelines.instance.insseg_test)"
            )
        output = self.forward(point_collate_fn(fragments))
        masks = output["pred_masks"].cpu()
        if "inverse" in sample:
            masks = masks[:, torch.as_tensor(sample["inverse"]).long()]
        segment = torch.as_tensor(np.asarray(sample["segment"]).reshape(-1))
        instance = sample.get("origin_instance")
        instance = torch.full((len(segment),), -1) if instance is None else torch.as_tensor(np.asarray(instance))
        batch = dict(name=[sample["name"]], offset=torch.tensor([len(segment)]), segment=segment,
                     instance=instance.reshape(-1))
        return batch, dict(pred_masks=masks, pred_classes=output["pred_classes"].cpu(),
                           pred_scores=output["pred_scores"].cpu())

    def test_scene(self, index: int, sample: dict) -> None:
        (scene,) = self.evaluator.process(*self.predict_scene(sample))
        if self.write_submission:
            labels = [self.label_ids[c] for c in scene["pred_classes"].tolist()]
            write_scannet_submission(
                self.submission_dir, scene["name"], scene["pred_masks"], labels, scene["pred_scores"]
            )
        if self.verbose:
            self.logger.info(
                f"Test: [{index + 1}/{len(self.test_loader)}] {scene['name']}: "
                f"{len(scene['pred_scores'])} instances"
            )

    def after_test(self, metrics: dict) -> None:
        if self.write_submission:
            self.logger.info(f"Benchmark submission written to {self.submission_dir}")
