"""View mixing of Masked Scene Contrast: two scenes' view 1 fed to the backbone as one scene.

Overlaying the view of another scene removes the easy shortcut of recognising a point by its global
scene context. Samples are paired at random; the points of each pair are made contiguous and the pair
shares one entry of the backbone's ``offset`` (so the sparse convolutions see one cloud holding both).

The bookkeeping stays right because the mixing is a permutation of view-1 rows: every per-point array of
view 1 is reordered with the same ``order``, and every index into view 1 (the first column of the match
pairs) is remapped through the inverse permutation, so ``mixed["origin_coord"][new_pairs[:, 0]]`` is the
same original point as before. The original sample of each point is kept in the ``batch`` array, so
per-scene losses are still computed per original scene.

Pointcept merges consecutive samples instead (0+1, 2+3, ...; an odd last one alone). Its sampler shuffles
the batch, so consecutive pairs are random pairs: the draw has the same distribution. Random pairing keeps
that property for a batch in any order, which is why it is kept here.
"""

from __future__ import annotations

from typing import Mapping

import torch


@torch.no_grad()
def plan_mixing(offset: torch.Tensor, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Random pairing of the samples of a batch.

    Returns ``order`` (N,) (new row -> old row: samples in paired order, points of a sample in their
    order) and ``mixed_offset`` (cumulative points of each mixed scene; an odd last sample stays alone).
    """
    offset = offset.reshape(-1).long()
    device = offset.device
    counts = torch.diff(offset, prepend=offset.new_zeros(1))
    starts = offset - counts
    samples = torch.randperm(len(counts), generator=generator).to(device)
    new_counts = counts[samples]
    order = torch.cat([torch.arange(int(starts[s]), int(starts[s]) + int(counts[s]), device=device) for s in samples.tolist()]) \
        if len(counts) else offset.new_zeros(0)
    ends = torch.cumsum(new_counts, 0)
    mixed_offset = ends[1::2]
    if len(counts) % 2 == 1:
        mixed_offset = torch.cat([mixed_offset, ends[-1:]])
    return order, mixed_offset


def inverse_permutation(order: torch.Tensor) -> torch.Tensor:
    """``inverse[old_row] = new_row`` for ``order[new_row] = old_row``."""
    inverse = torch.empty_like(order)
    inverse[order] = torch.arange(len(order), device=order.device)
    return inverse


def apply_mixing(
    arrays: Mapping[str, torch.Tensor], order: torch.Tensor, indices: torch.Tensor
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Reorder every per-point array by ``order`` and remap ``indices`` (rows of the old order) to new rows."""
    n = len(order)
    for key, value in arrays.items():
        if len(value) != n:
            raise ValueError(f"view mixing: per-point array {key!r} has {len(value)} rows, the view has {n}")
    mixed = {key: value[order] for key, value in arrays.items()}
    return mixed, inverse_permutation(order)[indices]


__all__ = ["plan_mixing", "inverse_permutation", "apply_mixing"]
