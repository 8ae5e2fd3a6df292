# PointGroup instance segmentation on the demo rooms with the slim SpUNet-v1m1 of the demo semseg config (half
# width, one block per stage), sized to take about a minute on a 2-core CPU. Floor and wall are stuff;
# AP is scored on the 7 furniture classes. Voxel 0.05 m, so the grouping radius is 2 voxels (10 cm).
from pointcept.datasets.demo import DEMO_CLASS_NAMES as _NAMES
from pointcept.datasets.pipelines_instance import insseg_data as _insseg_data

_base_ = ["../_base_/insseg_runtime.py"]
_STUFF = (-1, 0, 1)  # ignored points, floor, wall

save_path = "exp/demo/insseg-pointgroup-spunet-v1m1-0-base"
batch_size = 4
num_worker = 1
epoch = 6  # 36 steps: the demo's two PointGroup stages together cost about one semseg stage
eval_epoch = 1
seed = 0

data = dict(
    num_classes=9,
    ignore_index=-1,
    names=list(_NAMES),
    **_insseg_data("DemoDataset", "data/demo", grid_size=0.05, segment_ignore_index=_STUFF, point_max=40000),
)
model = dict(
    type="PG-v1m1",
    backbone=dict(
        type="SpUNet-v1m1",
        in_channels=6,
        num_classes=0,
        channels=(16, 32, 64, 128, 128, 64, 48, 48),
        layers=(1, 1, 1, 1, 1, 1, 1, 1),
        bn_momentum=0.1,  # a short schedule: running statistics must converge within ~100 steps
    ),
    semantic_num_classes=9,
    segment_ignore_index=_STUFF,
    cluster_radius=0.1,
    cluster_min_points=15,
    bn_momentum=0.1,
)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_ratio=0.1)
