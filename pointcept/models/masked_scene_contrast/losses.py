"""Losses of the matched-point pretraining family (MSC, PointContrast, CSC) as pure functions.

* :func:`csc_partitions` - the spatial context partition of CSC (Hou et al., CVPR 2021): every key point
  is placed, relative to each anchor, above or below it and at a distance in ``(r1, r2]`` or beyond
  ``r2``: 4 partitions; keys closer than ``r1`` (and the anchor's own positive) belong to none.
* :func:`partitioned_info_nce` - point InfoNCE of each anchor against its positive, computed separately
  within each partition of its negatives and averaged over the (anchor, partition) cells that hold at
  least one negative. With one partition holding every other key this is PointContrast's / MSC's plain
  point InfoNCE, so all three methods share one loss.
* :func:`color_reconstruction_loss`, :func:`normal_reconstruction_loss` - MSC's masked reconstruction.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

NOT_A_NEGATIVE = -1


def csc_partitions(anchor_coord: torch.Tensor, key_coord: torch.Tensor, r1: float, r2: float) -> torch.Tensor:
    """(n, n) int8 partition id of key j relative to anchor i, or ``NOT_A_NEGATIVE``.

    0: ``r1 < d <= r2`` and key above the anchor (``z_j > z_i``); 1: same distance, below; 2: ``d > r2``,
    above; 3: ``d > r2``, below. Keys at the anchor's height, within ``r1`` and the diagonal get -1.
    """
    if not 0 <= r1 < r2:
        raise ValueError(f"csc_partitions: need 0 <= r1 < r2, got r1={r1}, r2={r2}")
    # (n, n) distances and height differences without an (n, n, 3) temporary: n is up to 8192 pairs
    dist = torch.cdist(anchor_coord[None].float(), key_coord[None].float())[0]
    dz = key_coord[None, :, 2] - anchor_coord[:, None, 2]
    ring = (dist > r1).to(torch.int8) + (dist > r2).to(torch.int8)  # 0 within r1, 1 (r1, r2], 2 beyond r2
    part = (ring - 1) * 2 + (dz < 0).to(torch.int8)
    part.masked_fill_((ring == 0) | (dz == 0), NOT_A_NEGATIVE)
    part.fill_diagonal_(NOT_A_NEGATIVE)
    return part


def partitioned_info_nce(
    query: torch.Tensor, key: torch.Tensor, partition: torch.Tensor | None = None, tau: float = 0.4,
    num_partitions: int = 1,
) -> tuple[torch.Tensor, int]:
    """InfoNCE of ``query[i]`` with positive ``key[i]`` and negatives ``key[j]`` of one partition at a time.

    ``partition`` (n, n) holds ids in ``[0, num_partitions)`` or -1 (not a negative); ``None`` = every
    ``j != i`` in partition 0 (plain InfoNCE). Features are l2-normalised here. Returns the mean over the
    (anchor, partition) cells with at least one negative, and their number (0 -> loss 0 with a graph).
    """
    n = query.shape[0]
    if key.shape[0] != n:
        raise ValueError(f"partitioned_info_nce: {n} queries but {key.shape[0]} keys; rows must be pairs")
    logits = F.normalize(query, dim=-1) @ F.normalize(key, dim=-1).t() / tau
    if partition is None:  # every other key is a negative: plain cross-entropy over the row
        if n < 2:
            return logits.sum() * 0.0, 0
        return F.cross_entropy(logits, torch.arange(n, device=logits.device)), n
    if partition.shape != (n, n):
        raise ValueError(f"partitioned_info_nce: partition must be {(n, n)}, got {tuple(partition.shape)}")
    # one pass over the (n, n) matrix: per-row sums of exp(logit - row max) grouped by partition id
    row_max = logits.detach().max(dim=1, keepdim=True).values
    index = partition.long() + 1  # column 0 collects the keys that are no negative
    sums = logits.new_zeros((n, num_partitions + 1)).scatter_add(1, index, torch.exp(logits - row_max))[:, 1:]
    ones = logits.new_ones(()).expand(n, n)  # no (n, n) allocation
    counts = logits.new_zeros((n, num_partitions + 1)).scatter_add(1, index, ones)[:, 1:]
    valid = counts > 0
    if not bool(valid.any()):
        return logits.sum() * 0.0, 0
    positive = torch.diagonal(logits)[:, None].expand(n, num_partitions)
    negative_lse = torch.log(sums.clamp_min(torch.finfo(sums.dtype).tiny)) + row_max
    # -log(exp(pos) / (exp(pos) + sum_neg exp(neg))) per (anchor, partition) cell with a negative
    term = torch.logaddexp(positive, negative_lse) - positive
    return term[valid].mean(), int(valid.sum())


def color_reconstruction_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared colour error summed over channels, averaged over the masked points (0 when there is none)."""
    if prediction.shape != target.shape:
        raise ValueError(f"colour reconstruction: prediction {tuple(prediction.shape)} vs target {tuple(target.shape)}")
    if len(prediction) == 0:
        return prediction.sum() * 0.0
    return ((prediction - target) ** 2).sum(dim=1).mean()


def normal_reconstruction_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``1 - cos`` between the predicted and the true normal, averaged over the masked points."""
    if prediction.shape != target.shape:
        raise ValueError(f"normal reconstruction: prediction {tuple(prediction.shape)} vs target {tuple(target.shape)}")
    if len(prediction) == 0:
        return prediction.sum() * 0.0
    return (1.0 - F.cosine_similarity(prediction, target, dim=1, eps=1e-8)).mean()


__all__ = ["csc_partitions", "partitioned_info_nce", "color_reconstruction_loss", "normal_reconstruction_loss"]
