"""Seeded synthetic inputs for tests and benchmarks (no data set needed)."""

from __future__ import annotations

import torch


def random_voxel_cloud(
    sizes: tuple[int, ...] = (300, 250), extent: int = 48, channels: int = 6, seed: int = 0
) -> dict[str, torch.Tensor]:
    """``len(sizes)`` random clouds of unique voxels in ``[0, extent)^3``, concatenated, with ``offset``:
    the ``grid_coord`` / ``feat`` / ``offset`` layout a sparse backbone takes."""
    generator = torch.Generator().manual_seed(seed)
    coords = []
    for size in sizes:
        flat = torch.randperm(extent**3, generator=generator)[:size]
        coords.append(torch.stack([flat // extent**2, flat // extent % extent, flat % extent], dim=1))
    grid_coord = torch.cat(coords)
    return {
        "grid_coord": grid_coord,
        "feat": torch.randn(len(grid_coord), channels, generator=generator),
        "offset": torch.cumsum(torch.tensor(sizes), dim=0),
    }
