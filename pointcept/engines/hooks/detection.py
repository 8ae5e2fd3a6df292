"""Detection validation after each epoch: VoteNet-style mAP of the model's boxes on the val loader.

Each rank predicts its scenes; the small per-scene box lists are gathered and every rank scores all of
them (:class:`~pointcept.evaluation.evaluator.DetectionDatasetEvaluator`, which the detection tester uses
too), so the tracked metric is known everywhere.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from pointcept.evaluation.evaluator import (  # noqa: F401  (split_ground_truth: old import path)
    DetectionDatasetEvaluator,
    result_line,
    split_ground_truth,
)

from .base import HOOKS
from .evaluator import ValidationHook

__all__ = ["DetectionEvaluator", "split_ground_truth", "log_detection_metrics"]


def log_detection_metrics(logger: Any, metrics: dict, prefix: str, suffix: str = "") -> None:
    """The result line and per-class table of :func:`box_map` metrics (kept for old callers; the hook and
    the tester log through :meth:`DatasetEvaluator.result_lines`)."""
    evaluator = DetectionDatasetEvaluator(device="cpu")
    logger.info(result_line(prefix, evaluator.headline(metrics)) + suffix)
    logger.info("\n" + evaluator.table(metrics))


@HOOKS.register_module()
class DetectionEvaluator(ValidationHook):
    """Scores the val loader's boxes and tracks ``metric`` (VoteNet's headline mAP@0.25 by default).

    Class names come from ``cfg.data.names``; ``iou_thresholds`` are those of :func:`box_map`.
    """

    def __init__(
        self, iou_thresholds: Sequence[float] = (0.25, 0.5), metric: str = "mAP@0.25", every_n_epochs: int = 1
    ):
        self.iou_thresholds = tuple(iou_thresholds)
        self.metric = metric
        self.every_n_epochs = every_n_epochs

    def build_evaluator(self) -> DetectionDatasetEvaluator:
        trainer = self.trainer
        return DetectionDatasetEvaluator.from_config(trainer.cfg, self.iou_thresholds, device=trainer.device)

    def tracked_metric(self, metrics: Mapping[str, Any]) -> tuple[str, float]:
        return self.metric, metrics[self.metric]
