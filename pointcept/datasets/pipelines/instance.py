"""Instance-segmentation pipelines: the semantic-segmentation ones plus instance targets.

Training and validation reuse :mod:`.semseg` and add :class:`InstanceParser` just before ``ToTensor``
(after every augmentation and sampling). Validation and testing voxelise once and keep the original
labels (``origin_segment``/``origin_instance``) and ``inverse``, so proposals found on voxels are scored
on every original point. Testing yields one fragment per scene: grouping needs the whole scene at once.
The configs' data copy is ``configs/_base_/pipelines/instance.py`` (kept equal by
``tests/test_configs_are_data.py``).
"""

from __future__ import annotations

from typing import Sequence

from .semseg import scene_data, semseg_train_pipeline, semseg_val_pipeline

TRAIN_KEYS = ("coord", "grid_coord", "segment", "instance", "instance_centroid")
VAL_KEYS = TRAIN_KEYS + ("origin_segment", "origin_instance", "inverse", "name")


def _insert_parser(pipeline: list[dict], segment_ignore_index: Sequence[int]) -> list[dict]:
    at = next(i for i, t in enumerate(pipeline) if t["type"] == "ToTensor")
    parser = dict(
        type="InstanceParser", segment_ignore_index=tuple(segment_ignore_index), instance_ignore_index=-1
    )
    return pipeline[:at] + [parser] + pipeline[at:]


def insseg_train_pipeline(
    grid_size: float = 0.02,
    feat_keys: Sequence[str] = ("color", "normal"),
    point_max: int = 100000,
    segment_ignore_index: Sequence[int] = (-1, 0, 1),
    elastic: bool = True,
) -> list[dict]:
    """The semseg training augmentations, then instance targets of the sampled, augmented cloud."""
    pipeline = semseg_train_pipeline(grid_size, feat_keys, point_max, keys=TRAIN_KEYS, elastic=elastic)
    return _insert_parser(pipeline, segment_ignore_index)


def insseg_val_pipeline(
    grid_size: float = 0.02,
    feat_keys: Sequence[str] = ("color", "normal"),
    segment_ignore_index: Sequence[int] = (-1, 0, 1),
) -> list[dict]:
    """One voxelisation with ``inverse``; original labels kept; losses on the voxels."""
    pipeline = _insert_parser(semseg_val_pipeline(grid_size, feat_keys), segment_ignore_index)
    for transform in pipeline:
        if transform["type"] == "Copy":
            transform["keys_dict"] = {"segment": "origin_segment", "instance": "origin_instance"}
        if transform["type"] == "Collect":
            transform.update(
                keys=VAL_KEYS, offset_keys_dict=dict(offset="coord", origin_offset="origin_segment")
            )
    return pipeline


def insseg_test(grid_size: float = 0.02, feat_keys: Sequence[str] = ("color", "normal")) -> tuple[list, dict]:
    """``(transform, test_cfg)`` of whole-scene testing: the val voxelisation, no test-time fragments."""
    voxelise = [
        t
        for t in insseg_val_pipeline(grid_size, feat_keys)
        if t["type"] not in ("InstanceParser", "ToTensor", "Collect")
    ]
    test_cfg = dict(
        voxelize=None,
        crop=None,
        post_transform=[
            dict(type="ToTensor"),
            dict(type="Collect", keys=("coord", "grid_coord", "index"), feat_keys=tuple(feat_keys)),
        ],
        aug_transform=[[]],
    )
    return voxelise, test_cfg


def insseg_data(
    dataset_type: str,
    data_root: str,
    grid_size: float,
    segment_ignore_index: Sequence[int],
    feat_keys: Sequence[str] = ("color", "normal"),
    train_split="train", val_split="val", test_split="val",
    point_max: int = 100000,
    dataset_args: dict | None = None,
    elastic: bool = True,
) -> dict:
    """``data.train/val/test`` of an instance-segmentation config."""
    test_transform, test_cfg = insseg_test(grid_size, feat_keys)
    transforms = (insseg_train_pipeline(grid_size, feat_keys, point_max, segment_ignore_index, elastic),
                  insseg_val_pipeline(grid_size, feat_keys, segment_ignore_index), test_transform)
    return scene_data(dataset_type, data_root, (train_split, val_split, test_split), transforms, test_cfg,
                      dataset_args)


__all__ = ["insseg_train_pipeline", "insseg_val_pipeline", "insseg_test", "insseg_data"]
