"""Cross-view grid masking of Masked Scene Contrast.

MSC hides whole ``cell_size`` cubes of the scene (not single points), so a masked point cannot be
recovered from its immediate neighbours, and it hides *different* cubes in the two views: the cells of a
scene (the union of both views, in the shared ``origin_coord`` frame) are shuffled, the first
``mask_rate`` share is hidden in view 1 and the next ``mask_rate`` share in view 2. A place is therefore
visible in at least one view, and the contrastive target of a masked point is an unmasked feature.

A matched pair may straddle a cell border, so complementary cells alone do not guarantee that. Pointcept
leaves such pairs hidden on both sides (the default here too); with the model's
``unmask_matched_pairs=True`` the view-2 copy of every pair whose two copies are both hidden is made
visible again (:func:`unmask_matched_pairs`), so no matched pair is ever masked twice.
"""

from __future__ import annotations

import torch


@torch.no_grad()
def grid_cell_ids(
    origin1: torch.Tensor, batch1: torch.Tensor, origin2: torch.Tensor, batch2: torch.Tensor, cell_size: float
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Dense ids of the (sample, ``cell_size`` cube) of each point of both views, shared between views.

    Returns ``(cell1, cell2, num_cells)``; equal ids mean the same cube of the same scene.
    """
    if not cell_size > 0:
        raise ValueError(f"grid masking: cell_size must be > 0, got {cell_size}")
    cells = torch.floor(torch.cat([origin1, origin2]).double() / cell_size).long()
    batch = torch.cat([batch1, batch2]).long()
    keys = torch.cat([batch[:, None], cells], dim=1)
    _, ids = torch.unique(keys, dim=0, return_inverse=True)
    num_cells = int(ids.max()) + 1 if len(ids) else 0
    return ids[: len(origin1)], ids[len(origin1):], num_cells


@torch.no_grad()
def cross_view_masks(
    cell1: torch.Tensor, cell2: torch.Tensor, num_cells: int, mask_rate: float, generator: torch.Generator | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Point masks of both views from disjoint random cell sets of ``int(num_cells * mask_rate)`` each.

    The count is rounded down, as Pointcept's ``generate_cross_masks`` does. ``mask_rate`` must lie in
    ``[0, 0.5]`` so that the two sets fit side by side.
    """
    if not 0.0 <= mask_rate <= 0.5:
        raise ValueError(f"grid masking: mask_rate must be in [0, 0.5] (two disjoint cell sets), got {mask_rate}")
    device = cell1.device
    count = int(num_cells * mask_rate)  # floor, as Pointcept
    order = torch.randperm(num_cells, generator=generator).to(device)
    tag = torch.zeros(num_cells, dtype=torch.int8, device=device)  # 0 visible, 1 hidden in view 1, 2 in view 2
    tag[order[:count]] = 1
    tag[order[count: 2 * count]] = 2
    return tag[cell1] == 1, tag[cell2] == 2


@torch.no_grad()
def unmask_matched_pairs(mask1: torch.Tensor, mask2: torch.Tensor, pairs: torch.Tensor) -> torch.Tensor:
    """``mask2`` with the view-2 copy of every pair hidden in both views made visible again."""
    if len(pairs) == 0:
        return mask2
    both = mask1[pairs[:, 0]] & mask2[pairs[:, 1]]
    mask2 = mask2.clone()
    mask2[pairs[both, 1]] = False
    return mask2


__all__ = ["grid_cell_ids", "cross_view_masks", "unmask_matched_pairs"]
