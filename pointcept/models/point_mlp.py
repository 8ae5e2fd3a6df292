"""``PointMLP-debug``: a per-point MLP backbone with no normalisation and no sparse ops.

Not a model to train for accuracy. It is the reference backbone of engine tests (DDP equivalence, resume)
because its result depends only on the points and weights, never on batch statistics or a backend.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch
from torch import nn

from .builder import MODELS


@MODELS.register_module("PointMLP-debug")
class PointMLP(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, hidden: Sequence[int] = (32, 32)):
        super().__init__()
        layers: list[nn.Module] = []
        width = in_channels
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU()]
            width = size
        self.body = nn.Sequential(*layers)
        self.out_channels = num_classes if num_classes > 0 else width
        self.head = nn.Linear(width, num_classes) if num_classes > 0 else nn.Identity()

    def forward(self, input_dict: dict[str, Any]) -> torch.Tensor:
        return self.head(self.body(input_dict["feat"].float()))
