"""Corresponding points of two views: the one matcher of every two-view pretraining method.

GroupContrast (``positive="matched"`` and its other positives), Masked Scene Contrast, PointContrast and CSC
all contrast the features of points that are the same place of the scene in two augmented views. Two
views of one scene share the pre-augmentation ``origin_coord`` frame, so "the same place" means "close in
``origin_coord``". This module finds those pairs once, in one way, for all of them:

* :func:`radius_match` - up to ``max_k`` nearest support points within ``radius`` of each query point,
  restricted to the same sample of the batch. Pure torch (a hashed grid of ``radius`` cells searched with
  ``searchsorted``), so it runs on the CPU and on CUDA without a compiled neighbour-search extension, and
  its cost grows with the number of points, not with their square.
* :func:`one_per_query` - one random partner per query among its candidates (MSC's choice: every view-1
  point contributes at most one positive, so dense regions do not dominate the loss).
* :func:`sample_rows` - a random subset of rows without replacement (the ``num_samples`` /
  ``matching_max_pair`` budget).
* :func:`view_pairs` - the pairs of a globalised two-view batch: the generator's nearest-partner
  ``match_index`` when no radius is given (GroupContrast), or a fresh :func:`radius_match` on
  ``view*_origin_coord`` (MSC, PointContrast, CSC).
"""

from __future__ import annotations

from typing import Mapping

import torch

# the 27 cells around (and including) a cell, as integer offsets
_NEIGHBOUR_OFFSETS = torch.tensor([[i, j, k] for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)])


def _check_cloud(name: str, coord: torch.Tensor, batch: torch.Tensor) -> None:
    if coord.dim() != 2 or coord.shape[1] != 3:
        raise ValueError(f"radius_match: {name} coordinates must be (N, 3), got {tuple(coord.shape)}")
    if batch.shape != (coord.shape[0],):
        raise ValueError(
            f"radius_match: {name} batch must hold one sample id per point ({coord.shape[0]}), "
            f"got shape {tuple(batch.shape)}"
        )


