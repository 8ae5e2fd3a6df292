"""Validation after each epoch; the accumulation, the cross-rank reduction and the metric math live in
:mod:`pointcept.evaluation.evaluator` (the same evaluators the testers use).

:class:`ValidationHook` holds what every task's hook shares (when to validate, the eval-mode pass over the
val loader feeding the evaluator, the log lines, tensorboard scalars and the tracked metric); each hook adds
only which evaluator it builds and which metric it tracks.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np
import torch

from pointcept.evaluation.evaluator import DatasetEvaluator, SemSegDatasetEvaluator

from .base import HOOKS, HookBase, every_n_data_epochs


class ValidationHook(HookBase):
    """Base of the per-task validation hooks: validates every ``every_n_epochs`` passes over the data
    (checked at round ends, see :func:`~.base.every_n_data_epochs`) and after the last round."""

    every_n_epochs: int = 1
    #: whether a NaN tracked metric still becomes ``current_metric_value`` (the semseg hook always reported it)
    track_non_finite: bool = False
    _evaluator: DatasetEvaluator | None = None

    def build_evaluator(self) -> DatasetEvaluator:  # pragma: no cover - interface
        """The task's evaluator for this trainer's config and device."""
        raise NotImplementedError

    def tracked_metric(self, metrics: Mapping[str, Any]) -> tuple[str, float]:  # pragma: no cover - interface
        """``(name, value)`` of the metric the best checkpoint follows (also stored as ``val_<name>``)."""
        raise NotImplementedError

    @property
    def evaluator(self) -> DatasetEvaluator:
        """The evaluator, built on first use (the hook is bound to its trainer after construction)."""
        if self._evaluator is None:
            self._evaluator = self.build_evaluator()
        return self._evaluator

    def due(self) -> bool:
        """Whether this epoch ends with a validation pass."""
        trainer = self.trainer
        if not trainer.cfg.get("evaluate", True) or trainer.val_loader is None:
            return False
        return every_n_data_epochs(trainer, self.every_n_epochs) or trainer.epoch + 1 == trainer.max_epoch

    def val_outputs(self) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        """``(batch, model output)`` over this rank's val batches, in eval mode (train mode restored after)."""
        trainer = self.trainer
        trainer.model.eval()
        try:
            for input_dict in trainer.val_loader:
                input_dict = trainer.to_device(input_dict)
                with trainer.autocast():
                    output = trainer.eval_model(input_dict)
                yield input_dict, output  # the metric code runs outside autocast
        finally:
            trainer.model.train()

    def write_scalars(self, scalars: Mapping[str, float], val_loss: float) -> None:
        """The finite metrics under ``val/<name>`` and the val loss, at this epoch, on tensorboard."""
        trainer = self.trainer
        if trainer.writer is None:
            return
        epoch = trainer.epoch + 1
        for name, value in scalars.items():
            if np.isfinite(value):
                trainer.writer.add_scalar(f"val/{name}", value, epoch)
        trainer.writer.add_scalar("val/loss", val_loss, epoch)

    def after_epoch(self) -> None:
        if not self.due():
            return
        metrics = self.evaluate()
        name, value = self.tracked_metric(metrics)
        if self.track_non_finite or np.isfinite(value):  # NaN (no ground truth) would freeze best-model tracking
            self.trainer.comm_info["current_metric_value"] = value
            self.trainer.comm_info["current_metric_name"] = name

    @torch.no_grad()
    def evaluate(self) -> dict:
        """One pass over the val loader through the evaluator; logs, writes and returns the metrics."""
        trainer = self.trainer
        evaluator = self.evaluator
        evaluator.reset()
        for input_dict, output in self.val_outputs():
            evaluator.process(input_dict, output)
        metrics = evaluator.evaluate()
        for line in evaluator.result_lines(metrics, "Val", loss=evaluator.mean_loss):
            trainer.logger.info(line)
        self.write_scalars(evaluator.scalars(metrics), evaluator.mean_loss)
        name, value = self.tracked_metric(metrics)
        trainer.storage.put_scalar(f"val_{name}", value)
        return metrics


@HOOKS.register_module()
class SemSegEvaluator(ValidationHook):
    """Counts intersection/union per class on the val loader (on every point when the pipeline keeps
    ``origin_segment`` and ``inverse``), all-reduces the counts and reports mIoU as the tracked metric."""

    track_non_finite = True

    def __init__(self, every_n_epochs: int = 1):
        self.every_n_epochs = every_n_epochs

    def build_evaluator(self) -> SemSegDatasetEvaluator:
        return SemSegDatasetEvaluator.from_config(self.trainer.cfg, device=self.trainer.device)

    def tracked_metric(self, metrics: Mapping[str, Any]) -> tuple[str, float]:
        return "mIoU", metrics["mIoU"]
