# SpUNet-v1m1 (full SparseUNet34C) on the real ScanNet sample (../shared/data/scannet-real), sized for a
# bounded CPU run: voxel 0.05 m, batch 2, BN momentum 0.1 for the short schedule. Run from the repo root:
#   python tools/train.py --config-file configs/scannet/semseg-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/scannet/semseg-real-cpu
_base_ = [
    "../_base_/default_runtime.py",
    "../_base_/datasets/scannet.py",
    "../_base_/pipelines/semseg.py",
    "../_base_/models/semseg-spunet-v1m1.py",
]
_overlay_ = ["../_base_/datasets/scannet_real.py", "../_base_/schedules/cpu-budget.py"]

epoch = 30
eval_epoch = 6

_backbone = dict(bn_momentum=0.1)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=3)
