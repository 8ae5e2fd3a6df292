"""Small geometry helpers shared by datasets, preprocessing and segmentation."""

from __future__ import annotations

import numpy as np


def estimate_normals(coord: np.ndarray, k: int = 16, viewpoint: np.ndarray | None = None) -> np.ndarray:
    """Unit normals by local PCA over the ``k`` nearest neighbours (smallest-eigenvalue direction).

    Normals are oriented towards ``viewpoint`` (default: above the cloud's centre, which suits indoor
    scans where most surfaces face the room), so that their sign is stable.
    """
    from scipy.spatial import cKDTree

    coord = np.asarray(coord, dtype=np.float64)
    n = len(coord)
    if n == 0:
        return np.zeros((0, 3), dtype=np.float32)
    k = int(min(max(k, 3), n))
    _, neighbours = cKDTree(coord).query(coord, k=k, workers=-1)
    neighbours = neighbours.reshape(n, k)
    local = coord[neighbours] - coord[neighbours].mean(axis=1, keepdims=True)
    covariance = np.einsum("nki,nkj->nij", local, local) / k
    _, eigenvectors = np.linalg.eigh(covariance)
    normals = eigenvectors[:, :, 0]
    if viewpoint is None:
        viewpoint = coord.mean(axis=0) + np.array([0.0, 0.0, 2.0])
    flip = np.einsum("ni,ni->n", normals, viewpoint[None] - coord) < 0
    normals[flip] *= -1
    return normals.astype(np.float32)
