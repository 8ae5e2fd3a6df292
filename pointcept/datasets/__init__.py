"""Datasets, transforms and collation. ``build_dataset(cfg)`` builds any registered dataset."""

from .builder import DATASETS, build_dataset, build_split_dataset
from .collate import collate_fn, point_collate_fn
from .defaults import DefaultDataset, SceneDataError
from .demo import DemoDataset
from .detection import ScanNetDetectionDataset, SUNRGBDDataset
from .detection_demo import DemoDetectionDataset
from .s3dis import S3DISDataset
from .scannet import ScanNet200Dataset, ScanNetDataset

__all__ = [
    "DATASETS", "build_dataset", "build_split_dataset", "collate_fn", "point_collate_fn", "DefaultDataset", "SceneDataError",
    "DemoDataset", "ScanNetDetectionDataset", "SUNRGBDDataset", "S3DISDataset", "ScanNetDataset",
    "ScanNet200Dataset", "DemoDetectionDataset",
]
