"""Iteration timing and ETA."""

from __future__ import annotations

import time

from .base import HOOKS, HookBase


@HOOKS.register_module()
class IterationTimer(HookBase):
    """Measures data and step time; the first ``warmup_iter`` steps are left out of the ETA average."""

    def __init__(self, warmup_iter: int = 1):
        self.warmup_iter = warmup_iter
        self._start = 0.0
        self._data_start = 0.0
        self._step_times: list[float] = []

    def before_train(self) -> None:
        self._data_start = time.perf_counter()

    def before_epoch(self) -> None:
        self._data_start = time.perf_counter()

    def before_step(self) -> None:
        self._start = time.perf_counter()
        self.trainer.storage.put_scalar("data_time", self._start - self._data_start)

    def after_step(self) -> None:
        now = time.perf_counter()
        batch_time = now - self._data_start
        self.trainer.storage.put_scalar("batch_time", batch_time)
        self._data_start = now
        if self.trainer.iter_in_run > self.warmup_iter:
            self._step_times.append(batch_time)
        remaining = self.trainer.max_iter - self.trainer.global_iter
        recent = self._step_times[-50:] or [batch_time]
        self.trainer.comm_info["eta_seconds"] = remaining * sum(recent) / len(recent)
