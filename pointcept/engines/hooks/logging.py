"""Console/file log lines with ETA, and tensorboard scalars (rank 0 only)."""

from __future__ import annotations

import datetime

import torch

from pointcept.utils.comm import is_main_process

from .base import HOOKS, HookBase


def _format_eta(seconds: float) -> str:
    return str(datetime.timedelta(seconds=int(max(seconds, 0))))


@HOOKS.register_module()
class InformationWriter(HookBase):
    """Logs every scalar of the model output (``loss`` and its parts, monitors), lr, timing and ETA.

    Every tensor of 0 or 1 element in the model's output dict is logged, so a model adds a monitor just
    by returning it (GroupContrast's entropy and prototype usage arrive this way).
    """

    def __init__(self, log_interval: int = 10):
        self.log_interval = log_interval

    def after_step(self) -> None:
        trainer = self.trainer
        output = trainer.comm_info.get("model_output_dict", {})
        scalars = {}
        for key, value in output.items():
            if isinstance(value, torch.Tensor) and value.numel() == 1:
                scalars[key] = value.detach().float().item()
            elif isinstance(value, (int, float)):
                scalars[key] = float(value)
        scalars["lr"] = trainer.optimizer.param_groups[0]["lr"]
        for key, value in scalars.items():
            trainer.storage.put_scalar(key, value)
        if trainer.writer is not None:
            for key, value in scalars.items():
                trainer.writer.add_scalar(f"train_batch/{key}", value, trainer.global_iter)
        if trainer.global_iter % self.log_interval == 0 or trainer.iter + 1 == trainer.iters_per_epoch:
            parts = " ".join(
                f"{k}: {trainer.storage.avg(k, self.log_interval):.4f}" for k in scalars if k != "lr"
            )
            trainer.logger.info(
                f"Train: [{trainer.epoch + 1}/{trainer.max_epoch}][{trainer.iter + 1}/{trainer.iters_per_epoch}] "
                f"{parts} lr: {scalars['lr']:.5f} "
                f"data: {trainer.storage.avg('data_time', self.log_interval):.3f}s "
                f"batch: {trainer.storage.avg('batch_time', self.log_interval):.3f}s "
                f"ETA: {_format_eta(trainer.comm_info.get('eta_seconds', 0.0))}"
            )

    def after_epoch(self) -> None:
        trainer = self.trainer
        if trainer.writer is not None and is_main_process():
            for key in trainer.storage.names():
                if key in ("data_time", "batch_time"):
                    continue
                values = trainer.storage.history(key)[-trainer.iters_per_epoch :]
                if values:
                    trainer.writer.add_scalar(f"train/{key}", sum(values) / len(values), trainer.epoch + 1)
            trainer.writer.flush()
