"""Detection pipelines (transform lists for code; the configs' data copy is ``configs/_base_/pipelines/
detection.py``, kept equal by ``tests/test_configs_are_data.py``): box-aware augmentation, voxelisation,
collection with box counts.

Nothing here translates or crops the cloud: boxes are in the points' frame and only the box-aware
transforms of :mod:`.transforms.detection` move them. ``GridSample`` keeps one real point per voxel, so
seeds, votes and boxes live in the original coordinates, and ``inverse`` (val/test) maps every original
point to its voxel point. ``Collect`` records each sample's box count as ``gt_boxes_offset`` (collated into
cumulative offsets like ``offset``), which is how the model splits the concatenated boxes per sample.
"""

from __future__ import annotations

from typing import Sequence

KEYS = ("coord", "grid_coord", "gt_boxes", "gt_classes")
VOTE_KEYS = ("point_votes", "point_votes_mask")
OFFSET_KEYS = dict(offset="coord", gt_boxes_offset="gt_boxes")


def detection_augmentations(
    flip_axes: Sequence[str] = ("x",), rotate: float = 1 / 6, scale: Sequence[float] = (0.85, 1.15),
    axis_aligned: bool = False,
) -> list[dict]:
    """VoteNet's augmentations: SUN RGB-D flips x, rotates +-30 deg and scales 0.85-1.15; ScanNet flips x and
    y, rotates +-5 deg (``rotate=1/36``) keeping boxes axis-aligned."""
    return [
        dict(type="DetectionRandomFlip", p=0.5, axes=tuple(flip_axes)),
        dict(type="DetectionRandomRotate", angle=(-rotate, rotate), axis_aligned=axis_aligned, p=1.0),
        dict(type="DetectionRandomScale", scale=tuple(scale)),
    ]


def _collect(feat_keys: Sequence[str], votes: bool, extra: Sequence[str] = ()) -> dict:
    keys = KEYS + (VOTE_KEYS if votes else ()) + tuple(extra)
    return dict(type="Collect", keys=keys, offset_keys_dict=dict(OFFSET_KEYS), feat_keys=tuple(feat_keys))


def detection_train_pipeline(
    grid_size: float = 0.02, feat_keys: Sequence[str] = ("color", "normal"), votes: bool = False, **augment
) -> list[dict]:
    """Augment (boxes follow), jitter colours, voxelise, collect; ``votes`` keeps SUN RGB-D's stored votes."""
    return [
        *detection_augmentations(**augment),
        dict(type="ChromaticAutoContrast", p=0.2, blend_factor=None),
        dict(type="ChromaticTranslation", p=0.95, ratio=0.05),
        dict(type="ChromaticJitter", p=0.95, std=0.05),
        dict(type="GridSample", grid_size=grid_size, hash_type="fnv", mode="train", return_grid_coord=True),
        dict(type="NormalizeColor"),
        dict(type="ShufflePoint"),
        dict(type="ToTensor"),
        _collect(feat_keys, votes),
    ]


def detection_val_pipeline(grid_size: float = 0.02, feat_keys: Sequence[str] = ("color", "normal")) -> list[dict]:
    """Voxelise once (the inverse map kept), no augmentation; the scene's name comes along for reports."""
    return [
        dict(type="GridSample", grid_size=grid_size, hash_type="fnv", mode="train", return_grid_coord=True,
             return_inverse=True),
        dict(type="NormalizeColor"),
        dict(type="ToTensor"),
        _collect(feat_keys, votes=False, extra=("inverse", "name")),
    ]


def detection_data(
    dataset_type: str,
    data_root: str,
    grid_size: float,
    feat_keys: Sequence[str] = ("color", "normal"),
    train_split: str = "train",
    val_split: str = "val",
    test_split: str = "val",
    votes: bool = False,
    dataset_args: dict | None = None,
    augment: dict | None = None,
) -> dict:
    """``data.train/val/test`` of a detection config; testing uses the validation pipeline on whole scenes."""
    extra = dict(dataset_args or {})
    val = dict(type=dataset_type, split=val_split, data_root=data_root,
               transform=detection_val_pipeline(grid_size, feat_keys), **extra)
    return dict(
        train=dict(type=dataset_type, split=train_split, data_root=data_root,
                   transform=detection_train_pipeline(grid_size, feat_keys, votes, **dict(augment or {})), **extra),
        val=val,
        test={**val, "split": test_split},
    )
