"""Shared helpers of the model tests: small voxel clouds in the layout models take."""

from __future__ import annotations

import pytest

from pointcept.utils.synthetic import random_voxel_cloud


@pytest.fixture
def make_voxel_cloud():
    """Factory fixture: ``make_voxel_cloud(sizes=(300, 250), extent=48, channels=6, seed=0)``."""
    return random_voxel_cloud
