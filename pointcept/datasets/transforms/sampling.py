"""Point-count changing transforms: voxel sampling, crops, shuffling.

``GridSample`` is what turns a raw scan into the integer ``grid_coord`` a sparse backbone consumes; in
test mode it splits the scan into fragments that together cover every point, so predictions can be
voted back onto the full-resolution cloud.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import TRANSFORMS, Transform, add_point_key, index_operator
from .geometric import keep_sampled_index

FNV64_OFFSET = np.uint64(14695981039346656037)
FNV64_PRIME = np.uint64(1099511628211)


def fnv_hash(grid_coord: np.ndarray) -> np.ndarray:
    """FNV-1a (64 bit) over the integer voxel coordinates, one coordinate per step (xor, then multiply)."""
    values = grid_coord.astype(np.int64).view(np.uint64)
    key = np.full(len(values), FNV64_OFFSET, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(values.shape[1]):
            key = (key ^ values[:, j]) * FNV64_PRIME
    return key


def ravel_hash(grid_coord: np.ndarray) -> np.ndarray:
    """Collision-free key: the row-major index of the voxel in the cloud's bounding grid."""
    shifted = (grid_coord - grid_coord.min(axis=0)).astype(np.uint64)
    dims = shifted.max(axis=0) + np.uint64(1)
    key = np.zeros(len(shifted), dtype=np.uint64)
    for j in range(shifted.shape[1]):
        key = key * dims[j] + shifted[:, j]
    return key


HASHES = {"fnv": fnv_hash, "ravel": ravel_hash}


