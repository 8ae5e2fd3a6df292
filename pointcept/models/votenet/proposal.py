"""Vote aggregation and the proposal head (Qi et al. 2019, Sec. 4.2).

Votes are sampled by farthest point sampling into ``num_proposal`` cluster centres; each cluster is the
votes within ``radius`` (a ball query), encoded by a PointNet set-abstraction layer (shared MLP on the
centred, radius-normalised vote positions and vote features, then max pooling). The head turns each
cluster into objectness, a centre residual, heading bin scores + residuals, size class scores +
residuals and semantic class scores.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from pointcept.models.layers.point_ops import ball_query, furthest_point_sample, group_points

from .voting import apply_pointwise, shared_mlp

__all__ = ["SetAbstraction", "ProposalModule"]


class SetAbstraction(nn.Module):
    """PointNet SA layer on given centres: ``(xyz (B, N, 3), features (B, N, C), centres (B, M, 3))`` ->
    ``(B, M, mlp[-1])``. Relative positions are divided by ``radius`` (VoteNet's ``normalize_xyz``)."""

    def __init__(self, in_channels: int, mlp: Sequence[int], radius: float, nsample: int, bn_momentum: float = 0.1):
        super().__init__()
        self.radius = radius
        self.nsample = nsample
        self.mlp = shared_mlp([in_channels + 3, *mlp], bn_momentum)

    def forward(self, xyz: torch.Tensor, features: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
        idx, _ = ball_query(self.radius, self.nsample, xyz, centres)
        grouped_xyz = (group_points(xyz, idx) - centres[:, :, None, :]) / self.radius
        grouped = torch.cat([grouped_xyz, group_points(features, idx)], dim=-1)  # (B, M, K, 3 + C)
        return apply_pointwise(self.mlp, grouped).max(dim=2).values


class ProposalModule(nn.Module):
    """Votes -> ``num_proposal`` box proposals; returns the raw head outputs, split by meaning."""

    def __init__(
        self,
        in_channels: int,
        num_classes: int,
        num_heading_bin: int,
        num_size_cluster: int,
        num_proposal: int = 256,
        radius: float = 0.3,
        nsample: int = 16,
        mlp: Sequence[int] = (128, 128, 128),
        head_channels: int = 128,
        bn_momentum: float = 0.1,
    ):
        super().__init__()
        self.num_classes = num_classes
        self.num_heading_bin = num_heading_bin
        self.num_size_cluster = num_size_cluster
        self.num_proposal = num_proposal
        self.aggregation = SetAbstraction(in_channels, mlp, radius, nsample, bn_momentum)
        self.head = shared_mlp([mlp[-1], head_channels, head_channels], bn_momentum)
        self.out = nn.Linear(head_channels, 2 + 3 + 2 * num_heading_bin + 4 * num_size_cluster + num_classes)

    def forward(self, vote_xyz: torch.Tensor, vote_features: torch.Tensor) -> dict[str, torch.Tensor]:
        sample = furthest_point_sample(vote_xyz.detach(), self.num_proposal)
        centres = torch.gather(vote_xyz, 1, sample[..., None].expand(-1, -1, 3))
        net = self.out(apply_pointwise(self.head, self.aggregation(vote_xyz, vote_features, centres)))
        nh, ns = self.num_heading_bin, self.num_size_cluster
        sizes = [2, 3, nh, nh, ns, 3 * ns, self.num_classes]
        objectness, centre_residual, heading_scores, heading_res, size_scores, size_res, sem = net.split(sizes, -1)
        return dict(
            aggregated_xyz=centres,
            objectness_scores=objectness,
            centre=centres + centre_residual,
            heading_scores=heading_scores,
            heading_residuals_normalized=heading_res,
            size_scores=size_scores,
            size_residuals_normalized=size_res.reshape(*size_res.shape[:-1], ns, 3),
            sem_cls_scores=sem,
        )