@torch.no_grad()
def radius_match(
    query: torch.Tensor,
    query_batch: torch.Tensor,
    support: torch.Tensor,
    support_batch: torch.Tensor,
    radius: float,
    max_k: int = 8,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Up to ``max_k`` nearest ``support`` points within ``radius`` (inclusive) of each ``query`` point.

    Only points of the same sample (equal batch id) are matched. Returns ``pairs`` (M, 2) int64 rows
    ``(query row, support row)`` sorted by query row, then by distance, and their distances (M,).
    """
    if not radius > 0:
        raise ValueError(f"radius_match: radius must be > 0, got {radius}")
    if max_k < 1:
        raise ValueError(f"radius_match: max_k must be >= 1, got {max_k}")
    _check_cloud("query", query, query_batch)
    _check_cloud("support", support, support_batch)
    device = query.device
    empty = (torch.zeros((0, 2), dtype=torch.long, device=device), query.new_zeros(0))
    if len(query) == 0 or len(support) == 0:
        return empty

    # integer cells of side `radius`; a partner within `radius` lies in one of the 27 surrounding cells
    q64, s64 = query.double(), support.double()
    q_cell = torch.floor(q64 / radius).long()
    s_cell = torch.floor(s64 / radius).long()
    low = torch.minimum(q_cell.min(0).values, s_cell.min(0).values) - 1  # margin: neighbours never wrap
    q_cell, s_cell = q_cell - low, s_cell - low
    dims = torch.maximum(q_cell.max(0).values, s_cell.max(0).values) + 2

    def key(cell: torch.Tensor, batch: torch.Tensor) -> torch.Tensor:
        return ((batch.long() * dims[0] + cell[:, 0]) * dims[1] + cell[:, 1]) * dims[2] + cell[:, 2]

    s_key, s_order = torch.sort(key(s_cell, support_batch))
    neighbour_cells = q_cell[:, None, :] + _NEIGHBOUR_OFFSETS.to(device)[None]  # (Q, 27, 3)
    n_key = key(neighbour_cells.reshape(-1, 3), query_batch.repeat_interleave(27))
    start = torch.searchsorted(s_key, n_key, right=False)
    count = torch.searchsorted(s_key, n_key, right=True) - start
    total = int(count.sum())
    if total == 0:
        return empty
    # expand every (query, cell) range into its candidate support rows
    slot = torch.arange(len(n_key), device=device).repeat_interleave(count)
    within = torch.arange(total, device=device) - (torch.cumsum(count, 0) - count).repeat_interleave(count)
    q_idx = slot // 27
    s_idx = s_order[start[slot] + within]
    dist = torch.linalg.norm(q64[q_idx] - s64[s_idx], dim=1)
    keep = dist <= radius
    q_idx, s_idx, dist = q_idx[keep], s_idx[keep], dist[keep]
    # order by (query, distance), then keep the first max_k of each query
    by_dist = torch.argsort(dist, stable=True)
    by_query = torch.argsort(q_idx[by_dist], stable=True)
    order = by_dist[by_query]
    q_idx, s_idx, dist = q_idx[order], s_idx[order], dist[order]
    _, counts = torch.unique_consecutive(q_idx, return_counts=True)
    rank = torch.arange(len(q_idx), device=device) - (torch.cumsum(counts, 0) - counts).repeat_interleave(counts)
    keep = rank < max_k
    pairs = torch.stack([q_idx[keep], s_idx[keep]], dim=1)
    return pairs, dist[keep].to(query.dtype)


@torch.no_grad()
def one_per_query(pairs: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """One uniformly random row per query among ``pairs`` (rows grouped by query, as radius_match gives)."""
    if len(pairs) == 0:
        return pairs
    _, counts = torch.unique_consecutive(pairs[:, 0], return_counts=True)
    starts = torch.cumsum(counts, 0) - counts
    draw = torch.rand(len(counts), generator=generator, device="cpu" if generator is not None else pairs.device)
    pick = starts + (draw.to(pairs.device) * counts).long().clamp_max(counts - 1)
    return pairs[pick]


def sample_rows(candidates: torch.Tensor, count: int) -> torch.Tensor:
    """``count`` of the ``candidates`` row indices without replacement (all of them if fewer)."""
    if len(candidates) <= count:
        return candidates
    return candidates[torch.randperm(len(candidates), device=candidates.device)[:count]]


def view_pairs(
    batch: Mapping[str, torch.Tensor],
    radius: float | None = None,
    max_k: int = 1,
    one_partner: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Corresponding (view-1 row, view-2 row) pairs of a globalised two-view batch, and each pair's sample.

    ``batch`` must already hold batch-global indices (``globalize_view_batch``). With ``radius=None`` the
    pairs are the generator's ``match_index`` (each view-1 point's nearest view-2 point within the
    generator's radius). Otherwise they are recomputed with :func:`radius_match` on ``view*_origin_coord``
    (up to ``max_k`` candidates per view-1 point, of which ``one_partner`` keeps one at random).
    """
    if radius is None:
        for key in ("match_index", "match_batch"):
            if key not in batch:
                raise KeyError(f"view_pairs: batch has no {key!r} (globalize the batch, or give a radius)")
        return batch["match_index"], batch["match_batch"]
    for key in ("view1_origin_coord", "view2_origin_coord", "view1_batch", "view2_batch"):
        if key not in batch:
            raise KeyError(f"view_pairs: batch has no {key!r}, needed to match points by radius")
    pairs, _ = radius_match(
        batch["view1_origin_coord"].float(), batch["view1_batch"],
        batch["view2_origin_coord"].float(), batch["view2_batch"], radius, max_k,
    )
    if one_partner:
        pairs = one_per_query(pairs)
    return pairs, batch["view1_batch"][pairs[:, 0]]


__all__ = ["radius_match", "one_per_query", "sample_rows", "view_pairs"]
