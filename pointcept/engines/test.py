"""Testers: whole-scene evaluation of a trained model (``tools/test.py`` and ``PreciseEvaluator``)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader

from pointcept.datasets import build_split_dataset
from pointcept.datasets.collate import point_collate_fn
from pointcept.datasets.defaults import fix_eval_seed
from pointcept.evaluation.semseg import format_class_table, intersection_and_union, semseg_metrics
from pointcept.models import build_model
from pointcept.utils.comm import all_reduce_sum, default_device, get_rank, get_world_size, synchronize
from pointcept.utils.io import atomic_np_save
from pointcept.utils.logger import get_logger
from pointcept.utils.registry import Registry

from .checkpoint import load_weights, unwrap_model
from .samplers import InferenceSampler

TESTERS = Registry("testers")


def _first(batch: list) -> Any:
    return batch[0]


class TesterBase:
    """Builds (or takes) the model and the test-mode loader (one whole scene per item)."""

    def __init__(self, cfg: Any, model: nn.Module | None = None, verbose: bool = True):
        self.cfg = cfg
        self.verbose = verbose
        self.logger = get_logger(log_file=os.path.join(cfg.save_path, "test.log"))
        self.device = default_device()
        # unwrapped: ranks test different scenes, and DDP's forward would wait for the others
        self.model = unwrap_model(model) if model is not None else self.build_model()
        self.test_loader = self.build_test_loader()

    def build_model(self) -> nn.Module:
        model = build_model(self.cfg.model).to(self.device)
        weight = self.cfg.get("weight")
        if not weight:
            raise ValueError("testing needs trained weights: pass --options weight=path/to/model_best.pth")
        report = load_weights(model, weight)
        self.logger.info(f"Loaded {weight}:\n{report.summary()}")
        if report.missing or report.shape_mismatch:
            raise KeyError(f"{weight} does not fit the configured model:\n{report.summary()}")
        return model

    def build_test_loader(self) -> DataLoader:
        dataset = build_split_dataset(self.cfg.data.test, self.cfg.data)
        fix_eval_seed(dataset, self.cfg.get("seed"))
        return DataLoader(
            dataset,
            batch_size=1,
            sampler=InferenceSampler(len(dataset), get_world_size(), get_rank()),
            num_workers=max(self.cfg.get("num_worker", 0) // get_world_size(), 0),
            collate_fn=_first,
        )

    def test(self) -> dict:  # pragma: no cover - interface
        raise NotImplementedError


@TESTERS.register_module()
class SemSegTester(TesterBase):
    """Predicts every fragment of a scene, sums their class probabilities onto the points they hold, maps
    them back to every original point (through ``inverse`` when the pipeline voxelised first) and scores
    the scene; predictions are saved as ``result/<scene>_pred.npy``."""

    @torch.no_grad()
    def predict_scene(self, sample: dict) -> torch.Tensor:
        fragments = sample["fragment_list"]
        num_classes = self.cfg.data.num_classes
        size = 1 + max(int(f["index"].max()) for f in fragments)
        probs = torch.zeros(size, num_classes, device=self.device)
        hits = torch.zeros(size, device=self.device)
        chunk = max(int(self.cfg.get("batch_size_test") or 1), 1)
        for start in range(0, len(fragments), chunk):
            part = fragments[start : start + chunk]
            input_dict = point_collate_fn(part)
            input_dict = {k: v.to(self.device) if isinstance(v, torch.Tensor) else v for k, v in input_dict.items()}
            logits = self.model(input_dict)["seg_logits"]
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

    def test(self) -> dict:
        self.model.eval()
        num_classes = self.cfg.data.num_classes
        ignore_index = self.cfg.data.get("ignore_index", -1)
        save_dir = os.path.join(self.cfg.save_path, "result")
        os.makedirs(save_dir, exist_ok=True)
        totals = torch.zeros(3, num_classes, dtype=torch.float64, device=self.device)
        for i, sample in enumerate(self.test_loader):
            probs = self.predict_scene(sample)
            pred = probs.argmax(dim=1)
            segment = torch.as_tensor(sample["segment"]).to(self.device).reshape(-1)
            if len(pred) != len(segment):
                raise RuntimeError(f"scene {sample['name']}: {len(pred)} predictions for {len(segment)} labelled points")
            counts = intersection_and_union(pred, segment, num_classes, ignore_index)
            totals += torch.stack([c.to(torch.float64) for c in counts])
            atomic_np_save(os.path.join(save_dir, f"{sample['name']}_pred.npy"), pred.cpu().numpy().astype(np.int16))
            if self.verbose:
                inter, union, _ = (c.cpu().numpy() for c in counts)
                valid = union > 0
                scene_miou = float((inter[valid] / union[valid]).mean()) if valid.any() else float("nan")
                self.logger.info(f"Test: [{i + 1}/{len(self.test_loader)}] {sample['name']} mIoU {scene_miou:.4f}")
        all_reduce_sum(totals)
        synchronize()
        metrics = semseg_metrics(*totals.cpu().numpy(), class_names=self.cfg.data.get("names"))
        self.logger.info(
            f"Test result: mIoU/mAcc/allAcc {metrics['mIoU']:.4f}/{metrics['mAcc']:.4f}/{metrics['allAcc']:.4f}"
        )
        self.logger.info("\n" + format_class_table(metrics))
        return metrics


def build_tester(cfg: Any, model: nn.Module | None = None) -> TesterBase:
    from . import test_instance  # noqa: F401  (registers InsSegTester; imported here to avoid an import cycle)
    from . import test_detection  # noqa: F401  (registers DetectionTester, same reason)

    test_cfg = dict(cfg.get("test", {"type": "SemSegTester"}))
    return TESTERS.build(test_cfg, cfg=cfg, model=model)
