"""Losses of the matched-point pretraining family (MSC, PointContrast, CSC) as pure functions.

* :func:`info_nce` - point InfoNCE of matched pairs: one cross-entropy in which row ``i``'s positive is
  key ``i`` and every other key of the set is a negative. Pointcept's MSC-v1m1 (and so PointContrast)
  calls it once on all sampled pairs of the batch, so negatives come from every scene of the batch.
* :func:`csc_partitions` - the spatial context partition of CSC (Hou et al., CVPR 2021) as Pointcept's
  MSC-v1m2 computes it: every key is placed, relative to each anchor, above or below it and at a distance
  in ``(r1, r2]`` or beyond ``r2`` (4 partitions); the rest (within ``r1`` of the anchor, or at exactly
  its height) is the *near region*, ``NEAR``.
* :func:`csc_info_nce` - CSC's loss of one scene. ``reduction="pointcept"`` (default) is Pointcept's: for
  each region (the 4 partitions and the near region) a cross-entropy of every anchor against its positive
  and that region's keys, averaged over *all* anchors of the scene (an anchor without a key in the region
  adds log 1 = 0 but still counts), summed over the regions. ``reduction="cells"`` is this project's
  earlier variant: the near region is no negative set, and the terms are averaged over the
  (anchor, partition) cells that hold a negative.
* :func:`color_reconstruction_loss`, :func:`normal_reconstruction_loss` - MSC's masked reconstruction.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: partition id of the keys no CSC partition covers (within r1 of the anchor, or at its exact height)
NEAR = -1
CSC_REDUCTIONS = ("pointcept", "cells")


def _similarity_logits(query: torch.Tensor, key: torch.Tensor, tau: float) -> torch.Tensor:
    if query.shape[0] != key.shape[0]:
        raise ValueError(f"InfoNCE: {query.shape[0]} queries but {key.shape[0]} keys; rows must be pairs")
    return F.normalize(query, dim=-1) @ F.normalize(key, dim=-1).t() / tau


def info_nce(query: torch.Tensor, key: torch.Tensor, tau: float = 0.4) -> torch.Tensor:
    """Mean cross-entropy of ``query[i]`` against ``key[i]`` with every other key as a negative.

    Why one function: MSC's batch-wide loss (all pairs of the batch at once) and the per-scene option are
    the same cross-entropy over different row sets. Features are l2-normalised here. No pair -> 0 with a
    graph (so backward still reaches every parameter that produced the features).
    """
    logits = _similarity_logits(query, key, tau)
    if logits.shape[0] == 0:
        return logits.sum() * 0.0
    return F.cross_entropy(logits, torch.arange(logits.shape[0], device=logits.device))


def csc_partitions(anchor_coord: torch.Tensor, key_coord: torch.Tensor, r1: float, r2: float) -> torch.Tensor:
    """(n, n) int8 CSC region of key ``j`` relative to anchor ``i``, as Pointcept's ``compute_partitions``.

    With ``rel = key_coord[j] - anchor_coord[i]`` and ``d = sqrt(|rel|^2 + 1e-7)`` (Pointcept's
    distance): 0 if ``r1 < d <= r2`` and ``rel_z > 0`` (key above), 1 same ring below, 2 if ``d > r2``
    above, 3 beyond ``r2`` below; ``NEAR`` (-1) otherwise, i.e. ``d <= r1`` or ``rel_z == 0``. The
    diagonal is classified like any key; the losses never use its id (the positive is in every region).
    Pointcept passes the view-2 copy of the pairs as anchors and the view-1 copy as keys.
    """
    if not 0 <= r1 < r2:
        raise ValueError(f"csc_partitions: need 0 <= r1 < r2, got r1={r1}, r2={r2}")
    if anchor_coord.shape != key_coord.shape or anchor_coord.dim() != 2 or anchor_coord.shape[1] != 3:
        raise ValueError(f"csc_partitions: need two (n, 3) coordinate sets, got {tuple(anchor_coord.shape)} "
                         f"and {tuple(key_coord.shape)}")
    anchor, key = anchor_coord.float(), key_coord.float()
    # per-axis (n, n) differences: no (n, n, 3) temporary, n is up to matching_max_pair
    dx = key[None, :, 0] - anchor[:, None, 0]
    dy = key[None, :, 1] - anchor[:, None, 1]
    dz = key[None, :, 2] - anchor[:, None, 2]
    dist = torch.sqrt(dx * dx + dy * dy + dz * dz + 1e-7)
    del dx, dy
    ring = (dist > r1).to(torch.int8) + (dist > r2).to(torch.int8)  # 0 within r1, 1 (r1, r2], 2 beyond r2
    part = (ring - 1) * 2 + (dz < 0).to(torch.int8)
    part.masked_fill_((ring == 0) | (dz == 0), NEAR)
    return part


def csc_info_nce(
    query: torch.Tensor,
    key: torch.Tensor,
    partition: torch.Tensor,
    tau: float = 0.4,
    num_partitions: int = 4,
    reduction: str = "pointcept",
) -> tuple[torch.Tensor, int]:
    """CSC's InfoNCE of one scene's pairs within each region of ``partition``; returns (value, count).

    Row ``i``'s positive is ``key[i]``; in region ``g`` its negatives are the keys ``j != i`` with
    ``partition[i, j] == g``. ``partition`` holds ids in ``[0, num_partitions)`` or ``NEAR``.

    * ``"pointcept"``: ``sum_g mean_i CE_g(i)`` over the near region and the partitions, every anchor
      counted in every region (no key in the region: the term is log 1 = 0); ``count`` = anchors. The
      caller divides the sum over scenes by ``samples * num_partitions``, as Pointcept does.
    * ``"cells"``: the mean of ``CE_g(i)`` over the (anchor, partition) cells with a negative, the near
      region excluded; ``count`` = those cells (0 -> value 0 with a graph).

    Why vectorised: one scatter over the (n, n) logits instead of Pointcept's ``(n, n)`` masked
    cross-entropy per region; the value is the same (``tests/models/test_masked_scene_contrast.py``).
    """
    if reduction not in CSC_REDUCTIONS:
        raise ValueError(f"csc_info_nce: reduction={reduction!r}, expected one of "
                         f"{', '.join(CSC_REDUCTIONS)}")
    logits = _similarity_logits(query, key, tau)
    n = logits.shape[0]
    if partition.shape != (n, n):
        raise ValueError(f"csc_info_nce: partition must be {(n, n)}, got {tuple(partition.shape)}")
    if n == 0:
        return logits.sum() * 0.0, 0
    if int(partition.min()) < NEAR or int(partition.max()) >= num_partitions:
        raise ValueError(f"csc_info_nce: partition ids must lie in [{NEAR}, {num_partitions})")
    regions = num_partitions + 1  # column 0: the near region, 1 + p: partition p
    index = partition.long() + 1
    index.fill_diagonal_(regions)  # the positive goes to a spare column: it is no negative of any region
    row_max = logits.detach().max(dim=1, keepdim=True).values
    sums = logits.new_zeros((n, regions + 1)).scatter_add(1, index, torch.exp(logits - row_max))[:, :regions]
    positive = torch.diagonal(logits)[:, None]
    negative_lse = torch.log(sums.clamp_min(torch.finfo(sums.dtype).tiny)) + row_max
    # -log(exp(pos) / (exp(pos) + sum_neg exp(neg))) per (anchor, region); ~0 where the region is empty
    term = torch.logaddexp(positive, negative_lse) - positive
    if reduction == "pointcept":
        return term.sum() / n, n
    ones = logits.new_ones(()).expand(n, n)  # no (n, n) allocation
    counts = logits.new_zeros((n, regions + 1)).scatter_add(1, index, ones)[:, 1:regions]
    valid = counts > 0
    if not bool(valid.any()):
        return logits.sum() * 0.0, 0
    return term[:, 1:][valid].mean(), int(valid.sum())


def color_reconstruction_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Squared colour error summed over channels, averaged over the masked points (0 when there is none)."""
    if prediction.shape != target.shape:
        raise ValueError(f"colour reconstruction: prediction {tuple(prediction.shape)} vs target {tuple(target.shape)}")
    if len(prediction) == 0:
        return prediction.sum() * 0.0
    return ((prediction - target) ** 2).sum(dim=1).mean()


def normal_reconstruction_loss(prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``1 - cos`` between the predicted and the true normal, averaged over the masked points.

    Pointcept's MSC minimises ``mean(cos)`` instead (its minimum is the *reversed* normal): the same task
    up to the sign of the head, shifted by a constant 1. ``1 - cos`` is kept so that the optimum is the true
    normal and the loss is >= 0. (Pointcept's MSC config does not reconstruct normals.)
    """
    if prediction.shape != target.shape:
        raise ValueError(f"normal reconstruction: prediction {tuple(prediction.shape)} vs target {tuple(target.shape)}")
    if len(prediction) == 0:
        return prediction.sum() * 0.0
    return (1.0 - F.cosine_similarity(prediction, target, dim=1, eps=1e-8)).mean()


__all__ = ["NEAR", "CSC_REDUCTIONS", "info_nce", "csc_partitions", "csc_info_nce",
           "color_reconstruction_loss", "normal_reconstruction_loss"]
