"""PointGroup's offset losses: L1 distance to the instance centroid and negative cosine of the direction.

Both are averaged over points that belong to an instance (``instance != ignore``); with no such point they
are 0 (not NaN), so a batch of walls and floors still trains the semantic branch.
"""

from __future__ import annotations

import torch


def offset_losses(
    offset_pred: torch.Tensor,
    coord: torch.Tensor,
    centroid: torch.Tensor,
    instance: torch.Tensor,
    ignore_index: int = -1,
    eps: float = 1e-8,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(l1, direction)``: mean over instance points of ``|pred - (centroid - coord)|_1`` (summed over
    x, y, z, as in PointGroup) and of ``-cos(pred, centroid - coord)``."""
    if not offset_pred.shape == coord.shape == centroid.shape:
        raise ValueError(
            f"offset_pred {tuple(offset_pred.shape)}, coord {tuple(coord.shape)} and instance_centroid "
            f"{tuple(centroid.shape)} must all be (N, 3)"
        )
    mask = (instance.reshape(-1) != ignore_index).to(offset_pred.dtype)
    count = mask.sum() + eps
    target = (centroid - coord).to(offset_pred.dtype)
    l1 = ((offset_pred - target).abs().sum(dim=1) * mask).sum() / count
    pred_dir = offset_pred / (offset_pred.norm(dim=1, keepdim=True) + eps)
    target_dir = target / (target.norm(dim=1, keepdim=True) + eps)
    direction = (-(pred_dir * target_dir).sum(dim=1) * mask).sum() / count
    return l1, direction


__all__ = ["offset_losses"]
