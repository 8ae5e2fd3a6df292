"""ScanNet v2 (20 classes) and ScanNet200 in the Pointcept layout: only the label file differs."""

from __future__ import annotations

from .builder import DATASETS
from .defaults import DefaultDataset
from .meta.scannet import CLASS_NAMES_20, CLASS_NAMES_200, VALID_CLASS_IDS_20, VALID_CLASS_IDS_200


@DATASETS.register_module()
class ScanNetDataset(DefaultDataset):
    """``segment20.npy`` (labels 0..19, -1 ignore) feeds ``segment``."""

    ASSETS = {**DefaultDataset.ASSETS, "segment": "segment20"}
    CLASS_NAMES = CLASS_NAMES_20
    VALID_CLASS_IDS = VALID_CLASS_IDS_20


@DATASETS.register_module()
class ScanNet200Dataset(DefaultDataset):
    """``segment200.npy`` (labels 0..199, -1 ignore) feeds ``segment``."""

    ASSETS = {**DefaultDataset.ASSETS, "segment": "segment200"}
    CLASS_NAMES = CLASS_NAMES_200
    VALID_CLASS_IDS = VALID_CLASS_IDS_200
