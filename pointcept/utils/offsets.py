"""Batch bookkeeping for concatenated point clouds.

A batch of clouds is stored as one (N, C) tensor plus ``offset``: the cumulative point counts, e.g.
``[100, 250]`` for clouds of 100 and 150 points. Models need per-point batch ids instead (sparse conv
indices, pooling), so these helpers convert between the two. Pure torch: they stay on the input's device.
"""

from __future__ import annotations

import torch


@torch.no_grad()
def offset2bincount(offset: torch.Tensor) -> torch.Tensor:
    """Points per sample: ``[100, 250] -> [100, 150]``."""
    offset = offset.reshape(-1).long()
    return torch.diff(offset, prepend=offset.new_zeros(1))


@torch.no_grad()
def bincount2offset(bincount: torch.Tensor) -> torch.Tensor:
    """Inverse of :func:`offset2bincount`: ``[100, 150] -> [100, 250]``."""
    return torch.cumsum(bincount.long(), dim=0)


@torch.no_grad()
def offset2batch(offset: torch.Tensor) -> torch.Tensor:
    """Per-point sample id: ``[2, 5] -> [0, 0, 1, 1, 1]`` (int64)."""
    bincount = offset2bincount(offset)
    return torch.arange(len(bincount), device=offset.device).repeat_interleave(bincount)


@torch.no_grad()
def batch2offset(batch: torch.Tensor, num_samples: int | None = None) -> torch.Tensor:
    """Inverse of :func:`offset2batch` for sorted ids; ``num_samples`` keeps trailing empty samples."""
    bincount = torch.bincount(batch.long(), minlength=num_samples or 0)
    return torch.cumsum(bincount, dim=0)


@torch.no_grad()
def offset2starts(offset: torch.Tensor) -> torch.Tensor:
    """First row of each sample: ``[100, 250] -> [0, 100]``."""
    offset = offset.reshape(-1).long()
    return torch.cat([offset.new_zeros(1), offset[:-1]])


__all__ = ["offset2bincount", "bincount2offset", "offset2batch", "batch2offset", "offset2starts"]
