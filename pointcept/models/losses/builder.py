"""Loss registry and ``Criteria``: the weighted sum of a list of configured losses."""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from pointcept.utils.registry import Registry

LOSSES = Registry("losses")


class Criteria(nn.Module):
    """Sum of the losses built from ``cfg`` (each one carries its own ``loss_weight``)."""

    def __init__(self, cfg: Sequence[dict] | None = None):
        super().__init__()
        self.criteria = nn.ModuleList([LOSSES.build(c) for c in (cfg or [])])

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if len(self.criteria) == 0:
            raise RuntimeError("no criteria configured: add e.g. criteria=[dict(type='CrossEntropyLoss')]")
        return sum(criterion(pred, target) for criterion in self.criteria)


def build_criteria(cfg: Sequence[dict] | None) -> Criteria:
    return Criteria(cfg)


def build_loss(cfg: dict[str, Any]) -> nn.Module:
    return LOSSES.build(cfg)
