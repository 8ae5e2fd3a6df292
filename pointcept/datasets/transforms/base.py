"""The transform contract: small ``(data, rng) -> data`` callables, registered and ordered by the config.

``data`` is a dict of numpy arrays (or tensors after ``ToTensor``). Per-point arrays are listed in
``data["index_valid_keys"]``; :func:`index_operator` applies one point index to all of them, so a crop or
a voxel sampling can never put ``coord`` and ``segment`` out of step. Randomness comes only from the
``np.random.Generator`` passed in, so a dataset that seeds it per sample is reproducible in any worker.
"""

from __future__ import annotations

import inspect
from typing import Any, Callable, Sequence

import numpy as np

from pointcept.utils.registry import Registry

TRANSFORMS = Registry("transforms")

#: keys treated as per-point when a dataset did not list them itself
DEFAULT_POINT_KEYS = (
    "coord",
    "color",
    "normal",
    "strength",
    "segment",
    "instance",
    "superpoint",
    "grid_coord",
    "origin_index",
)


class Transform:
    """Base class of registered transforms; subclasses implement ``__call__(data, rng)``."""

    def __call__(self, data: dict, rng: np.random.Generator) -> dict:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


def point_keys(data: dict) -> list[str]:
    """Names of the per-point arrays in ``data``."""
    if "index_valid_keys" in data:
        return [k for k in data["index_valid_keys"] if k in data]
    return [k for k in DEFAULT_POINT_KEYS if k in data]


def add_point_key(data: dict, key: str) -> None:
    """Declare ``key`` per-point, so that later crops and samplings index it too."""
    keys = data.setdefault("index_valid_keys", [k for k in DEFAULT_POINT_KEYS if k in data])
    if key not in keys:
        keys.append(key)


def num_points(data: dict) -> int:
    return len(data["coord"])


def index_operator(data: dict, index: np.ndarray, duplicate: bool = False) -> dict:
    """Apply ``index`` to every per-point array; ``duplicate=True`` returns a new dict and keeps ``data``."""
    out = dict(data) if duplicate else data
    for key in point_keys(data):
        out[key] = data[key][index]
    if duplicate and "index_valid_keys" in data:
        out["index_valid_keys"] = list(data["index_valid_keys"])
    return out


def _wants_rng(transform: Callable) -> bool:
    """Pointcept-style user transforms take only ``data``; ours also take ``rng``."""
    try:
        params = inspect.signature(transform).parameters
    except (TypeError, ValueError):
        return True
    return len(params) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params.values())


class Compose:
    """Build a list of transform configs and apply them in order with one generator."""

    def __init__(self, cfg: Sequence[dict | Callable] | None = None):
        self.transforms = [TRANSFORMS.build(c) if isinstance(c, dict) else c for c in (cfg or [])]
        self._wants_rng = [_wants_rng(t) for t in self.transforms]

    def __call__(self, data: dict, rng: np.random.Generator | None = None) -> dict:
        rng = rng if rng is not None else np.random.default_rng()
        for transform, wants_rng in zip(self.transforms, self._wants_rng):
            data = transform(data, rng) if wants_rng else transform(data)
        return data

    def __len__(self) -> int:
        return len(self.transforms)

    def __repr__(self) -> str:
        return "Compose(\n  " + ",\n  ".join(repr(t) for t in self.transforms) + "\n)"


def build_transform(cfg: dict[str, Any]) -> Any:
    return TRANSFORMS.build(cfg)
