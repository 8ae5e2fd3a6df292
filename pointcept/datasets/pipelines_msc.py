"""The Masked Scene Contrast / PointContrast / CSC pretraining pipelines as config fragments.

* :func:`msc_pretrain_pipeline` - MSC's, in the order of Pointcept's
  ``configs/scannet/pretrain-msc-v1m1-0-spunet-base.py`` (centre, scale the scene once, copy the
  matching frame, then per view: rotations, flip, jitter, colour jitter, chromatic noise, 2 cm voxels,
  ``SphereCrop(0.6)``, re-centre, colour scaling). It is GroupContrast's two-view pipeline
  (``pipelines_pretrain``) without segments, so methods compare on identical views, plus the per-view
  ``color`` / ``normal`` arrays as reconstruction targets of the masked points (``collect_targets``).
* :func:`pointcontrast_pretrain_pipeline` - PointContrast's and CSC's (Pointcept's
  ``pretrain-msc-v1m1-1-spunet-pointcontrast`` / ``pretrain-msc-v1m2-0-spunet-csc``): colour-only
  input, 2.5 cm voxels, no scale augmentation, the same rotations / flip / jitter / colour augmentations.
  Deviation: Pointcept feeds them RGB-D frame pairs (``ScanNetPairDataset``), which we do not have; here
  the two views are scene-level views of ``ContrastiveViewsGenerator`` and keep MSC's ``SphereCrop(0.6)``,
  because two whole-scene views would overlap completely, where two frames overlap only partly. (The
  re-centring after the crop is kept too; the sparse backbone reads ``grid_coord``, fixed before it.)
"""

from __future__ import annotations

from typing import Sequence

from .pipelines_pretrain import groupcontrast_pretrain_pipeline


def _add_targets(pipeline: list[dict], feat_keys: Sequence[str]) -> list[dict]:
    collect = pipeline[-1]
    if collect.get("type") != "Collect":
        raise RuntimeError("pretrain pipeline: expected the GroupContrast pipeline to end with Collect")
    targets = [f"view{v}_{k}" for v in (1, 2) for k in ("color", "normal") if k in feat_keys]
    collect["keys"] = tuple(collect["keys"]) + tuple(targets)
    return pipeline


def msc_pretrain_pipeline(
    grid_size: float = 0.02,
    crop_ratio: float | Sequence[float] | None = 0.6,
    match_radius: float = 0.03,
    feat_keys: Sequence[str] = ("color", "normal"),
    collect_targets: bool = True,
    color_aug: bool = True,
    color_noise_std: float = 0.05,
) -> list[dict]:
    """Transform list of MSC (Pointcept's MSC config).

    ``collect_targets`` adds ``view*_color`` / ``view*_normal``, the reconstruction targets.
    """
    pipeline = groupcontrast_pretrain_pipeline(
        grid_size=grid_size, crop_ratio=crop_ratio, match_radius=match_radius, feat_keys=feat_keys,
        segment_key=None, color_aug=color_aug, color_noise_std=color_noise_std,
    )
    return _add_targets(pipeline, feat_keys) if collect_targets else pipeline


def pointcontrast_pretrain_pipeline(
    grid_size: float = 0.025,
    crop_ratio: float | None = 0.6,
    match_radius: float = 0.03,
    feat_keys: Sequence[str] = ("color",),
    scene_scale: Sequence[float] | None = None,
    collect_targets: bool = False,
) -> list[dict]:
    """Transform list of PointContrast and CSC: Pointcept's PC/CSC view augmentations on scene-level views.

    Why separate from MSC's: Pointcept's PC/CSC configs use colour-only input, 2.5 cm voxels and no scale
    augmentation; the crop stays (see the module doc), ``crop_ratio=None`` drops it.
    """
    pipeline = groupcontrast_pretrain_pipeline(
        grid_size=grid_size, crop_ratio=crop_ratio, match_radius=match_radius, feat_keys=feat_keys,
        segment_key=None, scene_scale=scene_scale,
    )
    return _add_targets(pipeline, feat_keys) if collect_targets else pipeline


__all__ = ["msc_pretrain_pipeline", "pointcontrast_pretrain_pipeline"]
