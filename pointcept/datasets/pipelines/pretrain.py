"""The two-view pretraining pipelines (lists of transform dicts): GroupContrast's, MSC's, PointContrast/CSC's.

GroupContrast says its views follow Masked Scene Contrast's pipeline; its Table 4 lists the view
augmentations. What runs is Table 4's augmentations in the order of Pointcept's MSC config
(``configs/scannet/pretrain-msc-v1m1-0-spunet-base.py``), step by step:

scene level, once, before the views are copied (MSC's order):
  1. ``CenterShift(apply_z=True)``            - centre the scene (no augmentation).
  2. ``RandomScale([0.9, 1.1])``              - not a Table 4 row: MSC scales the scene once, so both views
                                               share the scale and ``origin_coord`` (the matching frame) is
                                               the scaled scene; the views differ by no scale at all.
  3. ``Copy(coord -> origin_coord)``          - the frame correspondences are found in.
per view, independently (Table 4 rows):
  4. ``RandomRotate`` z, full turn             - Table 4 "random rotation" (z: [-pi, pi]),
  5. ``RandomRotate`` x and y, +-pi/64         -   with the small tilts about x and y;
  6. ``RandomFlip(p=0.5)``                     - Table 4 "random flip";
  7. ``RandomJitter(0.005, clip 0.02)``        - Table 4 "random jitter" (coordinates);
  8. ``RandomColorJitter(0.4, 0.4, 0.2, 0.02, p=0.8)`` - Table 4 "color jitter" (brightness, contrast,
                                               saturation, hue);
  9. ``GaussianJitter(std 0.05, p=0.95)``      - Table 4 "Gaussian jitter" of the colours (MSC's
                                               ``ChromaticJitter``, the same noise model);
 10. ``GridSample(grid_size)``                 - voxelisation (2 cm in the paper);
 11. ``SphereCrop(sample_rate=0.6, random)``   - Table 4 "random crop": 60 % of the voxels nearest a
                                               random point (MSC's crop), so the views overlap partly;
 12. ``CenterShift(apply_z=False)``, ``NormalizeColor`` - re-centring and colour scaling (no augmentation).

``crop_mode="box"`` keeps the earlier axis-aligned xy box crop as an alternative; ``scene_scale=None``
drops step 2 (no scale augmentation at all).

The Masked Scene Contrast / PointContrast / CSC pipelines are this one with other settings:

* :func:`msc_pretrain_pipeline` - MSC's, in the order of Pointcept's
  ``configs/scannet/pretrain-msc-v1m1-0-spunet-base.py`` (centre, scale the scene once, copy the
  matching frame, then per view: rotations, flip, jitter, colour jitter, chromatic noise, 2 cm voxels,
  ``SphereCrop(0.6)``, re-centre, colour scaling). It is GroupContrast's two-view pipeline without
  segments, so methods compare on identical views, plus the per-view ``color`` / ``normal`` arrays as
  reconstruction targets of the masked points (``collect_targets``).
* :func:`pointcontrast_pretrain_pipeline` - PointContrast's and CSC's (Pointcept's
  ``pretrain-msc-v1m1-1-spunet-pointcontrast`` / ``pretrain-msc-v1m2-0-spunet-csc``): colour-only
  input, 2.5 cm voxels, no scale augmentation, the same rotations / flip / jitter / colour augmentations.
  Deviation: Pointcept feeds them RGB-D frame pairs (``ScanNetPairDataset``), which we do not have; here
  the two views are scene-level views of ``ContrastiveViewsGenerator`` and keep MSC's ``SphereCrop(0.6)``,
  because two whole-scene views would overlap completely, where two frames overlap only partly. (The
  re-centring after the crop is kept too; the sparse backbone reads ``grid_coord``, fixed before it.)

The configs hold the same lists as data (``configs/_base_/pipelines/pretrain.py``);
``tests/test_configs_are_data.py`` checks that the two agree.
"""

from __future__ import annotations

from typing import Sequence

DEFAULT_VIEW_KEYS = ("coord", "color", "normal", "origin_coord")
CROP_MODES = ("sphere", "box")


def scene_transforms(scene_scale: Sequence[float] | None = (0.9, 1.1)) -> list[dict]:
    """Steps 1-3: what happens to the scene once, before ``ContrastiveViewsGenerator`` copies it."""
    transforms = [dict(type="CenterShift", apply_z=True)]
    if scene_scale is not None:
        transforms.append(dict(type="RandomScale", scale=list(scene_scale)))
    transforms.append(dict(type="Copy", keys_dict={"coord": "origin_coord"}))
    return transforms


