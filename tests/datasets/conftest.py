"""Shared fixtures of the dataset tests: small synthetic clouds in the layout ``DefaultDataset`` produces."""

from __future__ import annotations

import numpy as np
import pytest


def synthetic_cloud(n: int = 400, seed: int = 0, extent: tuple[float, ...] = (2.0, 2.0, 1.0)) -> dict:
    """A random cloud with coord/color/normal/segment/instance, as ``DefaultDataset.get_data`` gives."""
    rng = np.random.default_rng(seed)
    normal = rng.standard_normal((n, 3))
    normal /= np.linalg.norm(normal, axis=1, keepdims=True)
    return {
        "coord": (rng.random((n, 3)) * np.asarray(extent) + np.array([1.0, -3.0, 0.5])).astype(np.float32),
        "color": (rng.random((n, 3)) * 255).astype(np.float32),
        "normal": normal.astype(np.float32),
        "segment": rng.integers(0, 20, n).astype(np.int64),
        "instance": rng.integers(-1, 12, n).astype(np.int64),
        "index_valid_keys": ["coord", "color", "normal", "segment", "instance"],
        "name": "synthetic",
        "split": "train",
    }


@pytest.fixture
def make_cloud():
    """Factory fixture: ``make_cloud(n=400, seed=0, extent=(2, 2, 1))``."""
    return synthetic_cloud
