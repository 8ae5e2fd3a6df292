"""Instance-segmentation validation after each epoch: ScanNet AP of the model's proposals.

Each val scene is reduced to overlap counts on its rank, the small summaries are gathered, and every rank
scores all of them (:class:`~pointcept.evaluation.evaluator.InsSegDatasetEvaluator`, which the instance
tester uses too), so the tracked metric (AP50) is known everywhere.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from pointcept.evaluation.evaluator import (  # noqa: F401  (split_scenes, evaluated_class_ids: old import path)
    InsSegDatasetEvaluator,
    evaluated_class_ids,
    split_scenes,
)

from .base import HOOKS
from .evaluator import ValidationHook

__all__ = ["InsSegEvaluator", "evaluated_class_ids", "split_scenes"]


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

    def build_evaluator(self) -> InsSegDatasetEvaluator:
        return InsSegDatasetEvaluator.from_config(
            self.trainer.cfg, self.segment_ignore_index, self.min_region_size, device=self.trainer.device
        )

    def tracked_metric(self, metrics: Mapping[str, Any]) -> tuple[str, float]:
        return "AP50", metrics["ap50"]
