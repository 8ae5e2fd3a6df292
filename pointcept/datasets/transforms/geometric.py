"""Geometric augmentations of ``coord`` (and ``normal``): shifts, rotations, scales, flips, noise, dropout.

Arrays are never written in place: each transform assigns a new array, cast back to the input dtype, so
a float32 cloud stays float32 and a caller's (or a cache's) arrays are left untouched.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from scipy import ndimage

from .base import TRANSFORMS, Transform, index_operator


def _bbox_center(coord: np.ndarray) -> np.ndarray:
    return (coord.min(axis=0).astype(np.float64) + coord.max(axis=0)) / 2.0


def rotation_matrix(angle: float, axis: str) -> np.ndarray:
    """Right-handed rotation by ``angle`` radians about ``axis`` ("x", "y" or "z")."""
    c, s = np.cos(angle), np.sin(angle)
    if axis == "x":
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == "y":
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    if axis == "z":
        return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    raise ValueError(f"rotation axis must be 'x', 'y' or 'z', got {axis!r}")


def keep_sampled_index(data: dict, idx: np.ndarray) -> np.ndarray:
    """Add the labelled points of ``data["sampled_index"]`` (ScanNet data-efficient) to a sampling ``idx``.

    Limited-annotation benchmarks must never lose their few labelled points to an augmentation; the
    stored ``sampled_index`` is remapped to positions in the sampled cloud.
    """
    if "sampled_index" not in data:
        return idx
    idx = np.unique(np.concatenate([idx, data["sampled_index"]]))
    mask = np.zeros(len(data["coord"]), dtype=bool)
    mask[data["sampled_index"]] = True
    data["sampled_index"] = np.flatnonzero(mask[idx])
    return idx


@TRANSFORMS.register_module()
class CenterShift(Transform):
    """Move the x, y bbox centre to the origin, and the lowest z to 0 when ``apply_z``."""

    def __init__(self, apply_z: bool = True):
        self.apply_z = apply_z

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        coord = data["coord"]
        shift = _bbox_center(coord)
        shift[2] = coord[:, 2].min() if self.apply_z else 0.0
        data["coord"] = (coord - shift).astype(coord.dtype)
        return data


@TRANSFORMS.register_module()
class RandomShift(Transform):
    """Translate the whole cloud by one offset drawn uniformly per axis from ``shift``."""

    def __init__(self, shift: Sequence[Sequence[float]] = ((-0.2, 0.2), (-0.2, 0.2), (0, 0))):
        self.shift = [tuple(map(float, s)) for s in shift]

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        offset = np.array([rng.uniform(lo, hi) for lo, hi in self.shift])
        data["coord"] = (data["coord"] + offset).astype(data["coord"].dtype)
        return data


def _rotate(data: dict, rot: np.ndarray, center: Sequence[float] | None) -> dict:
    coord = data["coord"]
    c = _bbox_center(coord) if center is None else np.asarray(center, dtype=np.float64)
    data["coord"] = ((coord - c) @ rot.T + c).astype(coord.dtype)
    if "normal" in data:
        data["normal"] = (data["normal"] @ rot.T).astype(data["normal"].dtype)
    return data


@TRANSFORMS.register_module()
class RandomRotate(Transform):
    """With probability ``p``, rotate about ``axis`` by an angle uniform in ``angle`` (units of pi).

    The pivot is ``center`` or, by default, the bounding-box centre, so the cloud stays in place.
    """

    def __init__(
        self,
        angle: Sequence[float] | None = None,
        center: Sequence[float] | None = None,
        axis: str = "z",
        always_apply: bool = False,
        p: float = 0.5,
    ):
        self.angle = (-1.0, 1.0) if angle is None else tuple(angle)
        self.center = center
        self.axis = axis
        self.always_apply = always_apply
        self.p = p
        rotation_matrix(0.0, axis)  # validate the axis at build time

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if not self.always_apply and rng.random() > self.p:
            return data
        angle = rng.uniform(self.angle[0], self.angle[1]) * np.pi
        return _rotate(data, rotation_matrix(angle, self.axis), self.center)


@TRANSFORMS.register_module()
class RandomRotateTargetAngle(RandomRotate):
    """With probability ``p``, rotate by one angle chosen from the list ``angle`` (units of pi)."""

    def __init__(
        self,
        angle: Sequence[float] = (1 / 2, 1, 3 / 2),
        center: Sequence[float] | None = None,
        axis: str = "z",
        always_apply: bool = False,
        p: float = 0.75,
    ):
        super().__init__(angle, center, axis, always_apply, p)

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if not self.always_apply and rng.random() > self.p:
            return data
        angle = float(rng.choice(self.angle)) * np.pi
        return _rotate(data, rotation_matrix(angle, self.axis), self.center)


@TRANSFORMS.register_module()
class RandomScale(Transform):
    """Scale ``coord`` about the origin by a factor uniform in ``scale`` (one per axis if anisotropic)."""

    def __init__(self, scale: Sequence[float] | None = None, anisotropic: bool = False):
        self.scale = (0.95, 1.05) if scale is None else tuple(scale)
        self.anisotropic = anisotropic

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        factor = rng.uniform(self.scale[0], self.scale[1], 3 if self.anisotropic else 1)
        data["coord"] = (data["coord"] * factor).astype(data["coord"].dtype)
        return data


@TRANSFORMS.register_module()
class RandomFlip(Transform):
    """Mirror x and y independently, each with probability ``p`` (normals follow)."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        sign = np.ones(3)
        for axis in (0, 1):
            if rng.random() < self.p:
                sign[axis] = -1.0
        if (sign < 0).any():
            for key in ("coord", "normal"):
                if key in data:
                    data[key] = (data[key] * sign).astype(data[key].dtype)
        return data


