"""Corresponding points of two views: the one matcher of every two-view pretraining method.

The data side (``ContrastiveViewsGenerator``: the nearest-partner ``match_index`` and the overlap masks)
and the models (GroupContrast's positives, Masked Scene Contrast, PointContrast and CSC) all ask the same
question: which points of two augmented views are the same place of the scene? Two views of one scene
share the pre-augmentation ``origin_coord`` frame, so "the same place" means "close in ``origin_coord``".
This module answers it once, in one way, for all of them (it lives in ``utils`` so that ``datasets`` and
``models`` both use it without importing each other):

* :func:`radius_match` - up to ``max_k`` nearest support points within ``radius`` of each query point,
  restricted to the same sample of the batch. Pure torch (a hashed grid of ``radius`` cells searched with
  ``searchsorted``), so it runs on the CPU and on CUDA without a compiled neighbour-search extension, and
  its cost grows with the number of points, not with their square.
* :func:`match_views` - what the generator stores: each view-1 point's nearest view-2 point within the
  radius and both (symmetric) overlap masks, from one candidate search.
* :func:`one_per_query` - one random partner per query among its candidates (MSC's choice: every view-1
  point contributes at most one positive, so dense regions do not dominate the loss).
* :func:`sample_rows` - a random subset of rows without replacement (the ``num_samples`` /
  ``matching_max_pair`` budget).
* :func:`view_pairs` - the pairs of a globalised two-view batch: the generator's nearest-partner
  ``match_index`` when no radius is given (GroupContrast), or a fresh :func:`radius_match` on
  ``view*_origin_coord`` (MSC, PointContrast, CSC).

Distances are computed in float64 and compared with ``<= radius`` (inclusive). Among candidates at the
same distance the order is that of the search (neighbour cell, then support row), so results are
deterministic.
"""

from __future__ import annotations

from typing import Mapping

import torch

# the 27 cells around (and including) a cell are 9 runs of 3 cells along the last axis: (x, y) offsets
_NEIGHBOUR_ROWS = torch.tensor([[i, j, 0] for i in (-1, 0, 1) for j in (-1, 0, 1)])


def _check_cloud(name: str, coord: torch.Tensor, batch: torch.Tensor) -> None:
    if coord.dim() != 2 or coord.shape[1] != 3:
        raise ValueError(f"radius_match: {name} coordinates must be (N, 3), got {tuple(coord.shape)}")
    if batch.shape != (coord.shape[0],):
        raise ValueError(
            f"radius_match: {name} batch must hold one sample id per point ({coord.shape[0]}), "
            f"got shape {tuple(batch.shape)}"
        )


