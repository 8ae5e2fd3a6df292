"""Atomic file writing: a kill never leaves half a file under the final name (torch and numpy savers; the
plain-Python core is :mod:`.atomic`, re-exported here)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

from .atomic import _umask, atomic_path, atomic_write_text  # noqa: F401  (re-exported: the public paths)


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp:
        torch.save(obj, tmp)


def atomic_np_save(path: str | os.PathLike, array: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, array)
