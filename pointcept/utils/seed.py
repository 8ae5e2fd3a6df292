"""Seeding every RNG a run touches, and saving/restoring their states (checkpoints, picture hooks).

:func:`rng_state` stores every RNG's state as tensors and plain types, so a checkpoint holding it loads
with ``torch.load(weights_only=True)`` (:func:`pointcept.utils.checkpoint_io.safe_torch_load`).
"""

from __future__ import annotations

import random
from typing import Mapping

import numpy as np
import torch


def set_seed(seed: int, deterministic: bool = False) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    if deterministic:
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False


def rng_state() -> dict:
    """Every RNG's state as tensors and plain types, so checkpoints load with ``weights_only=True``.

    Why: ``np.random.get_state()`` holds a numpy array, which a weights-only load refuses; its key is
    stored as an int64 tensor instead (:func:`set_rng_state` takes both forms).
    """
    name, key, pos, has_gauss, cached = np.random.get_state()
    state = {
        "python": random.getstate(),  # (version, tuple of ints, float | None)
        "numpy": {"name": str(name), "key": torch.from_numpy(np.asarray(key, dtype=np.int64)), "pos": int(pos),
                  "has_gauss": int(has_gauss), "cached_gaussian": float(cached)},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore :func:`rng_state`'s output (or the older form with numpy's own state tuple)."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    numpy_state = state["numpy"]
    if isinstance(numpy_state, Mapping):
        key = np.asarray(numpy_state["key"].numpy() if isinstance(numpy_state["key"], torch.Tensor)
                         else numpy_state["key"], dtype=np.uint32)
        numpy_state = (numpy_state["name"], key, numpy_state["pos"], numpy_state["has_gauss"],
                       numpy_state["cached_gaussian"])
    np.random.set_state(numpy_state)
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
