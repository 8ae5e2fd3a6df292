"""``PointMLP-debug``: a per-point MLP backbone with no sparse ops (and, by default, no normalisation).

Not a model to train for accuracy. It is the reference backbone of engine tests (DDP equivalence, resume)
because its result depends only on the points and weights, never on batch statistics or a backend.
``batch_norm=True`` adds BatchNorm buffers, for tests of code paths that only buffers exercise (DDP's
buffer broadcast).
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from .builder import MODELS


@MODELS.register_module("PointMLP-debug")
class PointMLP(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, hidden: Sequence[int] = (32, 32), batch_norm: bool = False):
        super().__init__()
        layers: list[nn.Module] = []
        width = in_channels
        for size in hidden:
            layers += [nn.Linear(width, size), *([nn.BatchNorm1d(size)] if batch_norm else []), nn.ReLU()]
            width = size
        self.body = nn.Sequential(*layers)
        self.out_channels = num_classes if num_classes > 0 else width
        self.head = nn.Linear(width, num_classes) if num_classes > 0 else nn.Identity()

    def forward(self, input_dict: dict[str, Any]) -> torch.Tensor:
        return self.head(self.body(input_dict["feat"].float()))
