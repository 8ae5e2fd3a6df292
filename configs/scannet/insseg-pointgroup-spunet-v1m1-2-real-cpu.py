# PointGroup on the real ScanNet sample (../shared/data/scannet-real, 10 train / 3 val scans, normals
# estimated on load) with the full SparseUNet34C, sized for a bounded CPU run like
# semseg-spunet-v1m1-2-real-cpu.py: voxel 0.05 m (grouping radius 2 voxels), batch 2, BN momentum 0.1,
# one loader worker. Run from the repo root:
#   OMP_NUM_THREADS=1 python tools/train.py \
#       --config-file configs/scannet/insseg-pointgroup-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/scannet/insseg-real-cpu
# From GroupContrast weights: add weight=<pretrain>/model/model_last.pth
#   "weight_mapping=[('student.backbone.','backbone.')]" weight_keep_unmapped=False
from pointcept.datasets.meta.scannet import CLASS_NAMES_20 as _NAMES
from pointcept.datasets.pipelines_instance import insseg_data as _insseg_data

_base_ = ["../_base_/insseg_runtime.py"]
_STUFF = (-1, 0, 1)  # ignored points, wall, floor

batch_size = 2
num_worker = 1
epoch = 20  # 100 steps: ~20 min on one shared core
eval_epoch = 2
seed = 0

data = dict(
    num_classes=20,
    ignore_index=-1,
    names=list(_NAMES),
    **_insseg_data(
        "ScanNetDataset",
        "../shared/data/scannet-real",
        grid_size=0.05,
        segment_ignore_index=_STUFF,
        dataset_args=dict(estimate_normals=True, cache=True),
    ),
)
model = dict(
    type="PG-v1m1",
    backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=0, bn_momentum=0.1),
    semantic_num_classes=20,
    segment_ignore_index=_STUFF,
    cluster_radius=0.1,
    cluster_min_points=20,
    bn_momentum=0.1,
)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_ratio=0.1)