def _radius_candidates(
    query: torch.Tensor,
    query_batch: torch.Tensor,
    support: torch.Tensor,
    support_batch: torch.Tensor,
    radius: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every (query row, support row, float64 distance) of the same sample within ``radius``.

    Per query, candidates come in a fixed order (neighbour cell, then support row), which a stable sort
    by query keeps for equal distances.
    """
    device = query.device
    # integer cells of side `radius`; a partner within `radius` lies in one of the 27 surrounding cells
    q64, s64 = query.double(), support.double()
    q_cell = torch.floor(q64 / radius).long()
    s_cell = torch.floor(s64 / radius).long()
    low = torch.minimum(q_cell.min(0).values, s_cell.min(0).values) - 1  # margin: neighbours never wrap
    q_cell, s_cell = q_cell - low, s_cell - low
    dims = (torch.maximum(q_cell.max(0).values, s_cell.max(0).values) + 2).tolist()

    def key(cell: torch.Tensor, batch: torch.Tensor | None = None) -> torch.Tensor:
        flat = (cell[..., 0] * dims[1] + cell[..., 1]) * dims[2] + cell[..., 2]
        return flat if batch is None else flat + batch.long() * (dims[0] * dims[1] * dims[2])

    s_key, s_order = torch.sort(key(s_cell, support_batch), stable=True)
    # keys are linear in the cell and the last axis has stride 1, so the 3 cells (z-1, z, z+1) of each of
    # the 9 (x, y) neighbour rows are the consecutive keys [k - 1, k + 1]: their support rows form one
    # range of the sorted keys. Queries sorted by key make each of the 9 rows of searches sorted, which
    # makes the binary searches several times faster (memory locality).
    q_key, q_order = torch.sort(key(q_cell, query_batch), stable=True)
    row_key = key(_NEIGHBOUR_ROWS.to(device))[:, None] + q_key[None]  # (9, Q)
    start = torch.searchsorted(s_key, row_key - 1).reshape(-1)
    count = torch.searchsorted(s_key, row_key + 1, right=True).reshape(-1) - start
    # expand every (neighbour row, query) range into its support rows
    first = torch.cumsum(count, 0) - count
    within = torch.arange(int(count.sum()), device=device) - first.repeat_interleave(count)
    slot = torch.arange(len(count), device=device).repeat_interleave(count)
    q_idx = q_order.index_select(0, slot % len(q_key))
    s_idx = s_order.index_select(0, start.index_select(0, slot) + within)
    dist = torch.linalg.norm(q64.index_select(0, q_idx) - s64.index_select(0, s_idx), dim=1)
    keep = dist <= radius
    return q_idx[keep], s_idx[keep], dist[keep]


def _nearest_first(
    q_idx: torch.Tensor, s_idx: torch.Tensor, dist: torch.Tensor, max_k: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Candidates ordered by (query, distance), the first ``max_k`` of each query: ``pairs``, distances."""
    device = q_idx.device
    by_dist = torch.argsort(dist, stable=True)
    by_query = torch.argsort(q_idx[by_dist], stable=True)
    order = by_dist[by_query]
    q_idx, s_idx, dist = q_idx[order], s_idx[order], dist[order]
    _, counts = torch.unique_consecutive(q_idx, return_counts=True)
    rank = torch.arange(len(q_idx), device=device) - (torch.cumsum(counts, 0) - counts).repeat_interleave(counts)
    keep = rank < max_k
    return torch.stack([q_idx[keep], s_idx[keep]], dim=1), dist[keep]


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
    if len(query) == 0 or len(support) == 0:
        return torch.zeros((0, 2), dtype=torch.long, device=query.device), query.new_zeros(0)
    candidates = _radius_candidates(query, query_batch, support, support_batch, radius)
    pairs, dist = _nearest_first(*candidates, max_k)
    return pairs, dist.to(query.dtype)


@torch.no_grad()
def match_views(
    origin1: torch.Tensor, origin2: torch.Tensor, radius: float
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Nearest view-2 partner of each view-1 point within ``radius`` (inclusive), and both overlap masks.

    Two views of ONE sample (the generator's case). Returns ``match_index`` (M, 2) int64 (view-1 row,
    view-2 row; every view-1 point within ``radius`` of some view-2 point, in row order), ``overlap1`` and
    ``overlap2`` (bool): the symmetric definition, a point is in the overlap when the *other* view has a
    point within ``radius`` (a view-2 overlap point need not be anyone's nearest partner). One candidate
    search serves all three, and the pairs are :func:`radius_match`'s with ``max_k=1``.
    """
    if not radius > 0:
        raise ValueError(f"match_views: radius must be > 0, got {radius}")
    origin1, origin2 = origin1.reshape(-1, 3), origin2.reshape(-1, 3)
    batch1 = torch.zeros(len(origin1), dtype=torch.long, device=origin1.device)
    batch2 = torch.zeros(len(origin2), dtype=torch.long, device=origin2.device)
    overlap1 = torch.zeros(len(origin1), dtype=torch.bool, device=origin1.device)
    overlap2 = torch.zeros(len(origin2), dtype=torch.bool, device=origin2.device)
    if len(origin1) == 0 or len(origin2) == 0:
        return torch.zeros((0, 2), dtype=torch.long, device=origin1.device), overlap1, overlap2
    q_idx, s_idx, dist = _radius_candidates(origin1, batch1, origin2, batch2, radius)
    overlap1[q_idx] = True
    overlap2[s_idx] = True
    match_index, _ = _nearest_first(q_idx, s_idx, dist, 1)
    return match_index, overlap1, overlap2


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

    ``batch`` must already hold batch-global indices (``point_collate_fn`` gives them; see
    ``pointcept.utils.views``). With ``radius=None`` the pairs are the generator's ``match_index`` (each
    view-1 point's nearest view-2 point within the generator's radius). Otherwise they are recomputed with
    :func:`radius_match` on ``view*_origin_coord`` (up to ``max_k`` candidates per view-1 point, of which
    ``one_partner`` keeps one at random).
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


__all__ = ["radius_match", "match_views", "one_per_query", "sample_rows", "view_pairs"]
