"""ScanNet benchmark submission files for instance segmentation (the format ``evaluate_semantic_instance.py``
reads), and a reader so that a submission can be re-scored or drawn.

``<out>/<scene>.txt`` lists one prediction per line: ``predicted_masks/<scene>_<k>.txt <label id> <score>``;
each mask file holds one 0/1 per point (mesh vertex), one per line. The label id is the benchmark's raw id
(NYU40 for ScanNet v2, raw category ids for ScanNet200), not the training index.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Sequence

import numpy as np

from pointcept.utils.io import atomic_path, atomic_write_text

MASK_DIR = "predicted_masks"


def _mask_bytes(mask: np.ndarray) -> bytes:
    """'0\\n'/'1\\n' per point, built in one numpy pass (np.savetxt is ~100x slower)."""
    text = np.empty((len(mask), 2), dtype=np.uint8)
    text[:, 0] = ord("0") + mask.astype(np.uint8)
    text[:, 1] = ord("\n")
    return text.tobytes()


def write_scannet_submission(
    out_dir: str | os.PathLike,
    scene: str,
    masks: np.ndarray,
    label_ids: Sequence[int],
    scores: Sequence[float],
) -> Path:
    """Write one scene's predictions; returns the path of ``<scene>.txt``."""
    masks = np.asarray(masks, dtype=bool)
    if masks.ndim != 2 or not len(masks) == len(label_ids) == len(scores):
        raise ValueError(
            f"scene {scene}: {masks.shape} masks, {len(label_ids)} label ids and {len(scores)} scores "
            "do not match"
        )
    if any(ch.isspace() for ch in scene):
        raise ValueError(f"scene name {scene!r} contains whitespace, which the benchmark format cannot hold")
    out_dir = Path(out_dir)
    lines = []
    for k, (mask, label, score) in enumerate(zip(masks, label_ids, scores)):
        relative = f"{MASK_DIR}/{scene}_{k:03d}.txt"
        with atomic_path(out_dir / relative) as tmp:
            tmp.write_bytes(_mask_bytes(mask))
        lines.append(f"{relative} {int(label)} {float(score):.6f}")
    path = out_dir / f"{scene}.txt"
    atomic_write_text(path, "\n".join(lines) + ("\n" if lines else ""))
    return path


def read_scannet_submission(
    out_dir: str | os.PathLike, scene: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(masks (M, N) bool, label_ids (M,), scores (M,))`` of one scene of a submission folder."""
    out_dir = Path(out_dir)
    index = out_dir / f"{scene}.txt"
    if not index.is_file():
        raise FileNotFoundError(f"{index}: no predictions for scene {scene}")
    masks, labels, scores = [], [], []
    for number, line in enumerate(index.read_text().splitlines(), 1):
        parts = line.split()
        if len(parts) != 3:
            raise ValueError(f"{index}:{number}: expected '<mask file> <label id> <score>', got {line!r}")
        masks.append(np.loadtxt(out_dir / parts[0], dtype=np.int64).reshape(-1) != 0)
        labels.append(int(float(parts[1])))
        scores.append(float(parts[2]))
    lengths = {len(m) for m in masks}
    if len(lengths) > 1:
        raise ValueError(f"{index}: mask files of different lengths {sorted(lengths)}")
    stacked = np.stack(masks) if masks else np.zeros((0, 0), dtype=bool)
    return stacked, np.array(labels, dtype=np.int64), np.array(scores, dtype=np.float64)


__all__ = ["write_scannet_submission", "read_scannet_submission", "MASK_DIR"]
