# Built-in procedural demo rooms (tools/make_demo_data.py writes data/demo); 9 classes; voxel 0.05 m.
# Whole-scene testing uses no test-time augmentation to keep the demo fast.
from pointcept.datasets.demo import DEMO_CLASS_NAMES as _NAMES
from pointcept.datasets.pipelines import semseg_data as _semseg_data

data = dict(
    num_classes=9,
    ignore_index=-1,
    names=list(_NAMES),
    **_semseg_data("DemoDataset", "data/demo", grid_size=0.05, feat_keys=("color", "normal"), point_max=40000,
                   test_augmentations=False),
)
