"""Validation after each epoch; the metric math lives in ``pointcept.evaluation``.

:class:`ValidationHook` holds what every task's evaluator shares (when to validate, the eval-mode pass over
the val loader, the tensorboard scalars); each evaluator adds only its metric.
"""

from __future__ import annotations

from typing import Any, Iterator, Mapping

import numpy as np
import torch

from pointcept.evaluation.semseg import format_class_table, intersection_and_union, semseg_metrics
from pointcept.utils.comm import all_reduce_sum

from .base import HOOKS, HookBase, every_n_data_epochs


class ValidationHook(HookBase):
    """Base of the per-task evaluators: validates every ``every_n_epochs`` passes over the data (checked at
    round ends, see :func:`~.base.every_n_data_epochs`) and after the last round."""

    every_n_epochs: int = 1

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


@HOOKS.register_module()
class SemSegEvaluator(ValidationHook):
    """Counts intersection/union per class on the val loader (on every point when the pipeline keeps
    ``origin_segment`` and ``inverse``), all-reduces the counts and reports mIoU as the tracked metric."""

    def __init__(self, every_n_epochs: int = 1):
        self.every_n_epochs = every_n_epochs

    def after_epoch(self) -> None:
        if not self.due():
            return
        trainer = self.trainer
        metrics = self.evaluate()
        trainer.comm_info["current_metric_value"] = metrics["mIoU"]
        trainer.comm_info["current_metric_name"] = "mIoU"

    @torch.no_grad()
    def evaluate(self) -> dict:
        trainer = self.trainer
        num_classes = trainer.cfg.data.num_classes
        ignore_index = trainer.cfg.data.get("ignore_index", -1)
        device = trainer.device
        totals = torch.zeros(3, num_classes, dtype=torch.float64, device=device)
        loss_sum = torch.zeros(2, dtype=torch.float64, device=device)
        for input_dict, output in self.val_outputs():
            pred = output["seg_logits"].argmax(dim=1)
            segment = input_dict["segment"]
            if "origin_segment" in input_dict:
                if "inverse" not in input_dict:
                    raise KeyError("val pipeline keeps 'origin_segment' but no 'inverse' to map predictions back")
                pred = pred[input_dict["inverse"]]
                segment = input_dict["origin_segment"]
            counts = intersection_and_union(pred, segment, num_classes, ignore_index)
            totals += torch.stack([c.to(torch.float64) for c in counts])
            if "loss" in output:
                loss_sum += torch.tensor([output["loss"].item(), 1.0], dtype=torch.float64, device=device)
        all_reduce_sum(totals)
        all_reduce_sum(loss_sum)
        names = trainer.cfg.data.get("names")
        metrics = semseg_metrics(*totals.cpu().numpy(), class_names=names)
        val_loss = float(loss_sum[0] / loss_sum[1]) if loss_sum[1] > 0 else float("nan")
        trainer.logger.info(
            f"Val result: mIoU/mAcc/allAcc {metrics['mIoU']:.4f}/{metrics['mAcc']:.4f}/{metrics['allAcc']:.4f}"
            f" loss {val_loss:.4f}"
        )
        trainer.logger.info("\n" + format_class_table(metrics))
        self.write_scalars({key: metrics[key] for key in ("mIoU", "mAcc", "allAcc")}, val_loss)
        trainer.storage.put_scalar("val_mIoU", metrics["mIoU"])
        return metrics
