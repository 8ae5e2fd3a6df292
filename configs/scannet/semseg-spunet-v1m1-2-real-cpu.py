# SpUNet-v1m1 (full SparseUNet34C) on the real ScanNet sample (../shared/data/scannet-real), sized for a
# bounded CPU run: voxel 0.05 m, batch 2, BN momentum 0.1 for the short schedule. Run from the repo root:
#   python tools/train.py --config-file configs/scannet/semseg-spunet-v1m1-2-real-cpu.py \
#       --options save_path=exp/scannet/semseg-real-cpu
_base_ = ["../_base_/default_runtime.py", "../_base_/datasets/scannet_real.py"]

batch_size = 2
num_worker = 1
epoch = 30
eval_epoch = 6
seed = 0

model = dict(
    type="DefaultSegmentor",
    backbone=dict(type="SpUNet-v1m1", in_channels=6, num_classes=20, bn_momentum=0.1),
    criteria=[dict(type="CrossEntropyLoss", loss_weight=1.0, ignore_index=-1)],
)
optimizer = dict(type="SGD", lr=0.05, momentum=0.9, weight_decay=0.0001, nesterov=True)
scheduler = dict(type="CosineAnnealingLR", warmup_epochs=3)
