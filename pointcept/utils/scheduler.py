"""Per-iteration learning-rate schedules with optional linear warmup.

Every schedule is a factor of the base lr as a function of training progress in [0, 1]; the trainer fills
in ``total_steps`` (and ``steps_per_epoch`` so warmup can be given in epochs). ``OneCycleLR`` is torch's.
"""

from __future__ import annotations

import bisect
import math
from typing import Any, Sequence

import torch
from torch.optim.lr_scheduler import LRScheduler

from .registry import Registry

SCHEDULERS = Registry("schedulers")
SCHEDULERS.register_module(module=torch.optim.lr_scheduler.OneCycleLR)


class ProgressScheduler(LRScheduler):
    """lr = base_lr * warmup(step) * factor(progress); subclasses define ``factor``."""

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        total_steps: int,
        steps_per_epoch: int = 1,
        warmup_epochs: float = 0.0,
        warmup_ratio: float = 0.0,
        warmup_start_factor: float = 0.0,
        last_epoch: int = -1,
    ):
        if total_steps <= 0:
            raise ValueError(f"total_steps must be positive, got {total_steps}")
        self.total_steps = int(total_steps)
        self.warmup_steps = int(round(max(warmup_epochs * steps_per_epoch, warmup_ratio * total_steps)))
        self.warmup_start_factor = warmup_start_factor
        super().__init__(optimizer, last_epoch)

    def factor(self, progress: float) -> float:  # pragma: no cover - interface
        raise NotImplementedError

    def _scale(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.warmup_start_factor + (1 - self.warmup_start_factor) * step / self.warmup_steps
        span = max(self.total_steps - self.warmup_steps, 1)
        return self.factor(min(max((step - self.warmup_steps) / span, 0.0), 1.0))

    def get_lr(self) -> list[float]:
        scale = self._scale(self.last_epoch)
        return [base * scale for base in self.base_lrs]


@SCHEDULERS.register_module()
class CosineAnnealingLR(ProgressScheduler):
    """Cosine from base lr to ``eta_min`` (absolute) over the steps after warmup."""

    def __init__(self, optimizer, total_steps: int, eta_min: float = 0.0, **kwargs: Any):
        self.eta_min = eta_min
        super().__init__(optimizer, total_steps, **kwargs)

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step < self.warmup_steps:
            return super().get_lr()
        cosine = self._scale(step)
        return [self.eta_min + (base - self.eta_min) * cosine for base in self.base_lrs]

    def factor(self, progress: float) -> float:
        return 0.5 * (1 + math.cos(math.pi * progress))


@SCHEDULERS.register_module()
class PolyLR(ProgressScheduler):
    def __init__(self, optimizer, total_steps: int, power: float = 0.9, **kwargs: Any):
        self.power = power
        super().__init__(optimizer, total_steps, **kwargs)

    def factor(self, progress: float) -> float:
        return (1 - progress) ** self.power


@SCHEDULERS.register_module()
class MultiStepLR(ProgressScheduler):
    """Multiply by ``gamma`` at each milestone, given as fractions of training (Pointcept convention)."""

    def __init__(self, optimizer, total_steps: int, milestones: Sequence[float] = (0.6, 0.8), gamma: float = 0.1, **kwargs: Any):
        self.milestones = sorted(float(m) for m in milestones)
        self.gamma = gamma
        super().__init__(optimizer, total_steps, **kwargs)

    def factor(self, progress: float) -> float:
        return self.gamma ** bisect.bisect_right(self.milestones, progress)


@SCHEDULERS.register_module()
class MultiStepWithWarmupLR(MultiStepLR):
    """Pointcept's name: milestones as fractions plus ``warmup_rate`` (fraction) from ``warmup_scale``."""

    def __init__(self, optimizer, total_steps: int, milestones=(0.6, 0.8), gamma: float = 0.1,
                 warmup_rate: float = 0.05, warmup_scale: float = 1e-6, **kwargs: Any):
        super().__init__(optimizer, total_steps, milestones=milestones, gamma=gamma, warmup_ratio=warmup_rate,
                         warmup_start_factor=warmup_scale, **kwargs)


@SCHEDULERS.register_module()
class StepLR(ProgressScheduler):
    """Multiply by ``gamma`` every ``step_epochs`` epochs (VoteNet-style step decay)."""

    def __init__(self, optimizer, total_steps: int, step_epochs: float = 80, gamma: float = 0.1,
                 steps_per_epoch: int = 1, **kwargs: Any):
        self.step_steps = max(int(round(step_epochs * steps_per_epoch)), 1)
        self.gamma = gamma
        super().__init__(optimizer, total_steps, steps_per_epoch=steps_per_epoch, **kwargs)

    def _scale(self, step: int) -> float:
        if step < self.warmup_steps:
            return super()._scale(step)
        return self.gamma ** (step // self.step_steps)

    def factor(self, progress: float) -> float:
        return 1.0


def build_scheduler(cfg: dict[str, Any], optimizer: torch.optim.Optimizer, total_steps: int, steps_per_epoch: int):
    """Fill in the step counts a schedule needs and build it."""
    cfg = dict(cfg)
    name = cfg["type"]
    if name == "OneCycleLR":
        cfg.setdefault("total_steps", total_steps)
    else:
        cfg.setdefault("total_steps", total_steps)
        cfg.setdefault("steps_per_epoch", steps_per_epoch)
    return SCHEDULERS.build(cfg, optimizer=optimizer)
