"""The GroupContrast pretraining pipeline as a config fragment (a list of transform dicts).

Each view gets the paper's view augmentations (its Table 4): a full z rotation with small x/y tilts, flip,
scale, coordinate jitter, colour jitter (torchvision-style brightness/contrast/saturation/hue) plus
per-point Gaussian colour noise, then voxelisation and a random crop, so two views of one room overlap
only partly. Values follow Pointcept's MSC pretraining config, which GroupContrast builds on.
"""

from __future__ import annotations

from typing import Sequence

DEFAULT_VIEW_KEYS = ("coord", "color", "normal", "origin_coord")


def groupcontrast_view_transforms(
    grid_size: float = 0.02,
    crop_ratio: float | Sequence[float] | None = 0.6,
    color_aug: bool = True,
    color_noise_std: float = 0.05,
) -> list[dict]:
    """The transforms applied to each view independently (``crop_ratio=None`` disables the crop)."""
    transforms = [
        dict(type="RandomRotate", angle=[-1, 1], axis="z", center=[0, 0, 0], p=1),
        dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="x", p=1),
        dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="y", p=1),
        dict(type="RandomFlip", p=0.5),
        dict(type="RandomScale", scale=[0.9, 1.1]),
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
) -> list[dict]:
    """Full pretraining transform list: shared centring, two views, tensors and ``Collect``.

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
    return [
        dict(type="CenterShift", apply_z=True),
        dict(type="Copy", keys_dict={"coord": "origin_coord"}),
        dict(
            type="ContrastiveViewsGenerator",
            view_keys=tuple(view_keys),
            view_trans_cfg=groupcontrast_view_transforms(grid_size, crop_ratio, color_aug, color_noise_std),
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
