"""The Masked Scene Contrast / PointContrast / CSC pretraining pipeline as a config fragment.

It is GroupContrast's two-view pipeline (same view augmentations, voxelisation, crop and generator, so
methods compare on identical views) without segments, which these methods do not use, plus the per-view
``color`` and ``normal`` arrays as reconstruction targets of the masked points (``collect_targets``).
"""

from __future__ import annotations

from typing import Sequence

from .pipelines_pretrain import groupcontrast_pretrain_pipeline


def msc_pretrain_pipeline(
    grid_size: float = 0.02,
    crop_ratio: float | Sequence[float] | None = 0.6,
    match_radius: float = 0.03,
    feat_keys: Sequence[str] = ("color", "normal"),
    collect_targets: bool = True,
    color_aug: bool = True,
    color_noise_std: float = 0.05,
) -> list[dict]:
    """Transform list of the matched-point methods; ``collect_targets`` adds ``view*_color``/``view*_normal``."""
    pipeline = groupcontrast_pretrain_pipeline(
        grid_size=grid_size, crop_ratio=crop_ratio, match_radius=match_radius, feat_keys=feat_keys,
        segment_key=None, color_aug=color_aug, color_noise_std=color_noise_std,
    )
    if collect_targets:
        collect = pipeline[-1]
        if collect.get("type") != "Collect":
            raise RuntimeError("msc_pretrain_pipeline: expected the GroupContrast pipeline to end with Collect")
        targets = [f"view{v}_{k}" for v in (1, 2) for k in ("color", "normal") if k in feat_keys]
        collect["keys"] = tuple(collect["keys"]) + tuple(targets)
    return pipeline


__all__ = ["msc_pretrain_pipeline"]
