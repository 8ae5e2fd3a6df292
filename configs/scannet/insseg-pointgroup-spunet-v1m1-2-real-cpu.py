# PointGroup on the real ScanNet sample (../shared/data/scannet-real, 10 train / 3 val scans, normals
# estimated on load) with the full SparseUNet34C, sized for a bounded CPU run like
# semseg-spunet-v1m1-2-real-cpu.py: voxel 0.05 m (grouping radius 2 voxels), batch 2, BN momentum 0.1,
# one loader worker. Run from the repo root:
#   OMP_NUM_THREADS=1 python tools/train.py \
#       --config-file configs/scannet/insseg-pointgroup-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/scannet/insseg-real-cpu
# From GroupContrast weights: add weight=<pretrain>/model/model_last.pth
#   "weight_mapping=[('student.backbone.','backbone.')]" weight_keep_unmapped=False
_base_ = [
    "../_base_/insseg_runtime.py",
    "../_base_/datasets/scannet.py",
    "../_base_/pipelines/instance.py",
    "../_base_/models/pointgroup.py",
]
_overlay_ = ["../_base_/datasets/scannet_real.py", "../_base_/schedules/cpu-budget.py"]

epoch = 20  # 100 steps: ~20 min on one shared core
eval_epoch = 2

_backbone = dict(bn_momentum=0.1)
model = dict(cluster_radius=0.1, cluster_min_points=20, bn_momentum=0.1)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_ratio=0.1)
