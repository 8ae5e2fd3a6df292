"""PointNet++ point operations in plain torch: farthest point sampling, ball query, grouping.

Why pure torch: the same code runs on the CPU and on CUDA, with identical results. Every distance is a
sum of separately rounded elementwise float32 operations (no fused reductions, no matmul tricks), ties go
to the lowest index and neighbours are selected by integer bookkeeping, so both devices return the same
indices bit for bit. Batches are padded ``(B, N, 3)`` tensors with an optional per-sample ``lengths``
(padding rows are never selected); VoteNet's heads work on fixed-size seed and vote sets, so padding is
cheap there. A compiled kernel could replace these behind the same signatures; none is required.
"""

from __future__ import annotations

import torch

__all__ = ["furthest_point_sample", "ball_query", "group_points", "squared_distance", "pad_by_offset"]


def squared_distance(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``|a - b|^2`` over the last dim (size 3) as ``dx*dx + dy*dy + dz*dz``, broadcasting; device-exact."""
    diff = a - b
    return diff[..., 0] * diff[..., 0] + diff[..., 1] * diff[..., 1] + diff[..., 2] * diff[..., 2]


def furthest_point_sample(xyz: torch.Tensor, num: int, lengths: torch.Tensor | None = None) -> torch.Tensor:
    """(B, num) int64 indices of iterative farthest point sampling over ``xyz`` (B, N, 3).

    Starts at index 0 of each sample (as PointNet++'s kernel does) and then repeatedly takes the point
    farthest from the chosen set (lowest index on ties). Rows at or beyond ``lengths[b]`` are padding
    and never chosen; once a sample's points are exhausted, further picks repeat already chosen points.
    """
    if xyz.dim() != 3 or xyz.shape[-1] != 3:
        raise ValueError(f"furthest_point_sample: expected (B, N, 3) points, got {tuple(xyz.shape)}")
    batch, n = xyz.shape[:2]
    if n == 0 or num <= 0:
        return torch.zeros(batch, max(num, 0), dtype=torch.long, device=xyz.device)
    xyz = xyz.float()
    rows = torch.arange(batch, device=xyz.device)
    distance = torch.full((batch, n), float("inf"), device=xyz.device)
    if lengths is not None:
        padding = torch.arange(n, device=xyz.device)[None, :] >= lengths.to(xyz.device)[:, None]
        distance = distance.masked_fill(padding, -1.0)
    chosen = torch.zeros(batch, num, dtype=torch.long, device=xyz.device)
    current = torch.zeros(batch, dtype=torch.long, device=xyz.device)
    x, y, z = (xyz[..., k].contiguous() for k in range(3))
    for i in range(num):
        chosen[:, i] = current
        dx = x - x[rows, current][:, None]
        dy = y - y[rows, current][:, None]
        dz = z - z[rows, current][:, None]
        distance = torch.minimum(distance, dx * dx + dy * dy + dz * dz)  # = squared_distance, per axis
        current = torch.argmax(distance, dim=1)  # first maximum on both devices
    return chosen


def ball_query(
    radius: float, nsample: int, xyz: torch.Tensor, centres: torch.Tensor, lengths: torch.Tensor | None = None,
    chunk: int = 64,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Neighbours of ``centres`` (B, M, 3) among ``xyz`` (B, N, 3) within ``radius`` (``d^2 < r^2``).

    Returns ``(idx (B, M, nsample) int64, count (B, M) int64)``: the first ``nsample`` points in index order
    inside the ball; unused slots repeat the first one found (PointNet++'s padding), and a centre with no
    neighbour gets index 0 and count 0.

    Centres are handled ``chunk`` at a time in x order, and only the points in the x band the chunk can
    reach are tested (a slightly widened band, so the exact float test decides every pair as brute force
    would): large clouds cost a fraction of the full (M, N) distance matrix.
    """
    batch, n = xyz.shape[:2]
    m = centres.shape[1]
    idx = torch.zeros(batch, m, nsample, dtype=torch.long, device=xyz.device)
    count = torch.zeros(batch, m, dtype=torch.long, device=xyz.device)
    if n == 0 or m == 0 or nsample <= 0:
        return idx, count
    r2 = torch.tensor(radius * radius, dtype=torch.float32, device=xyz.device)
    margin = abs(radius) * (1 + 1e-3) + 1e-6
    xyz, centres = xyz.float(), centres.float()
    sizes = lengths.tolist() if lengths is not None else [n] * batch
    for b in range(batch):
        points = xyz[b, : int(sizes[b])]
        if len(points) == 0:
            continue
        x_sorted, by_x = torch.sort(points[:, 0].contiguous(), stable=True)
        centre_order = torch.argsort(centres[b, :, 0], stable=True)
        for start in range(0, m, chunk):
            which = centre_order[start : start + chunk]
            ctr = centres[b, which]
            band = torch.searchsorted(x_sorted, torch.stack([ctr[:, 0].min() - margin, ctr[:, 0].max() + margin]))
            candidates = by_x[int(band[0]) : int(band[1])]
            if len(candidates) == 0:
                continue
            inside = squared_distance(ctr[:, None, :], points[candidates][None, :, :]) < r2  # (c, K)
            key = torch.where(inside, candidates[None, :], n)
            first = torch.topk(key, min(nsample, len(candidates)), dim=1, largest=False, sorted=True).values
            found = inside.sum(dim=1).clamp(max=nsample)
            block = torch.full((len(which), nsample), n, dtype=torch.long, device=xyz.device)
            block[:, : first.shape[1]] = first
            fill = torch.where(found[:, None] > 0, block[:, :1], 0)
            idx[b, which] = torch.where(block >= n, fill.expand_as(block), block)
            count[b, which] = found
    return idx, count


def group_points(features: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """Gather ``features`` (B, N, C) at ``idx`` (B, M, K) -> (B, M, K, C)."""
    batch, m, k = idx.shape
    flat = idx.reshape(batch, m * k, 1).expand(-1, -1, features.shape[-1])
    return torch.gather(features, 1, flat).reshape(batch, m, k, features.shape[-1])


def pad_by_offset(values: torch.Tensor, offset: torch.Tensor, fill: float = 0.0) -> tuple[torch.Tensor, torch.Tensor]:
    """Concatenated per-sample rows (sum N_b, ...) with cumulative ``offset`` -> ``(padded (B, max N_b, ...),
    lengths (B,))``; padding rows hold ``fill``."""
    offset = offset.long()
    lengths = torch.diff(offset, prepend=offset.new_zeros(1))
    batch = len(offset)
    width = int(lengths.max()) if batch else 0
    padded = values.new_full((batch, width, *values.shape[1:]), fill)
    if values.shape[0]:
        sample = torch.repeat_interleave(torch.arange(batch, device=values.device), lengths)
        position = torch.arange(values.shape[0], device=values.device) - (offset - lengths)[sample]
        padded[sample, position] = values
    return padded, lengths
