"""S3DIS in the Pointcept layout: ``<data_root>/Area_N/<room>/``, Area_5 held out for validation."""

from __future__ import annotations

from typing import Sequence

from .builder import DATASETS
from .defaults import DefaultDataset
from .meta.s3dis import S3DIS_CLASS_NAMES, S3DIS_TRAIN_AREAS, S3DIS_VAL_AREAS

__all__ = ["S3DIS_CLASS_NAMES", "S3DIS_TRAIN_AREAS", "S3DIS_VAL_AREAS", "S3DISDataset"]


@DATASETS.register_module()
class S3DISDataset(DefaultDataset):
    """``split`` accepts area names, or "train"/"val" for the standard Area_5 protocol."""

    CLASS_NAMES = S3DIS_CLASS_NAMES

    def split_names(self) -> list[str]:
        aliases = {"train": S3DIS_TRAIN_AREAS, "val": S3DIS_VAL_AREAS, "test": S3DIS_VAL_AREAS}
        splits: Sequence[str] = [self.split] if isinstance(self.split, str) else self.split
        names: list[str] = []
        for split in splits:
            names += list(aliases.get(split, (split,)))
        return names
