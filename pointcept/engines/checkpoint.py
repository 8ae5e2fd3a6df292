"""Trainer checkpoints: atomic saving and cleaning up after an interrupted save.

Loading moved below the engines, so the datasets and the pictures load files without importing the
trainer: the safe file read to :mod:`pointcept.utils.checkpoint_io` (:func:`safe_torch_load`), weight
loading, key remapping and the load report to :mod:`pointcept.models.weights` (:func:`load_weights`,
:func:`load_backbone_weights`, :func:`detect_backbone_prefix` ...), the RNG state helpers to
:mod:`pointcept.utils.seed`. They are re-exported here, so ``from pointcept.engines.checkpoint import
load_weights`` keeps working.
"""

from __future__ import annotations

import os
import re
from typing import Any, Callable

from pointcept.models.weights import (  # noqa: F401  (re-exported: the old import path)
    PREFIX_PREFERENCE,
    TASK_HEAD_PREFIXES,
    BackboneLoadError,
    LoadReport,
    detect_backbone_prefix,
    extract_state_dict,
    load_backbone_weights,
    load_weights,
    read_state_dict,
    remap_state_dict,
    unwrap_model,
)
from pointcept.utils.checkpoint_io import CheckpointLoadError, safe_torch_load  # noqa: F401  (re-exported)
from pointcept.utils.io import atomic_torch_save
from pointcept.utils.seed import rng_state, set_rng_state  # noqa: F401  (re-exported)

__all__ = [
    "CHECKPOINT_TMP_PATTERN", "remove_stale_checkpoint_tmp", "save_checkpoint",
    # re-exported from pointcept.models.weights, pointcept.utils.checkpoint_io and pointcept.utils.seed
    "PREFIX_PREFERENCE", "TASK_HEAD_PREFIXES", "BackboneLoadError", "LoadReport", "detect_backbone_prefix",
    "extract_state_dict", "load_backbone_weights", "load_weights", "read_state_dict", "remap_state_dict",
    "unwrap_model", "CheckpointLoadError", "safe_torch_load", "rng_state", "set_rng_state",
]


# Temp files of the saver's atomic writes in <save_path>/model/ (``.model_last.pth.<random>.tmp`` from
# pointcept.utils.io.atomic_path, the same for model_best/epoch_N copies; ``model_last.pth.best.tmp`` from
# older versions). Only these are ever deleted.
CHECKPOINT_TMP_PATTERN = re.compile(
    r"^(\.(model_last|model_best|epoch_\d+)\.pth\.[A-Za-z0-9_]+\.tmp|model_last\.pth\.best\.tmp)$"
)


def remove_stale_checkpoint_tmp(folder: str | os.PathLike, log: Callable[[str], Any] | None = None) -> list[str]:
    """Delete checkpoint temp files a kill during a save left in ``folder``; returns their paths.

    Why: each is as large as a checkpoint and nothing else removes them. Call it at the start of training
    on the main process only (no save is then in flight); files not matching :data:`CHECKPOINT_TMP_PATTERN`
    are never touched.
    """
    folder = os.fspath(folder)
    if not os.path.isdir(folder):
        return []
    stale = sorted(os.path.join(folder, n) for n in os.listdir(folder) if CHECKPOINT_TMP_PATTERN.match(n))
    removed = []
    for path in stale:
        if not os.path.isfile(path) or os.path.islink(path):
            continue
        try:
            os.remove(path)
        except FileNotFoundError:
            continue
        removed.append(path)
    if removed and log is not None:
        log(f"Removed {len(removed)} stale checkpoint temp file(s) left by an interrupted save: "
            f"{', '.join(removed)}")
    return removed


def save_checkpoint(path: str, **content: Any) -> None:
    """Write atomically: a kill mid-write leaves the previous checkpoint intact."""
    atomic_torch_save(content, path)
