"""Segment pooling and the pieces of the contrastive step that pick points and their labels."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pointcept.utils.matching import sample_rows  # noqa: F401  (re-exported: the shared matcher owns it)


def segment_mean(features: torch.Tensor, segment: torch.Tensor, num_segments: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean feature per segment id in ``[0, num_segments)``; rows with ``segment < 0`` are ignored.

    Returns ``(means (S, D), counts (S,))``; a segment with no point has a zero mean and count 0.
    """
    valid = segment >= 0
    index = segment[valid].long()
    sums = features.new_zeros((num_segments, features.shape[1])).index_add_(0, index, features[valid])
    counts = torch.bincount(index, minlength=num_segments).to(features.dtype)
    return sums / counts.clamp_min(1)[:, None], counts


def pooled_segment_features(features: torch.Tensor, segment: torch.Tensor, num_segments: int) -> torch.Tensor:
    """Eq. 1: average of the l2-normalised point features of each segment."""
    return segment_mean(F.normalize(features, dim=-1), segment, num_segments)[0]


def cell_labels(coord_q: torch.Tensor, coord_k: torch.Tensor, cell_size: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Ids of the ``cell_size`` grid cells holding each point, shared by both sides (the "grid" ablation)."""
    cells = torch.floor(torch.cat([coord_q, coord_k]) / cell_size).long()
    _, ids = torch.unique(cells, dim=0, return_inverse=True)
    return ids[: len(coord_q)], ids[len(coord_q) :]
