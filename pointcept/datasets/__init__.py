"""Datasets, transforms and collation. ``build_dataset(cfg)`` builds any registered dataset."""

from .builder import DATASETS, build_dataset
from .defaults import DefaultDataset, SceneDataError

__all__ = ["DATASETS", "build_dataset", "DefaultDataset", "SceneDataError"]
