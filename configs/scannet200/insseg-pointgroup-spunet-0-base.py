# PointGroup (PG-v1m1) on SparseUNet34C for ScanNet200 instance segmentation, the paper's recipe (Table
# 5d/5e):
# SGD lr 0.1, momentum 0.9, weight decay 1e-4, poly schedule, batch 48, 800 epochs, voxel 0.02 m.
# Wall (0) and floor (2) have no instances; AP is scored on the other 198 classes.
from pointcept.datasets.meta.scannet import CLASS_NAMES_200 as _NAMES
from pointcept.datasets.pipelines_instance import insseg_data as _insseg_data

_base_ = ["../_base_/insseg_runtime.py"]
_STUFF = (-1, 0, 2)  # ignored points, wall, floor

batch_size = 48
epoch = 800
eval_epoch = 100
num_worker = 16
enable_amp = True

data = dict(
    num_classes=200,
    ignore_index=-1,
    names=list(_NAMES),
    **_insseg_data("ScanNet200Dataset", "data/scannet", grid_size=0.02, segment_ignore_index=_STUFF),
)
model = dict(
    type="PG-v1m1",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=0,
        channels=(32, 64, 128, 256, 256, 128, 96, 96),
        layers=(2, 3, 4, 6, 2, 2, 2, 2),
    ),
    backbone_out_channels=96,
    semantic_num_classes=200,
    segment_ignore_index=_STUFF,
    cluster_radius=0.03,
    cluster_min_points=100,
)
optimizer = dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="PolyLR")
