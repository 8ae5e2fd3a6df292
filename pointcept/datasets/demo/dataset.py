"""The registered ``DemoDataset``: rooms written by the writer, read through the ``DefaultDataset`` path."""

from __future__ import annotations

from ..builder import DATASETS
from ..defaults import DefaultDataset
from ..meta.demo import DEMO_CLASS_NAMES


@DATASETS.register_module()
class DemoDataset(DefaultDataset):
    """Rooms written by :func:`write_demo_dataset`; also loads ``superpoint.npy`` for GroupContrast."""

    ASSETS = {**DefaultDataset.ASSETS, "superpoint": "superpoint"}
    CLASS_NAMES = DEMO_CLASS_NAMES
