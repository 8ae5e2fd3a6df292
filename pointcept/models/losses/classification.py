"""Per-point classification losses."""

from __future__ import annotations

from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .builder import LOSSES


@LOSSES.register_module()
class CrossEntropyLoss(nn.Module):
    """Cross-entropy that skips ``ignore_index`` targets; 0 (not NaN) when every target is ignored."""

    def __init__(
        self,
        weight: Sequence[float] | None = None,
        ignore_index: int = -1,
        label_smoothing: float = 0.0,
        loss_weight: float = 1.0,
    ):
        super().__init__()
        self.register_buffer("weight", torch.tensor(weight, dtype=torch.float32) if weight is not None else None)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.loss_weight = loss_weight

    def forward(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        target = target.long().reshape(-1)
        if pred.shape[0] != target.shape[0]:
            raise ValueError(f"{pred.shape[0]} predictions for {target.shape[0]} targets")
        valid = target != self.ignore_index
        if not bool(valid.any()):
            return pred.sum() * 0.0
        bad = valid & ((target < 0) | (target >= pred.shape[1]))
        if bool(bad.any()):
            raise ValueError(
                f"target labels must lie in [0, {pred.shape[1]}) or equal ignore_index={self.ignore_index}; "
                f"found {sorted(set(target[bad].tolist()))[:5]}"
            )
        loss = F.cross_entropy(
            pred.float(),
            target,
            weight=self.weight,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
        )
        return loss * self.loss_weight
