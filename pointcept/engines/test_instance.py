"""``InsSegTester``: whole-scene instance segmentation of a checkpoint, ScanNet AP and a benchmark submission.

Each scene is voxelised once (the test pipeline keeps ``inverse`` and the original labels), the model
groups proposals on the voxels, and the masks are mapped back to every original point, scored, and
written in the ScanNet benchmark format under ``<save_path>/submission/`` (see
:mod:`pointcept.evaluation.scannet_submission`), ready for the official script or the benchmark server.
"""

from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np
import torch
from torch import nn

from pointcept.datasets.collate import point_collate_fn
from pointcept.evaluation.instance_seg import evaluate_matches, format_ap_table, match_scene
from pointcept.evaluation.scannet_submission import write_scannet_submission
from pointcept.utils.comm import all_gather_object

from .hooks.instance import evaluated_class_ids
from .test import TESTERS, TesterBase


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
        super().__init__(cfg, model, verbose)
        self.class_ids = evaluated_class_ids(cfg, segment_ignore_index)
        self.min_region_size = min_region_size
        self.write_submission = write_submission
        dataset_ids = getattr(self.test_loader.dataset, "VALID_CLASS_IDS", None)
        self.label_ids = list(
            label_ids if label_ids is not None else dataset_ids or range(cfg.data.num_classes)
        )
        self.submission_dir = os.path.join(cfg.save_path, "submission")

    @torch.no_grad()
    def predict_scene(self, sample: dict) -> dict:
        """The scene dict of :func:`scannet_instance_ap` for one test sample (masks on original points)."""
        fragments = sample["fragment_list"]
        if len(fragments) != 1:
            raise ValueError(
                f"scene {sample['name']}: {len(fragments)} test fragments; instance testing groups a whole "
                "scene at once: use test_cfg voxelize=None, crop=None, aug_transform=[[]] "
                "(pipelines_instance.insseg_test)"
            )
        input_dict = point_collate_fn(fragments)
        input_dict = {
            k: v.to(self.device) if isinstance(v, torch.Tensor) else v for k, v in input_dict.items()
        }
        output = self.model(input_dict)
        masks = output["pred_masks"].cpu()
        if "inverse" in sample:
            masks = masks[:, torch.as_tensor(sample["inverse"]).long()]
        n = len(sample["segment"])
        instance = sample.get("origin_instance")
        return dict(
            name=sample["name"],
            gt_segment=np.asarray(sample["segment"]).reshape(-1),
            gt_instance=np.full(n, -1) if instance is None else np.asarray(instance).reshape(-1),
            pred_masks=masks.numpy(),
            pred_classes=output["pred_classes"].cpu().numpy(),
            pred_scores=output["pred_scores"].cpu().numpy(),
        )

    def test(self) -> dict:
        self.model.eval()
        matches = []
        for i, sample in enumerate(self.test_loader):
            scene = self.predict_scene(sample)
            if self.write_submission:
                labels = [self.label_ids[c] for c in scene["pred_classes"].tolist()]
                write_scannet_submission(
                    self.submission_dir, scene["name"], scene["pred_masks"], labels, scene["pred_scores"]
                )
            matches.append(
                match_scene(
                    scene, self.class_ids, self.min_region_size, num_classes=self.cfg.data.num_classes
                )
            )
            if self.verbose:
                self.logger.info(
                    f"Test: [{i + 1}/{len(self.test_loader)}] {scene['name']}: "
                    f"{len(scene['pred_scores'])} instances"
                )
        matches = [m for part in all_gather_object(matches) for m in part]
        metrics = evaluate_matches(matches, self.class_ids, self.cfg.data.get("names"), self.min_region_size)
        self.logger.info(
            f"Test result: AP/AP50/AP25 {metrics['ap']:.4f}/{metrics['ap50']:.4f}/{metrics['ap25']:.4f} "
            f"({len(matches)} scenes)"
        )
        self.logger.info("\n" + format_ap_table(metrics))
        if self.write_submission:
            self.logger.info(f"Benchmark submission written to {self.submission_dir}")
        return metrics


__all__ = ["InsSegTester"]
