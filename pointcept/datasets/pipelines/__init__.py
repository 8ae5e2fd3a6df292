"""Transform pipelines as lists of transform dicts, built in code (tests, tools, benchmarks).

One module per task: :mod:`.semseg`, :mod:`.instance`, :mod:`.detection`, :mod:`.pretrain` (GroupContrast,
MSC, PointContrast/CSC). Configs do not import these (configs are data): ``configs/_base_/pipelines/``
holds the same lists, and ``tests/test_configs_are_data.py`` checks that the two agree.
"""

from .detection import (
    detection_augmentations,
    detection_data,
    detection_train_pipeline,
    detection_val_pipeline,
)
from .instance import insseg_data, insseg_test, insseg_train_pipeline, insseg_val_pipeline
from .pretrain import (
    groupcontrast_pretrain_pipeline,
    groupcontrast_view_transforms,
    msc_pretrain_pipeline,
    pointcontrast_pretrain_pipeline,
    scene_transforms,
)
from .semseg import (
    scene_data,
    semseg_data,
    semseg_test_cfg,
    semseg_test_transform,
    semseg_train_pipeline,
    semseg_val_pipeline,
)

__all__ = [
    "semseg_train_pipeline", "semseg_val_pipeline", "semseg_test_transform", "semseg_test_cfg", "semseg_data",
    "scene_data",
    "insseg_train_pipeline", "insseg_val_pipeline", "insseg_test", "insseg_data",
    "detection_augmentations", "detection_train_pipeline", "detection_val_pipeline", "detection_data",
    "scene_transforms", "groupcontrast_view_transforms", "groupcontrast_pretrain_pipeline",
    "msc_pretrain_pipeline", "pointcontrast_pretrain_pipeline",
]