@TRANSFORMS.register_module()
class GridSample(Transform):
    """Voxelise ``coord`` with voxels of ``grid_size``.

    ``grid_coord = floor((coord - coord.min(0)) / grid_size)`` (int64) is always attached and declared
    per-point, because the sparse backbone needs it; ``return_grid_coord`` is accepted for config
    compatibility. Points of a voxel are visited in a random order drawn from ``rng``.

    * ``mode="train"``: keep one uniformly random point per occupied voxel. ``return_inverse`` adds
      ``inverse`` (one entry per *input* point: the position of the kept point of its voxel); it is not a
      per-point key of the sampled cloud.
    * ``mode="test"``: return a list of ``max points per voxel`` fragments; fragment ``i`` holds, for
      every voxel, its point number ``i mod count`` in that random order. Every fragment covers every
      voxel and all fragments together cover every input point. Each fragment is a copy of ``data`` with
      the per-point keys indexed, plus ``index`` (positions in the input, a per-point key) and
      ``grid_coord``; voxel ``j`` is point ``j`` in every fragment, so ``inverse`` is shared.

    ``return_min_coord`` adds the grid origin ``min_coord`` (1, 3); ``return_displacement`` adds each
    point's offset from its voxel centre in voxel units (``project_displacement``: projected on
    ``normal``, shape (N, 1)).
    """

    def __init__(
        self,
        grid_size: float | Sequence[float] = 0.05,
        hash_type: str = "fnv",
        mode: str = "train",
        return_inverse: bool = False,
        return_grid_coord: bool = False,
        return_min_coord: bool = False,
        return_displacement: bool = False,
        project_displacement: bool = False,
    ):
        if hash_type not in HASHES:
            raise ValueError(f"GridSample: hash_type must be one of {sorted(HASHES)}, got {hash_type!r}")
        if mode not in ("train", "test"):
            raise ValueError(f"GridSample: mode must be 'train' or 'test', got {mode!r}")
        self.grid_size = grid_size
        self.hash_type = hash_type
        self.mode = mode
        self.return_inverse = return_inverse
        self.return_grid_coord = return_grid_coord
        self.return_min_coord = return_min_coord
        self.return_displacement = return_displacement
        self.project_displacement = project_displacement

    def voxelize(self, coord: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """Group the points by voxel.

        Returns ``grid_coord``, ``scaled`` (coord in voxel units from the origin), ``order`` (point indices
        grouped by voxel, in random order inside each voxel), ``starts`` and ``counts`` (each voxel's slice
        of ``order``), ``voxel_of_sorted`` (voxel number of each entry of ``order``) and the grid ``origin``.
        A hash collision (two voxels, one key) is detected and redone with the exact ``ravel`` key.
        """
        origin = coord.min(axis=0).astype(np.float64)
        scaled = (coord.astype(np.float64) - origin) / np.asarray(self.grid_size, dtype=np.float64)
        grid_coord = np.floor(scaled).astype(np.int64)
        perm = rng.permutation(len(coord))
        for hash_type in dict.fromkeys((self.hash_type, "ravel")):
            key = HASHES[hash_type](grid_coord)[perm]
            sort = np.argsort(key, kind="stable")
            order, key = perm[sort], key[sort]
            new_voxel = np.ones(len(key), dtype=bool)
            new_voxel[1:] = key[1:] != key[:-1]
            voxel_of_sorted = np.cumsum(new_voxel) - 1
            starts = np.flatnonzero(new_voxel)
            sorted_grid = grid_coord[order]
            if (sorted_grid == sorted_grid[starts][voxel_of_sorted]).all():
                break  # no hash collision merged two voxels (always true for "ravel")
        counts = np.diff(np.append(starts, len(key)))
        return grid_coord, scaled, order, starts, counts, voxel_of_sorted, origin

    def _extras(self, part: dict, data: dict, idx: np.ndarray, grid_coord, scaled, inverse, origin) -> None:
        part["grid_coord"] = grid_coord[idx]
        add_point_key(part, "grid_coord")
        if self.return_inverse:
            part["inverse"] = inverse
        if self.return_min_coord:
            part["min_coord"] = origin.reshape(1, 3).astype(data["coord"].dtype)
        if self.return_displacement:
            displacement = scaled[idx] - grid_coord[idx] - 0.5
            if self.project_displacement:
                displacement = (displacement * data["normal"][idx]).sum(axis=-1, keepdims=True)
            part["displacement"] = displacement.astype(np.float32)
            add_point_key(part, "displacement")

    def __call__(self, data: dict, rng: np.random.Generator) -> dict | list[dict]:
        grid_coord, scaled, order, starts, counts, voxel_of_sorted, origin = self.voxelize(data["coord"], rng)
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = voxel_of_sorted
        if self.mode == "train":
            idx = order[starts]
            if "sampled_index" in data:  # labelled points are kept too; inverse -> the voxel's sampled point
                kept = keep_sampled_index(data, idx)
                inverse = np.searchsorted(kept, idx)[inverse]
                idx = kept
            source = {k: data[k] for k in ("coord", "normal") if k in data}
            data = index_operator(data, idx)
            self._extras(data, source, idx, grid_coord, scaled, inverse, origin)
            return data
        parts = []
        for i in range(int(counts.max())):
            idx = order[starts + i % counts]
            part = index_operator(data, idx, duplicate=True)
            part["index"] = idx
            add_point_key(part, "index")
            self._extras(part, data, idx, grid_coord, scaled, inverse, origin)
            parts.append(part)
        return parts


def _nearest(coord: np.ndarray, center: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (in input order) and squared distances of the ``k`` points nearest ``center``."""
    dist2 = ((coord.astype(np.float64) - center) ** 2).sum(axis=1)
    idx = np.sort(np.argpartition(dist2, k - 1)[:k]) if k < len(coord) else np.arange(len(coord))
    return idx, dist2[idx]


@TRANSFORMS.register_module()
class SphereCrop(Transform):
    """Keep at most ``point_max`` points (or ``sample_rate`` of them): the ones nearest a centre.

    ``mode="random"``: centre on a random point; ``"center"``: on the bounding-box centre; ``"all"``
    (test): a list of crops that together cover every point, each with ``index`` into the input (an
    existing ``index``, e.g. from a test-mode ``GridSample`` fragment, is carried through).
    """

    def __init__(self, point_max: int = 80000, sample_rate: float | None = None, mode: str = "random"):
        if mode not in ("random", "center", "all"):
            raise ValueError(f"SphereCrop: mode must be 'random', 'center' or 'all', got {mode!r}")
        self.point_max = point_max
        self.sample_rate = sample_rate
        self.mode = mode

    def __call__(self, data: dict, rng: np.random.Generator) -> dict | list[dict]:
        coord = data["coord"]
        n = len(coord)
        point_max = int(self.sample_rate * n) if self.sample_rate is not None else int(self.point_max)
        point_max = max(point_max, 1)
        if self.mode == "all":
            return self.crop_all(data, point_max, rng)
        if n <= point_max:
            return data
        if self.mode == "random":
            center = coord[rng.integers(n)].astype(np.float64)
        else:
            center = (coord.min(axis=0).astype(np.float64) + coord.max(axis=0)) / 2
        idx, _ = _nearest(coord, center, point_max)
        return index_operator(data, keep_sampled_index(data, idx))

    @staticmethod
    def crop_all(data: dict, point_max: int, rng: np.random.Generator) -> list[dict]:
        """Greedy cover: centre each crop on the uncovered point least covered so far."""
        coord = data["coord"]
        n = len(coord)
        if "index" not in data:
            data["index"] = np.arange(n)
        add_point_key(data, "index")
        if n <= point_max:
            return [data]
        # potential grows near previous crop centres; small random values break ties
        potential = rng.random(n) * 1e-3
        covered = np.zeros(n, dtype=bool)
        crops = []
        while not covered.all():
            candidates = np.flatnonzero(~covered)
            center = coord[candidates[np.argmin(potential[candidates])]].astype(np.float64)
            idx, dist2 = _nearest(coord, center, point_max)
            crops.append(index_operator(data, idx, duplicate=True))
            covered[idx] = True
            potential[idx] += np.square(1 - dist2 / max(dist2.max(), 1e-12))
        return crops


@TRANSFORMS.register_module()
class RandomCrop(Transform):
    """Keep the points of a random axis-aligned box holding ``ratio`` of them.

    The box is centred on a random point and grows equally along ``axes`` ("xy": an xy square, all
    heights kept; "xyz": a cube) until it holds ``max(1, round(ratio * N))`` points, i.e. those points
    are kept that are nearest the centre in the Chebyshev (max-abs) distance over ``axes``. ``ratio`` may
    be a ``(low, high)`` pair, sampled uniformly per call.
    """

    def __init__(self, ratio: float | Sequence[float] = 0.6, axes: str = "xy"):
        if axes not in ("xy", "xyz"):
            raise ValueError(f"RandomCrop: axes must be 'xy' or 'xyz', got {axes!r}")
        bounds = (ratio, ratio) if np.isscalar(ratio) else tuple(ratio)
        if not 0 < bounds[0] <= bounds[1] <= 1:
            raise ValueError(f"RandomCrop: ratio must lie in (0, 1], got {ratio!r}")
        self.ratio = ratio
        self.axes = axes

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        coord = data["coord"]
        n = len(coord)
        ratio = self.ratio if np.isscalar(self.ratio) else rng.uniform(*self.ratio)
        keep = min(n, max(1, int(round(ratio * n))))
        if keep == n:
            return data
        dims = len(self.axes)
        center = coord[rng.integers(n), :dims].astype(np.float64)
        distance = np.abs(coord[:, :dims] - center).max(axis=1)
        idx = np.sort(np.argpartition(distance, keep - 1)[:keep])
        return index_operator(data, keep_sampled_index(data, idx))


@TRANSFORMS.register_module()
class ShufflePoint(Transform):
    """Randomly permute the points (all per-point keys together)."""

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if "sampled_index" in data:
            raise ValueError("ShufflePoint: a cloud with 'sampled_index' cannot be shuffled; shuffle earlier")
        return index_operator(data, rng.permutation(len(data["coord"])))


@TRANSFORMS.register_module()
class CropBoundary(Transform):
    """Drop points whose ``segment`` is 0 or 1 (floor and wall in ScanNet's 20-class labels)."""

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        segment = np.asarray(data["segment"]).reshape(-1)
        return index_operator(data, np.flatnonzero((segment != 0) & (segment != 1)))

