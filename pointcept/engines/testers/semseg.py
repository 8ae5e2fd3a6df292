"""``SemSegTester``: whole-scene semantic segmentation, fragment probabilities voted back onto every point."""

from __future__ import annotations

import os

import numpy as np
import torch
import torch.nn.functional as F

from pointcept.datasets.collate import point_collate_fn
from pointcept.evaluation.evaluator import SemSegDatasetEvaluator
from pointcept.utils.io import atomic_np_save

from .base import TESTERS, TesterBase

__all__ = ["SemSegTester"]


@TESTERS.register_module()
class SemSegTester(TesterBase):
    """Predicts every fragment of a scene, sums their class probabilities onto the points they hold, maps
    them back to every original point (through ``inverse`` when the pipeline voxelised first) and scores
    the scene; predictions are saved as ``result/<scene>_pred.npy``."""

    def build_evaluator(self) -> SemSegDatasetEvaluator:
        return SemSegDatasetEvaluator.from_config(self.cfg, device=self.device)

    @property
    def save_dir(self) -> str:
        return os.path.join(self.cfg.save_path, "result")

    @torch.no_grad()
    def predict_scene(self, sample: dict) -> torch.Tensor:
        """Class probabilities (points, classes) of one test sample, summed over its fragments."""
        fragments = sample["fragment_list"]
        num_classes = self.cfg.data.num_classes
        size = 1 + max(int(f["index"].max()) for f in fragments)
        probs = torch.zeros(size, num_classes, device=self.device)
        hits = torch.zeros(size, device=self.device)
        chunk = max(int(self.cfg.get("batch_size_test") or 1), 1)
        for start in range(0, len(fragments), chunk):
            part = fragments[start : start + chunk]
            logits = self.forward(point_collate_fn(part))["seg_logits"]
            part_probs = F.softmax(logits.float(), dim=-1)
            index = torch.cat([torch.as_tensor(f["index"]).reshape(-1) for f in part]).to(self.device).long()
            probs.index_add_(0, index, part_probs)
            hits.index_add_(0, index, torch.ones_like(index, dtype=hits.dtype))
        if bool((hits == 0).any()):
            raise RuntimeError(
                f"scene {sample['name']}: {int((hits == 0).sum())} points were in no test fragment; "
                "check test_cfg.voxelize / crop"
            )
        if "inverse" in sample:
            probs = probs[torch.as_tensor(sample["inverse"]).to(self.device).long()]
        return probs

    def before_test(self) -> None:
        os.makedirs(self.save_dir, exist_ok=True)

    def test_scene(self, index: int, sample: dict) -> None:
        pred = self.predict_scene(sample).argmax(dim=1)
        counts = self.evaluator.process(dict(segment=sample["segment"], name=sample["name"]), dict(pred=pred))
        path = os.path.join(self.save_dir, f"{sample['name']}_pred.npy")
        atomic_np_save(path, pred.cpu().numpy().astype(np.int16))
        if self.verbose:
            inter, union, _ = (c.cpu().numpy() for c in counts)
            valid = union > 0
            scene_miou = float((inter[valid] / union[valid]).mean()) if valid.any() else float("nan")
            self.logger.info(
                f"Test: [{index + 1}/{len(self.test_loader)}] {sample['name']} mIoU {scene_miou:.4f}"
            )
