"""Reading a torch file safely: ``torch.load(weights_only=True)`` with errors that name the file.

Why here (below datasets, models and engines): a checkpoint (``weight=``, resume) and a limited-annotation
file (``la_file``, read by the datasets) come from wherever users got them, and a full unpickle of a
crafted file runs arbitrary code. Every layer that reads such a file uses :func:`safe_torch_load`; only
numpy's array/scalar reconstruction is allowed on top of tensors and plain types, scoped to the load
(Pointcept's files hold numpy scalars and arrays).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

__all__ = ["CheckpointLoadError", "safe_torch_load"]


class CheckpointLoadError(RuntimeError):
    """A checkpoint or data file that cannot be read safely: empty, truncated, or needing code to load."""


def _numpy_safe_globals() -> list:
    """numpy's array and scalar reconstruction, under numpy 2's and numpy 1's module names.

    Why: Pointcept's files (limited-annotation dicts of arrays, checkpoints with an ``np.float64`` best
    metric) and our checkpoints from before RNG states were tensors pickle numpy objects. These globals
    only rebuild arrays, dtypes and scalars; their contents go through the same restricted unpickler.
    """
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy < 2
        from numpy.core import multiarray  # type: ignore[no-redef]
    # np.dtype and its per-type classes (numpy >= 1.25 builds dtypes as numpy.dtypes.Int64DType ...)
    dtype_classes = {np.dtype} | {type(np.dtype(code)) for code in np.typecodes["All"]}
    allowed: list = [np.ndarray, *sorted(dtype_classes, key=lambda c: c.__name__)]
    for module in ("numpy._core.multiarray", "numpy.core.multiarray"):
        allowed += [(multiarray._reconstruct, f"{module}._reconstruct"), (multiarray.scalar, f"{module}.scalar")]
    return allowed


def _refusal_reason(text: str) -> str:
    """The line of torch's weights-only error that says what was refused (it wraps it in advice)."""
    text = text.split("WeightsUnpickler error:", 1)[-1]
    boilerplate = ("Weights only load failed", "Check the documentation", "Please file an issue", "(1)", "(2)")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return next((line for line in lines if not line.startswith(boilerplate)), lines[0] if lines else "")


def safe_torch_load(path: str | os.PathLike, what: str = "checkpoint", allow_numpy: bool = True) -> Any:
    """``torch.load(path, weights_only=True)`` on the CPU, with errors that name the file.

    Why: ``weight=``, resume checkpoints and ``la_file`` come from wherever users got them, and a full
    unpickle of a crafted file runs arbitrary code. Only tensors, plain Python types and (``allow_numpy``)
    numpy arrays/scalars are rebuilt, the numpy allow-list scoped to this call. An empty, truncated or
    refused file raises :class:`CheckpointLoadError`; a missing one ``FileNotFoundError``.
    """
    path = os.fspath(path)
    if os.path.isdir(path):
        raise CheckpointLoadError(f"{what} {path} is a directory: expected a checkpoint file written by "
                                  "torch.save (e.g. <save_path>/model/model_last.pth)")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{what} not found: {path}")
    size = os.path.getsize(path)
    if size == 0:
        raise CheckpointLoadError(f"{what} {path} is empty (0 bytes): an interrupted copy or save? "
                                  "Expected a file written by torch.save")
    try:
        with torch.serialization.safe_globals(_numpy_safe_globals() if allow_numpy else []):
            return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - every failure becomes one message naming the file
        text = str(error)
        if "Weights only load failed" in text:
            reason = _refusal_reason(text)
            raise CheckpointLoadError(
                f"{what} {path} was refused, nothing in it was run: it needs a Python object that a "
                f"weights-only load does not rebuild ({reason}). Expected only tensors, plain Python types "
                "and numpy arrays; re-save a trusted file's tensors with torch.save"
            ) from None
        first = (text.splitlines()[0] if text else "").split(". ")[0]  # torch's advice follows the first sentence
        raise CheckpointLoadError(
            f"{what} {path} ({size} bytes) cannot be read: {type(error).__name__}: {first}. "
            "Expected a complete torch.save file; is it truncated (an interrupted save or copy)?"
        ) from error