def groupcontrast_view_transforms(
    grid_size: float = 0.02,
    crop_ratio: float | Sequence[float] | None = 0.6,
    color_aug: bool = True,
    color_noise_std: float = 0.05,
    crop_mode: str = "sphere",
) -> list[dict]:
    """Steps 4-12, applied to each view independently (``crop_ratio=None`` disables the crop)."""
    if crop_mode not in CROP_MODES:
        raise ValueError(f"crop_mode={crop_mode!r}: expected one of {', '.join(CROP_MODES)}")
    transforms = [
        dict(type="RandomRotate", angle=[-1, 1], axis="z", center=[0, 0, 0], p=1),
        dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="x", p=1),
        dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="y", p=1),
        dict(type="RandomFlip", p=0.5),
        dict(type="RandomJitter", sigma=0.005, clip=0.02),
    ]
    if color_aug:
        transforms += [
            dict(type="RandomColorJitter", brightness=0.4, contrast=0.4, saturation=0.2, hue=0.02, p=0.8),
            dict(type="GaussianJitter", std=color_noise_std, p=0.95),
        ]
    transforms.append(
        dict(type="GridSample", grid_size=grid_size, hash_type="fnv", mode="train", return_grid_coord=True)
    )
    if crop_ratio is not None:
        if crop_mode == "sphere":
            if not isinstance(crop_ratio, (int, float)):
                raise ValueError("crop_mode='sphere' takes one crop_ratio (MSC's sample_rate), "
                                 f"got {crop_ratio!r}; a (low, high) range needs crop_mode='box'")
            transforms.append(dict(type="SphereCrop", sample_rate=float(crop_ratio), mode="random"))
        else:
            ratio = crop_ratio if isinstance(crop_ratio, (int, float)) else list(crop_ratio)
            transforms.append(dict(type="RandomCrop", ratio=ratio, axes="xy"))
    transforms += [dict(type="CenterShift", apply_z=False), dict(type="NormalizeColor")]
    return transforms


def groupcontrast_pretrain_pipeline(
    grid_size: float = 0.02,
    crop_ratio: float | Sequence[float] | None = 0.6,
    match_radius: float = 0.03,
    feat_keys: Sequence[str] = ("color", "normal"),
    segment_key: str | None = "superpoint",
    min_segment_points: int = 1,
    cell_size: float | None = None,
    color_aug: bool = True,
    color_noise_std: float = 0.05,
    crop_mode: str = "sphere",
    scene_scale: Sequence[float] | None = (0.9, 1.1),
) -> list[dict]:
    """Full pretraining transform list: scene steps, two views, tensors and ``Collect``.

    ``feat_keys`` name per-view arrays (they are also the view keys besides coord/origin_coord);
    ``segment_key`` is looked up through ``origin_index``, so it needs no view key (``"grid_cell"`` with
    ``cell_size`` groups by cubes instead, the paper's "grid" ablation).
    """
    view_keys = list(dict.fromkeys(["coord", "origin_coord", *feat_keys]))
    per_view = ["coord", "grid_coord", "origin_coord", "origin_index", "overlap"]
    if segment_key is not None:
        per_view.append("segment")
    if cell_size is not None:
        per_view.append("grid_cell")
    keys = [f"view{v}_{k}" for v in (1, 2) for k in per_view] + ["match_index"]
    if segment_key is not None:
        keys.append("num_segments")
    view_transforms = groupcontrast_view_transforms(grid_size, crop_ratio, color_aug, color_noise_std, crop_mode)
    return [
        *scene_transforms(scene_scale),
        dict(
            type="ContrastiveViewsGenerator",
            view_keys=tuple(view_keys),
            view_trans_cfg=view_transforms,
            match_radius=match_radius,
            segment_key=segment_key,
            min_segment_points=min_segment_points,
            cell_size=cell_size,
        ),
        dict(type="ToTensor"),
        dict(
            type="Collect",
            keys=tuple(keys),
            offset_keys_dict=dict(
                view1_offset="view1_coord", view2_offset="view2_coord", match_offset="match_index"
            ),
            view1_feat_keys=tuple(f"view1_{k}" for k in feat_keys),
            view2_feat_keys=tuple(f"view2_{k}" for k in feat_keys),
        ),
    ]


def _add_targets(pipeline: list[dict], feat_keys: Sequence[str]) -> list[dict]:
    collect = pipeline[-1]
    if collect.get("type") != "Collect":
        raise RuntimeError("pretrain pipeline: expected the GroupContrast pipeline to end with Collect")
    targets = [f"view{v}_{k}" for v in (1, 2) for k in ("color", "normal") if k in feat_keys]
    collect["keys"] = tuple(collect["keys"]) + tuple(targets)
    return pipeline


def msc_pretrain_pipeline(
    grid_size: float = 0.02, crop_ratio: float | Sequence[float] | None = 0.6, match_radius: float = 0.03,
    feat_keys: Sequence[str] = ("color", "normal"),
    collect_targets: bool = True,
    color_aug: bool = True, color_noise_std: float = 0.05,
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



__all__ = [
    "scene_transforms", "groupcontrast_view_transforms", "groupcontrast_pretrain_pipeline",
    "msc_pretrain_pipeline", "pointcontrast_pretrain_pipeline",
]
