# PointGroup (PG-v1m1) on SparseUNet34C for S3DIS instance segmentation (Area 5 held out), the paper's recipe
# (Table 5d/5e): SGD lr 0.1, momentum 0.9, weight decay 1e-4, poly schedule, batch 12, 3000 epochs, voxel
# 0.05 m. Every S3DIS class has instances (walls, floors, ceilings are annotated objects), so all 13 are
# grouped and evaluated, as in Pointcept. The radius scales with the voxel: 1.5 voxels = 7.5 cm.
from pointcept.datasets.pipelines_instance import insseg_data as _insseg_data
from pointcept.datasets.s3dis import S3DIS_CLASS_NAMES as _NAMES

_base_ = ["../_base_/insseg_runtime.py"]
_STUFF = (-1,)  # only ignored points

batch_size = 12
epoch = 3000
eval_epoch = 100
num_worker = 12
enable_amp = True

data = dict(
    num_classes=13,
    ignore_index=-1,
    names=list(_NAMES),
    **_insseg_data("S3DISDataset", "data/s3dis", grid_size=0.05, segment_ignore_index=_STUFF),
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
    semantic_num_classes=13,
    segment_ignore_index=_STUFF,
    cluster_radius=0.075,
    cluster_min_points=100,
)
optimizer = dict(type="SGD", lr=0.1, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="PolyLR")
