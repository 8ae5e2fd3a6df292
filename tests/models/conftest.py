"""Shared helpers of the model tests: small voxel clouds in the layout models take."""

from __future__ import annotations

import pytest
import torch


def voxel_cloud(
    sizes: tuple[int, ...] = (300, 250), extent: int = 48, channels: int = 6, seed: int = 0
) -> dict[str, torch.Tensor]:
    """``len(sizes)`` random clouds of unique voxels in ``[0, extent)^3``, concatenated, with ``offset``."""
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


@pytest.fixture
def make_voxel_cloud():
    """Factory fixture: ``make_voxel_cloud(sizes=(300, 250), extent=48, channels=6, seed=0)``."""
    return voxel_cloud
