"""Hough voting (Qi et al. 2019, Sec. 4.1): every seed predicts an offset to the centre of the object it
belongs to and a feature residual, so that votes of one object land together and can be grouped."""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["VotingModule", "shared_mlp"]


def shared_mlp(channels: list[int], bn_momentum: float = 0.1) -> nn.Sequential:
    """Point-wise Linear-BN-ReLU layers (VoteNet's 1x1 convs) applied to the last dim of any (..., C)."""
    layers: list[nn.Module] = []
    for c_in, c_out in zip(channels[:-1], channels[1:]):
        layers += [nn.Linear(c_in, c_out, bias=False), nn.BatchNorm1d(c_out, momentum=bn_momentum), nn.ReLU()]
    return nn.Sequential(*layers)


def apply_pointwise(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Run a (rows, C) module on (..., C) by flattening the leading dims (BatchNorm sees every point)."""
    return module(x.reshape(-1, x.shape[-1])).reshape(*x.shape[:-1], -1)


class VotingModule(nn.Module):
    """Seeds (B, S, C) -> ``vote_factor`` votes each: ``(vote_xyz (B, S*F, 3), vote_features (B, S*F, C))``.

    The vote feature is the seed feature plus the predicted residual (VoteNet keeps the width unchanged).
    """

    def __init__(self, channels: int, vote_factor: int = 1, bn_momentum: float = 0.1):
        super().__init__()
        self.channels = channels
        self.vote_factor = vote_factor
        self.mlp = shared_mlp([channels, channels, channels], bn_momentum)
        self.out = nn.Linear(channels, (3 + channels) * vote_factor)

    def forward(self, seed_xyz: torch.Tensor, seed_features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        batch, num_seed = seed_xyz.shape[:2]
        net = self.out(apply_pointwise(self.mlp, seed_features))
        net = net.reshape(batch, num_seed, self.vote_factor, 3 + self.channels)
        vote_xyz = seed_xyz[:, :, None, :] + net[..., :3]
        vote_features = seed_features[:, :, None, :] + net[..., 3:]
        return (vote_xyz.reshape(batch, num_seed * self.vote_factor, 3),
                vote_features.reshape(batch, num_seed * self.vote_factor, self.channels))
