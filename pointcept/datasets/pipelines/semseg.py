"""The semantic-segmentation pipelines (lists of transform dicts) for code: tests, tools, benchmarks.

Configs are data and do not call these: ``configs/_base_/pipelines/semseg.py`` holds the same lists with
the voxel size, crop size and test-time augmentations as config variables, and
``tests/test_configs_are_data.py`` checks that every shipped config resolves to what these functions
return for its arguments.
"""

from __future__ import annotations

from typing import Sequence


def semseg_train_pipeline(
    grid_size: float = 0.02,
    feat_keys: Sequence[str] = ("color", "normal"),
    point_max: int = 100000,
    keys: Sequence[str] = ("coord", "grid_coord", "segment"),
    elastic: bool = True,
) -> list[dict]:
    """Pointcept's ScanNet training augmentations, voxelisation and collection."""
    pipeline = [
        dict(type="CenterShift", apply_z=True),
        dict(type="RandomDropout", dropout_ratio=0.2, dropout_application_ratio=0.2),
        dict(type="RandomRotate", angle=[-1, 1], axis="z", center=[0, 0, 0], p=0.5),
        dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="x", p=0.5),
        dict(type="RandomRotate", angle=[-1 / 64, 1 / 64], axis="y", p=0.5),
        dict(type="RandomScale", scale=[0.9, 1.1]),
        dict(type="RandomFlip", p=0.5),
        dict(type="RandomJitter", sigma=0.005, clip=0.02),
    ]
    if elastic:
        pipeline.append(dict(type="ElasticDistortion", distortion_params=[[0.2, 0.4], [0.8, 1.6]]))
    pipeline += [
        dict(type="ChromaticAutoContrast", p=0.2, blend_factor=None),
        dict(type="ChromaticTranslation", p=0.95, ratio=0.05),
        dict(type="ChromaticJitter", p=0.95, std=0.05),
        dict(type="GridSample", grid_size=grid_size, hash_type="fnv", mode="train", return_grid_coord=True),
        dict(type="SphereCrop", point_max=point_max, mode="random"),
        dict(type="CenterShift", apply_z=False),
        dict(type="NormalizeColor"),
        dict(type="ShufflePoint"),
        dict(type="ToTensor"),
        dict(type="Collect", keys=tuple(keys), feat_keys=tuple(feat_keys)),
    ]
    return pipeline


def semseg_val_pipeline(grid_size: float = 0.02, feat_keys: Sequence[str] = ("color", "normal")) -> list[dict]:
    """Voxelise once, keep the original labels and the inverse map so metrics count every point."""
    return [
        dict(type="CenterShift", apply_z=True),
        dict(type="Copy", keys_dict={"segment": "origin_segment"}),
        dict(type="GridSample", grid_size=grid_size, hash_type="fnv", mode="train",
             return_grid_coord=True, return_inverse=True),
        dict(type="CenterShift", apply_z=False),
        dict(type="NormalizeColor"),
        dict(type="ToTensor"),
        dict(type="Collect", keys=("coord", "grid_coord", "segment", "origin_segment", "inverse"),
             feat_keys=tuple(feat_keys)),
    ]


def semseg_test_transform() -> list[dict]:
    return [dict(type="CenterShift", apply_z=True), dict(type="NormalizeColor")]


def semseg_test_cfg(
    grid_size: float = 0.02,
    feat_keys: Sequence[str] = ("color", "normal"),
    rotations: Sequence[float] = (0, 1 / 2, 1, 3 / 2),
    flip: bool = True,
    scales: Sequence[float] = (1.0, 0.95, 1.05),
) -> dict:
    """Whole-scene testing: voxel fragments covering every point, voted over test-time augmentations.

    By default Pointcept's ScanNet protocol (its ``semseg-spunet-v1m1-0-base`` test config): each of the 4
    z rotations at each of the scales 1, 0.95 and 1.05 (12 passes), plus one flip: 13 passes.
    """
    augs = []
    for scale in scales:
        for angle in rotations:
            aug = [dict(type="RandomRotateTargetAngle", angle=[angle], axis="z", center=[0, 0, 0], p=1)]
            if scale != 1.0:
                aug.append(dict(type="RandomScale", scale=[scale, scale]))
            augs.append(aug)
    if flip:
        augs.append([dict(type="RandomFlip", p=1)])
    return dict(
        voxelize=dict(type="GridSample", grid_size=grid_size, hash_type="fnv", mode="test", return_grid_coord=True),
        crop=None,
        post_transform=[
            dict(type="CenterShift", apply_z=False),
            dict(type="ToTensor"),
            dict(type="Collect", keys=("coord", "grid_coord", "index"), feat_keys=tuple(feat_keys)),
        ],
        aug_transform=augs or [[]],
    )


def scene_data(
    dataset_type: str,
    data_root: str,
    splits: tuple[str, str, str],
    transforms: tuple[list[dict], list[dict], list[dict]],
    test_cfg: dict,
    dataset_args: dict | None = None,
) -> dict:
    """``data.train/val/test`` of one segmentation dataset type, ``splits`` and ``transforms`` in that order.

    Why: the semantic- and instance-segmentation blocks differ only by their transforms and test settings.
    """
    extra = dict(dataset_args or {})
    (train, val, test), (train_transform, val_transform, test_transform) = splits, transforms
    return dict(
        train=dict(type=dataset_type, split=train, data_root=data_root, transform=train_transform,
                   test_mode=False, **extra),
        val=dict(type=dataset_type, split=val, data_root=data_root, transform=val_transform, test_mode=False,
                 **extra),
        test=dict(type=dataset_type, split=test, data_root=data_root, transform=test_transform, test_mode=True,
                  test_cfg=test_cfg, **extra),
    )


def semseg_data(
    dataset_type: str,
    data_root: str,
    grid_size: float,
    feat_keys: Sequence[str] = ("color", "normal"),
    train_split="train", val_split="val", test_split="val",
    point_max: int = 100000,
    dataset_args: dict | None = None,
    elastic: bool = True,
    test_augmentations: bool = True,
) -> dict:
    """``data.train/val/test`` of a semantic-segmentation config (class names and counts come from the
    dataset base config)."""
    rotations, flip = ((0, 1 / 2, 1, 3 / 2), True) if test_augmentations else ((), False)
    transforms = (semseg_train_pipeline(grid_size, feat_keys, point_max, elastic=elastic),
                  semseg_val_pipeline(grid_size, feat_keys), semseg_test_transform())
    test_cfg = semseg_test_cfg(grid_size, feat_keys, rotations=rotations, flip=flip)
    return scene_data(dataset_type, data_root, (train_split, val_split, test_split), transforms, test_cfg,
                      dataset_args)
