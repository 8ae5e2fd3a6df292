"""Instance-segmentation validation after each epoch: ScanNet AP of the model's proposals.

Each val scene is reduced to overlap counts on this rank (:func:`match_scene`), the small summaries are
gathered, and every rank scores all of them, so the tracked metric (AP50) is known everywhere.
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import numpy as np
import torch

from pointcept.evaluation.instance_seg import evaluate_matches, format_ap_table, match_scene
from pointcept.utils.comm import all_gather_object

from .base import HOOKS
from .evaluator import ValidationHook


def evaluated_class_ids(cfg: Any, segment_ignore_index: Sequence[int] | None = None) -> list[int]:
    """Class indices scored by AP: all but the stuff ones (default: the model's ``segment_ignore_index``)."""
    if segment_ignore_index is None:
        segment_ignore_index = cfg.model.get("segment_ignore_index", (-1,))
    return [c for c in range(cfg.data.num_classes) if c not in set(segment_ignore_index)]


def split_scenes(input_dict: dict, output: dict) -> Iterator[dict]:
    """Per-sample scenes of a collated batch for :func:`match_scene`: predictions and labels on every
    original point when the pipeline kept ``origin_segment``/``origin_instance`` and ``inverse``."""
    offset = input_dict["offset"].cpu().tolist()
    masks = output["pred_masks"].cpu()
    classes, scores = output["pred_classes"].cpu(), output["pred_scores"].cpu()
    sample_of = output.get("pred_batch", torch.zeros(len(masks), dtype=torch.long)).cpu()
    original = "origin_segment" in input_dict
    if original:
        for key in ("origin_instance", "inverse", "origin_offset"):
            if key not in input_dict:
                raise KeyError(f"InsSegEvaluator: the val pipeline keeps 'origin_segment' but not {key!r}")
        bounds = [0] + input_dict["origin_offset"].cpu().tolist()
        inverse = input_dict["inverse"].cpu()
        segment, instance = input_dict["origin_segment"].cpu(), input_dict["origin_instance"].cpu()
    else:
        bounds = [0] + offset
        segment, instance = input_dict["segment"].cpu(), input_dict["instance"].cpu()
    names = input_dict.get("name") or [f"sample{b}" for b in range(len(offset))]
    for b in range(len(offset)):
        lo, hi = bounds[b], bounds[b + 1]
        rows = sample_of == b
        columns = inverse[lo:hi] if original else torch.arange(lo, hi)
        yield dict(
            name=str(names[b]),
            gt_segment=segment[lo:hi].numpy(),
            gt_instance=instance[lo:hi].numpy(),
            pred_masks=masks[rows][:, columns].numpy(),
            pred_classes=classes[rows].numpy(),
            pred_scores=scores[rows].numpy(),
        )


@HOOKS.register_module()
class InsSegEvaluator(ValidationHook):
    """Scores the val loader with ScanNet's instance AP and tracks AP50 (Pointcept's choice).

    ``segment_ignore_index`` (default: the model's) lists classes not evaluated; ``min_region_size`` is the
    benchmark's 100 points.
    """

    def __init__(
        self,
        segment_ignore_index: Sequence[int] | None = None,
        instance_ignore_index: int = -1,
        min_region_size: int = 100,
        every_n_epochs: int = 1,
    ):
        self.segment_ignore_index = segment_ignore_index
        self.instance_ignore_index = instance_ignore_index
        self.min_region_size = min_region_size
        self.every_n_epochs = every_n_epochs

    def after_epoch(self) -> None:
        if not self.due():
            return
        trainer = self.trainer
        metrics = self.evaluate()
        if np.isfinite(metrics["ap50"]):  # NaN (no ground truth in val) would freeze the best-model tracking
            trainer.comm_info["current_metric_value"] = metrics["ap50"]
            trainer.comm_info["current_metric_name"] = "AP50"

    @torch.no_grad()
    def evaluate(self) -> dict:
        trainer = self.trainer
        class_ids = evaluated_class_ids(trainer.cfg, self.segment_ignore_index)
        num_classes = trainer.cfg.data.num_classes
        matches, losses = [], []
        for input_dict, output in self.val_outputs():
            for scene in split_scenes(input_dict, output):
                matches.append(match_scene(scene, class_ids, self.min_region_size, num_classes=num_classes))
            if "loss" in output:
                losses.append(float(output["loss"]))
        matches = [m for part in all_gather_object(matches) for m in part]
        losses = [v for part in all_gather_object(losses) for v in part]
        metrics = evaluate_matches(matches, class_ids, trainer.cfg.data.get("names"), self.min_region_size)
        val_loss = float(np.mean(losses)) if losses else float("nan")
        trainer.logger.info(
            f"Val result: AP/AP50/AP25 {metrics['ap']:.4f}/{metrics['ap50']:.4f}/{metrics['ap25']:.4f} "
            f"loss {val_loss:.4f} ({len(matches)} scenes)"
        )
        trainer.logger.info("\n" + format_ap_table(metrics))
        self.write_scalars({key.upper(): metrics[key] for key in ("ap", "ap50", "ap25")}, val_loss)
        trainer.storage.put_scalar("val_AP50", metrics["ap50"])
        return metrics
