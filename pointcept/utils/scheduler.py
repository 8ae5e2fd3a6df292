"""Per-iteration learning-rate schedules with optional linear warmup.

Every schedule is a factor of the base lr as a function of training progress in [0, 1]; the trainer fills
in ``total_steps`` and ``steps_per_epoch``. ``OneCycleLR`` is torch's.

Epochs are passes over the data set. ``steps_per_epoch`` is the trainer's ``steps_per_data_epoch``: the
optimizer steps of one pass over the training set, ``max_iter / epoch`` (= steps of one evaluation round
divided by the ``epoch // eval_epoch`` passes a round makes), a float, so ``warmup_epochs=12`` of a
1200-epoch run is exactly 1 % of it whatever ``eval_epoch`` is and whether or not batches divide the data
evenly. An epoch-valued setting ``e`` becomes the step ``ceil(e * steps_per_epoch)``
(:func:`epochs_to_steps`): the first step by which ``e`` passes are done.
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

#: slack for float products such as 3 * 0.1 before rounding up, so an exact step count is not pushed one up
_EPS = 1e-9


def epochs_to_steps(epochs: float, steps_per_epoch: float) -> int:
    """The step by which ``epochs`` passes over the data are complete: ``ceil(epochs * steps_per_epoch)``.

    Rounding up (not to nearest) means a warmup of ``e`` epochs never ends before ``e`` passes were trained;
    ``steps_per_epoch`` may be fractional (batches that do not divide the data set evenly).
    """
    return max(int(math.ceil(epochs * steps_per_epoch - _EPS)), 0)


class ProgressScheduler(LRScheduler):
    """lr = base_lr * warmup(step) * factor(progress); subclasses define ``factor``.

    ``warmup_epochs`` counts passes over the data (``steps_per_epoch`` = steps of one pass, see the module
    docstring); ``warmup_ratio`` is a fraction of ``total_steps``; the longer of the two applies.
    """

    def __init__(
        self,
        optimizer: torch.optim.Optimizer,
        total_steps: int,
        steps_per_epoch: float = 1.0,
        warmup_epochs: float = 0.0,
        warmup_ratio: float = 0.0,
        warmup_start_factor: float = 0.0,
        last_epoch: int = -1,
    ):
        if total_steps <= 0:
            raise ValueError(f"total_steps must be positive, got {total_steps}")
        self.total_steps = int(total_steps)
        if steps_per_epoch <= 0:
            raise ValueError(f"steps_per_epoch must be positive, got {steps_per_epoch}")
        self.warmup_steps = max(epochs_to_steps(warmup_epochs, steps_per_epoch),
                                int(round(warmup_ratio * total_steps)))
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
    """Multiply by ``gamma`` every ``step_epochs`` passes over the data (VoteNet-style step decay).

    The k-th decay applies from step ``ceil(k * step_epochs * steps_per_epoch)`` on, computed for each k (not
    as multiples of one rounded period, which would drift when a pass is a fractional number of steps).
    """

    def __init__(self, optimizer, total_steps: int, step_epochs: float = 80, gamma: float = 0.1,
                 steps_per_epoch: float = 1.0, **kwargs: Any):
        if step_epochs <= 0:
            raise ValueError(f"step_epochs must be positive, got {step_epochs}")
        self.step_span = float(step_epochs) * float(steps_per_epoch)  # steps of one period, may be fractional
        self.gamma = gamma
        super().__init__(optimizer, total_steps, steps_per_epoch=steps_per_epoch, **kwargs)

    def _scale(self, step: int) -> float:
        if step < self.warmup_steps:
            return super()._scale(step)
        # decays done by ``step``: the k with ceil(k * span) <= step, i.e. k * span <= step
        return self.gamma ** int(math.floor(step / self.step_span + _EPS))

    def factor(self, progress: float) -> float:
        return 1.0


def build_scheduler(
    cfg: dict[str, Any], optimizer: torch.optim.Optimizer, total_steps: int, steps_per_epoch: float
) -> LRScheduler:
    """Fill in the step counts a schedule needs and build it.

    ``steps_per_epoch`` must be the steps of one pass over the data set (the trainer's
    ``steps_per_data_epoch``), not of one evaluation round, so that epoch-valued options mean data passes.
    """
    cfg = dict(cfg)
    name = cfg["type"]
    if name == "OneCycleLR":
        cfg.setdefault("total_steps", total_steps)
    else:
        cfg.setdefault("total_steps", total_steps)
        cfg.setdefault("steps_per_epoch", steps_per_epoch)
    return SCHEDULERS.build(cfg, optimizer=optimizer)