@TRANSFORMS.register_module()
class RandomJitter(Transform):
    """Per-point Gaussian noise of std ``sigma``, clipped to ``[-clip, clip]``."""

    def __init__(self, sigma: float = 0.01, clip: float = 0.05):
        if clip <= 0:
            raise ValueError(f"RandomJitter: clip must be > 0, got {clip}")
        self.sigma = sigma
        self.clip = clip

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        coord = data["coord"]
        noise = np.clip(self.sigma * rng.standard_normal(coord.shape), -self.clip, self.clip)
        data["coord"] = (coord + noise).astype(coord.dtype)
        return data


@TRANSFORMS.register_module()
class ElasticDistortion(Transform):
    """Smooth random warping (Minkowski Engine style), applied with probability ``p``.

    For each ``(granularity, magnitude)``: Gaussian noise vectors on a lattice of spacing ``granularity``
    are box-blurred (3 taps, twice per axis) and trilinearly interpolated at every point, then added
    scaled by ``magnitude``. Coarse lattices bend whole walls; fine ones wrinkle surfaces.
    """

    def __init__(self, distortion_params: Sequence[Sequence[float]] | None = None, p: float = 0.95):
        self.distortion_params = (
            [[0.2, 0.4], [0.8, 1.6]] if distortion_params is None else [list(d) for d in distortion_params]
        )
        self.p = p

    @staticmethod
    def distort(
        coord: np.ndarray, granularity: float, magnitude: float, rng: np.random.Generator
    ) -> np.ndarray:
        coord = coord.astype(np.float64)
        lo = coord.min(axis=0)
        # lattice node k sits at lo + (k - 1) * granularity: one node of margin below and above the cloud
        shape = ((coord.max(axis=0) - lo) // granularity).astype(int) + 3
        noise = rng.standard_normal((*shape, 3)).astype(np.float32)
        for _ in range(2):
            for axis in range(3):
                noise = ndimage.uniform_filter1d(noise, size=3, axis=axis, mode="constant", cval=0.0)
        position = ((coord - lo) / granularity + 1.0).T  # fractional lattice index, (3, N)
        offset = np.stack(
            [ndimage.map_coordinates(noise[..., c], position, order=1, mode="nearest") for c in range(3)],
            axis=1,
        )
        return coord + offset * magnitude

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if not self.distortion_params or rng.random() >= self.p:
            return data
        coord = data["coord"]
        out = coord
        for granularity, magnitude in self.distortion_params:
            out = self.distort(out, granularity, magnitude, rng)
        data["coord"] = out.astype(coord.dtype)
        return data


@TRANSFORMS.register_module()
class NormalizeCoord(Transform):
    """Centre on the centroid and scale into the unit sphere (object-level data such as ModelNet)."""

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        coord = data["coord"]
        centred = coord - coord.mean(axis=0, dtype=np.float64)
        radius = np.sqrt((centred**2).sum(axis=1)).max()
        data["coord"] = (centred / radius if radius > 0 else centred).astype(coord.dtype)
        return data


@TRANSFORMS.register_module()
class RandomDropout(Transform):
    """With probability ``dropout_application_ratio``, drop ``dropout_ratio`` of the points at random.

    Kept points stay in their original order; all per-point keys are indexed together.
    """

    def __init__(self, dropout_ratio: float = 0.2, dropout_application_ratio: float = 0.5):
        self.dropout_ratio = dropout_ratio
        self.dropout_application_ratio = dropout_application_ratio

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:
        if rng.random() >= self.dropout_application_ratio:
            return data
        n = len(data["coord"])
        idx = np.sort(rng.choice(n, int(n * (1 - self.dropout_ratio)), replace=False))
        return index_operator(data, keep_sampled_index(data, idx))
